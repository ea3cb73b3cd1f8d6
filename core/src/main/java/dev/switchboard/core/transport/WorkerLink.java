package dev.switchboard.core.transport;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import java.util.Objects;
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
 *
 * <p><b>The last-item mark.</b> Each item says whether it is the last of its exchange, as
 * RSocket's PAYLOAD frame does with its NEXT and COMPLETE flags, so that a one-item answer
 * reaches the client as one frame. An implementation MUST hand on each item as soon as it has
 * it, and MUST NOT hold an item back to learn whether more follow: it marks an item
 * {@linkplain Item#last() last} only when it knows, as it emits the item, that the exchange ends
 * there (a wire record that carries the end, or a source that completed in the same call that
 * produced the item; see {@link dev.switchboard.core.worker.LocalWorker}). A last item MUST be
 * followed by completion and by nothing else. An end learnt later is the completion alone, and
 * the client gets it as a frame of its own.
 */
public interface WorkerLink {

    /**
     * A stable id, unique in the membership.
     *
     * @return a stable id, unique in the membership
     */
    String id();

    /**
     * How many requests the worker serves at once (its credits), at least 1.
     *
     * @return how many requests the worker serves at once (its credits), at least 1
     */
    int capacity();

    /**
     * Serves one request. The Flux emits the response items, each with its last-item mark, and
     * completes, or errors: a {@link dev.switchboard.core.RelayException} reaches the client with
     * its code, any other error as {@code worker_failed}. Cancelling it MUST cancel the work and
     * free the credit.
     *
     * @param request the request to serve
     * @return the response items, the last one marked
     */
    Flux<Item> exchange(Request request);

    /**
     * The worker's cache changes, hot: subscribers see events from their subscription on.
     *
     * @return the worker's cache changes, hot: subscribers see events from their subscription on
     */
    default Flux<CacheEvent> cacheEvents() {
        return Flux.never();
    }

    /**
     * The worker's latest measured hit and miss service times.
     *
     * @return the worker's latest measured hit and miss service times
     */
    default ServiceTimes serviceTimes() {
        return ServiceTimes.UNKNOWN;
    }

    /**
     * Completes when the worker is gone (closed, dead or disconnected).
     *
     * @return a Mono that completes when the worker is gone
     */
    Mono<Void> onClose();

    /**
     * One response item: its payload, and whether the worker knew, as it emitted it, that it is
     * the last (see the last-item mark above).
     *
     * <p>How it may grow: new components may be added in a minor release; construct it through
     * {@link #next} and {@link #last}.
     *
     * @param payload the item's body
     * @param last whether the exchange ends with this item
     */
    record Item(Payload payload, boolean last) {

        /**
         * Checks the payload.
         *
         * @param payload the data
         * @param last whether this item ends the stream
         */
        public Item {
            Objects.requireNonNull(payload, "payload");
        }

        /**
         * An item that more items, or a later end, may follow.
         *
         * @param payload the data
         * @return an item that more items, or a later end, may follow
         */
        public static Item next(Payload payload) {
            return new Item(payload, false);
        }

        /**
         * The last item of its exchange.
         *
         * @param payload the data
         * @return the last item of its exchange
         */
        public static Item last(Payload payload) {
            return new Item(payload, true);
        }
    }
}
