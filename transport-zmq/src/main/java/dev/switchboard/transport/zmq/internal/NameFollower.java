package dev.switchboard.transport.zmq.internal;

import dev.switchboard.transport.zmq.GatewayResolver;
import dev.switchboard.transport.zmq.ZmqWorkerSpec;
import dev.switchboard.transport.zmq.ZmqWorkerSpec.GatewayName;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks a worker's followed names up, at once and then {@code period} after each lookup ends, and
 * hands each answer to its {@link Gateways} as endpoints ({@code tcp://ADDRESS:port}). A lookup
 * blocks, so it runs on {@link #LOOKUPS}, a small pool of daemon threads shared by the process's
 * workers, never on the ZeroMQ I/O thread; its threads are never interrupted (a thread interrupted
 * while it wakes the I/O loop would close the loop's pipe). A failed or empty lookup hands nothing
 * over, so the gateways of the last answer stay: a DNS hiccup never drops them all. It owns the
 * schedule and the failure streaks; it must not start or stop agents itself.
 */
final class NameFollower {

    private static final Logger log = LoggerFactory.getLogger(NameFollower.class);
    /** Threads that look names up, for all the workers of the process: a lookup that hangs holds one. */
    static final int LOOKUP_THREADS = 2;
    /** How long an idle lookup thread stays, in seconds. */
    private static final long KEEP_ALIVE_S = 30;

    /**
     * The process's lookup threads. Its queue holds one task per followed name of each running
     * worker (at most {@link ZmqWorkerSpec#MAX_GATEWAYS} names each), so it is bounded by them.
     */
    static final ScheduledThreadPoolExecutor LOOKUPS = lookups();

    private final String workerId;
    private final GatewayResolver resolver;
    private final Gateways gateways;
    private final LongAdder failures;
    private final List<Followed> followed = new ArrayList<>();

    NameFollower(ZmqWorkerSpec spec, Gateways gateways, LongAdder failures) {
        this.workerId = spec.id();
        this.resolver = spec.resolver();
        this.gateways = gateways;
        this.failures = failures;
        List<GatewayName> names = spec.gatewayNames();
        for (int i = 0; i < names.size(); i++) {
            followed.add(new Followed(i, names.get(i)));
        }
    }

    /** Schedules the first lookups at once. */
    synchronized void start() {
        for (Followed f : followed) {
            f.task = LOOKUPS.scheduleWithFixedDelay(f::lookUp, 0, f.name.period().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Cancels the lookups; one that runs now finishes, and {@link Gateways} ignores its answer. */
    synchronized void stop() {
        for (Followed f : followed) {
            ScheduledFuture<?> t = f.task;
            if (t != null) {
                // never interrupt: see the class comment
                t.cancel(false);
            }
        }
    }

    /** The endpoint of a gateway at {@code address}. */
    static String endpoint(InetAddress address, int port) {
        String host = address.getHostAddress();
        return address instanceof Inet6Address ? "tcp://[" + host + "]:" + port : "tcp://" + host + ":" + port;
    }

    /** One followed name; its lookups run one at a time (a fixed-delay task), on any lookup thread. */
    private final class Followed {
        private final int index;
        private final GatewayName name;
        private volatile @Nullable ScheduledFuture<?> task;
        private boolean failing;

        Followed(int index, GatewayName name) {
            this.index = index;
            this.name = name;
        }

        void lookUp() {
            List<InetAddress> answer;
            try {
                answer = resolver.resolve(name.hostName());
                if (answer == null || answer.isEmpty()) {
                    throw new java.net.UnknownHostException(name.hostName() + " resolved to no address");
                }
            } catch (Exception e) {
                failures.increment();
                if (!failing) {
                    failing = true;
                    log.warn("worker {}: the lookup of {} failed ({}): it keeps the gateways of the last answer "
                            + "until one succeeds", workerId, name.hostName(), e.toString());
                }
                return;
            }
            if (failing) {
                failing = false;
                log.info("worker {}: {} resolves again", workerId, name.hostName());
            }
            List<String> endpoints = new ArrayList<>(answer.size());
            for (InetAddress a : answer) {
                if (a != null) {
                    endpoints.add(endpoint(a, name.port()));
                }
            }
            try {
                gateways.onAnswer(index, endpoints);
            } catch (RuntimeException e) {
                // a periodic task that throws is never run again: keep following
                log.warn("worker {}: the answer for {} could not be applied", workerId, name.hostName(), e);
            }
        }
    }

    private static ScheduledThreadPoolExecutor lookups() {
        AtomicInteger n = new AtomicInteger();
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(LOOKUP_THREADS, r -> {
            Thread t = new Thread(r, "switchboard-zmq-lookup-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        e.setKeepAliveTime(KEEP_ALIVE_S, TimeUnit.SECONDS);
        e.allowCoreThreadTimeOut(true);
        return e;
    }
}
