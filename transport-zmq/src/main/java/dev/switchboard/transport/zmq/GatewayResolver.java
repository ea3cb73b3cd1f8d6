package dev.switchboard.transport.zmq;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

/**
 * Turns the host name a worker follows ({@link ZmqWorkerSpec.Builder#connectAll}) into the
 * addresses of its gateways, as a DNS lookup of a Kubernetes headless Service gives one address per
 * ready relay. The worker calls it off the ZeroMQ I/O thread, on a small pool of its own, so it may
 * block; it must come back in a bounded time (a lookup that hangs holds up the other names' lookups).
 *
 * <p>The default, {@link #system()}, is {@link InetAddress#getAllByName}, which goes through the
 * JVM's address cache: a changed answer is seen once its entry expires
 * ({@code networkaddress.cache.ttl}, 30 s by default without a security manager). Tests inject
 * their own.
 */
@FunctionalInterface
public interface GatewayResolver {

    /**
     * Every address of {@code hostName} now. An exception, or an empty answer, is a failed lookup:
     * the worker keeps the gateways of the last answer.
     *
     * @param hostName the name to look up
     * @return its addresses, in any order
     * @throws IOException if the lookup fails (an unknown host among others)
     */
    List<InetAddress> resolve(String hostName) throws IOException;

    /**
     * The system's resolver: {@link InetAddress#getAllByName}.
     *
     * @return the system's resolver
     */
    static GatewayResolver system() {
        return hostName -> List.of(InetAddress.getAllByName(hostName));
    }
}
