package dev.switchboard.transport.zmq;

import dev.switchboard.core.worker.WorkerHandler;
import dev.switchboard.transport.zmq.internal.WorkerImpl;
import java.util.Objects;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Runs a {@link WorkerHandler} as a remote worker: one DEALER socket per gateway, on the ZeroMQ
 * context's I/O thread, registering with its capacity and cached keys, keeping heartbeats,
 * reporting cache changes and service times, and registering again when a gateway restarts.
 * Several gateways (several relays) can share one worker.
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
     * Starts a worker; it connects and registers in the background.
     *
     * @param spec the worker's configuration
     * @param handler what answers each request
     * @return the started worker
     */
    static ZmqWorker start(ZmqWorkerSpec spec, WorkerHandler handler) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(handler, "handler");
        return WorkerImpl.start(spec, handler);
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
}
