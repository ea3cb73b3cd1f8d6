package dev.switchboard.core.transport;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One worker as a worker transport (in-process, ZeroMQ, ...) presents it to the router.
 *
 * <p>The router never has more than {@link #capacity()} exchanges open on a link at once; each
 * open exchange holds one credit until its Flux terminates or is cancelled. Implementations
 * MUST NOT block in any method, MUST terminate every exchange (with its items, an error, or on
 * cancellation by freeing what it held) and MUST complete {@link #onClose()} when the worker is
 * gone, after failing the exchanges still open.
 */
public interface WorkerLink {

    /** A stable id, unique in the membership. */
    String id();

    /** How many requests the worker serves at once (its credits), at least 1. */
    int capacity();

    /**
     * Serves one request. The Flux emits the response items and completes, or errors: a
     * {@link dev.switchboard.core.RelayException} reaches the client with its code, any other
     * error as {@code worker_failed}. Cancelling it MUST cancel the work and free the credit.
     */
    Flux<Payload> exchange(Request request);

    /** The worker's cache changes, hot: subscribers see events from their subscription on. */
    default Flux<CacheEvent> cacheEvents() {
        return Flux.never();
    }

    /** The worker's latest measured hit and miss service times. */
    default ServiceTimes serviceTimes() {
        return ServiceTimes.UNKNOWN;
    }

    /** Completes when the worker is gone (closed, dead or disconnected). */
    Mono<Void> onClose();
}
