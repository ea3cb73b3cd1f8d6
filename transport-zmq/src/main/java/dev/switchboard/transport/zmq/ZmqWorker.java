package dev.switchboard.transport.zmq;

import dev.switchboard.core.worker.WorkerHandler;
import dev.switchboard.transport.zmq.internal.WorkerImpl;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Runs a {@link WorkerHandler} as a remote worker: one DEALER socket per gateway, on the ZeroMQ
 * context's I/O thread, registering with its capacity and cached keys, keeping heartbeats,
 * reporting cache changes and service times, and registering again when a gateway restarts.
 * Several gateways (several relays) can share one worker; it can follow a host name and join
 * every gateway the name resolves to ({@link ZmqWorkerSpec.Builder#connectAll}).
 *
 * <p>A non-blocking handler is called on that I/O thread, as Netty calls its handlers on an event
 * loop: it must not block. A handler that blocks (files, databases) needs
 * {@link ZmqWorkerSpec.Builder#blocking}, which runs it on that bounded scheduler.
 *
 * <p>{@link #dispose()} tells each gateway it leaves, cancels the requests it runs and closes
 * its sockets. It does not close the cache, which the application owns.
 */
public interface ZmqWorker extends Disposable {

    /**
     * A builder of a worker running {@code handler}, as {@code LocalWorker.builder(handler)} is for
     * an in-process one; {@link Builder#spec} is required (it names the gateways).
     *
     * @param handler what answers each request
     * @return a builder of a worker running {@code handler}
     */
    static Builder builder(WorkerHandler handler) {
        return new Builder(handler);
    }

    /**
     * Its id.
     *
     * @return its id
     */
    String id();

    /**
     * Its counters.
     *
     * @return its counters
     */
    ZmqWorkerStats stats();

    /**
     * Completes when it has closed its sockets.
     *
     * @return a Mono that completes when its sockets are closed
     */
    Mono<Void> onDispose();

    /** Starts a {@link ZmqWorker}: {@code ZmqWorker.builder(handler).spec(spec).build()}. Not thread-safe. */
    final class Builder {
        private final WorkerHandler handler;
        private @Nullable ZmqWorkerSpec spec;

        private Builder(WorkerHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /**
         * The spec: the gateways to connect to, the capacity, the id, and the rest. Required.
         *
         * @param spec the worker's configuration
         * @return this builder
         */
        public Builder spec(ZmqWorkerSpec spec) {
            this.spec = Objects.requireNonNull(spec, "spec");
            return this;
        }

        /**
         * Starts the worker; it connects and registers in the background.
         *
         * @throws IllegalStateException if no spec was given
         *
         * @return the started worker
         */
        public ZmqWorker build() {
            if (spec == null) {
                throw new IllegalStateException(
                        "a worker needs a spec: call spec(ZmqWorkerSpec.builder().connect(..).build())");
            }
            return WorkerImpl.start(spec, handler);
        }
    }
}
