package dev.switchboard.transport.zmq;

import dev.switchboard.core.routing.Membership;
import dev.switchboard.transport.zmq.internal.GatewayImpl;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Binds a ZeroMQ ROUTER socket that remote workers ({@link ZmqWorker}, or any program that speaks
 * {@code PROTOCOL.md}) connect to. Each worker that registers becomes a
 * {@link dev.switchboard.core.transport.WorkerLink} of the given {@link Membership}, so the router
 * that follows it routes to the worker; a worker that disconnects or misses its heartbeats leaves
 * at once, and the requests it held fail (the router retries idempotent ones once elsewhere).
 *
 * <p>The socket lives on its ZeroMQ context's I/O thread, beside JeroMQ's TCP engines, so that a
 * message reaches the network without a thread hand-off; nothing here blocks a caller's thread
 * except {@link Builder#bindNow}. {@link #dispose()} tells the workers, closes
 * the socket and removes the workers from the membership.
 *
 * <p>Gateways without CURVE and {@link ZmqWorker}s in one process share one ZeroMQ context, as
 * the ZeroMQ guide advises: one I/O thread and one reaper thread for them all, opened by the
 * first and closed after the last is disposed. A gateway under CURVE has a context of its own,
 * since the ZAP handler that checks worker keys is bound per context.
 */
public interface ZmqGateway extends Disposable {

    /** The longest {@link Builder#bindNow} waits for the gateway to start. */
    Duration BIND_TIMEOUT = Duration.ofSeconds(10);

    /**
     * A builder of a gateway whose workers join {@code membership}, with
     * {@link ZmqGatewaySpec#builder() the default spec}.
     *
     * @param membership the membership the registered workers join
     * @return a builder of a gateway
     */
    static Builder builder(Membership membership) {
        return new Builder(membership);
    }

    /**
     * The endpoint it is bound to, with the port the system chose, e.g. {@code tcp://127.0.0.1:41234}.
     *
     * @return the endpoint it is bound to, with the port the system chose
     */
    String endpoint();

    /**
     * The ids of the workers registered now.
     *
     * @return the ids of the workers registered now
     */
    List<String> workerIds();

    /**
     * Its counters.
     *
     * @return its counters
     */
    ZmqGatewayStats stats();

    /**
     * Completes when the gateway has closed its sockets.
     *
     * @return a Mono that completes when its sockets are closed
     */
    Mono<Void> onDispose();

    /**
     * Binds a {@link ZmqGateway}: {@code ZmqGateway.builder(membership).spec(spec).bindNow()}.
     * Not thread-safe.
     */
    final class Builder {
        private final Membership membership;
        private ZmqGatewaySpec spec = ZmqGatewaySpec.builder().build();

        private Builder(Membership membership) {
            this.membership = Objects.requireNonNull(membership, "membership");
        }

        /**
         * The spec (default {@code ZmqGatewaySpec.builder().build()}).
         *
         * @param spec the gateway's configuration
         * @return this builder
         */
        public Builder spec(ZmqGatewaySpec spec) {
            this.spec = Objects.requireNonNull(spec, "spec");
            return this;
        }

        /**
         * Binds the gateway now, blocking the caller until its socket is bound.
         *
         * @return the bound gateway
         * @throws IllegalStateException if it could not bind within {@link #BIND_TIMEOUT}
         */
        public ZmqGateway bindNow() {
            return GatewayImpl.bind(spec, membership, BIND_TIMEOUT);
        }

        /**
         * Binds the gateway on subscription, off the subscriber's thread.
         *
         * @return a Mono of the bound gateway
         */
        public Mono<ZmqGateway> bind() {
            ZmqGatewaySpec theSpec = spec;
            return Mono.<ZmqGateway>fromCallable(() -> GatewayImpl.bind(theSpec, membership, BIND_TIMEOUT))
                    .subscribeOn(Schedulers.boundedElastic());
        }
    }
}
