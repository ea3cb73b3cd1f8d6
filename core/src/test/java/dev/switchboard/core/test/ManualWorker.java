package dev.switchboard.core.test;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.transport.CacheEvent;
import dev.switchboard.core.transport.WorkerLink;
import dev.switchboard.core.transport.WorkerLink.Item;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A {@link WorkerLink} whose exchanges the test answers by hand, in any order: each call to
 * {@link #exchange} opens an {@link Exchange} that emits nothing until the test calls
 * {@link Exchange#next}, {@link Exchange#complete()} or {@link Exchange#error}. It records the
 * demand each exchange received and whether it was cancelled.
 */
public final class ManualWorker implements WorkerLink {

    private final String id;
    private final int capacity;
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
    private final Sinks.Empty<Void> closed = Sinks.empty();
    private final Sinks.Many<CacheEvent> cacheEvents = Sinks.many().multicast().directBestEffort();

    private ManualWorker(String id, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be strictly positive, was " + capacity);
        }
        this.id = id;
        this.capacity = capacity;
    }

    /** A worker with the given id and credits. */
    public static ManualWorker create(String id, int capacity) {
        return new ManualWorker(id, capacity);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public Flux<Item> exchange(Request request) {
        return Flux.defer(() -> {
            Exchange ex = new Exchange(request);
            exchanges.add(ex);
            return ex.sink.asFlux()
                    .doOnRequest(ex.requested::addAndGet)
                    .doOnCancel(() -> ex.cancelled = true);
        });
    }

    @Override
    public Flux<CacheEvent> cacheEvents() {
        return cacheEvents.asFlux();
    }

    @Override
    public Mono<Void> onClose() {
        return closed.asMono();
    }

    /** The worker goes away: {@link #onClose()} completes. */
    public void close() {
        closed.tryEmitEmpty();
    }

    /** Every exchange opened so far, in the order they were opened. */
    public List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    /** The exchange whose request has the id {@code requestId} (its decimal or string text). */
    public Exchange exchange(String requestId) {
        for (Exchange ex : exchanges) {
            if (ex.request.id().toString().equals(requestId)) {
                return ex;
            }
        }
        throw new IllegalStateException("no exchange for request " + requestId + " on " + id);
    }

    /** How many exchanges were opened so far. */
    public int opened() {
        return exchanges.size();
    }

    /** How many opened exchanges were cancelled. */
    public long cancelledCount() {
        return exchanges.stream().filter(Exchange::cancelled).count();
    }

    @Override
    public String toString() {
        return "ManualWorker[" + id + ", capacity " + capacity + "]";
    }

    /** One request the test answers by hand. */
    public static final class Exchange {
        private final Request request;
        private final Sinks.Many<Item> sink = Sinks.many().unicast().onBackpressureBuffer();
        private final AtomicLong requested = new AtomicLong();
        private volatile boolean cancelled;

        Exchange(Request request) {
            this.request = request;
        }

        /** The request it serves. */
        public Request request() {
            return request;
        }

        /**
         * Emits one item, not marked last; items beyond the demand wait in the exchange, as a
         * remote worker's would.
         */
        public Exchange next(Payload payload) {
            sink.tryEmitNext(Item.next(payload));
            return this;
        }

        /** Emits one JSON item, not marked last. */
        public Exchange next(String json) {
            return next(Payload.json(json));
        }

        /** Emits one JSON item marked last and completes, as a worker that knew the end would. */
        public void last(String json) {
            sink.tryEmitNext(Item.last(Payload.json(json)));
            sink.tryEmitComplete();
        }

        /** Completes the response stream. */
        public void complete() {
            sink.tryEmitComplete();
        }

        /** Fails the response stream. */
        public void error(Throwable error) {
            sink.tryEmitError(error);
        }

        /** The demand the relay signalled so far. */
        public long requested() {
            return requested.get();
        }

        /** Whether the relay cancelled it. */
        public boolean cancelled() {
            return cancelled;
        }
    }
}
