package dev.switchboard.core.worker;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Limits;
import dev.switchboard.core.Payload;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.transport.CacheEvent;
import dev.switchboard.core.transport.ServiceTimes;
import dev.switchboard.core.transport.WorkerLink;
import java.time.Duration;
import dev.switchboard.core.transport.WorkerLink.Item;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Runs a {@link WorkerHandler} in this JVM as a {@link WorkerLink}.
 *
 * <p>It serves at most {@link #capacity()} requests at once (the router holds it to that; a
 * caller that does not is answered {@code overloaded}). A non-blocking handler runs on the
 * thread that subscribes. A blocking one ({@link Builder#blocking()}) never runs on the caller's
 * thread: it runs on threads that blocking workers share (Switchboard's own, or a scheduler's,
 * {@link Builder#blocking(Scheduler)}), as few as keep up, which take the requests waiting for
 * them one after another without a hand-over per request while the workers are busy (see
 * {@link Builder#spareThreadDelay}). It measures its hit and miss service times against its
 * {@link ResourceCache}, and publishes that cache's events.
 *
 * <p>It marks a handler's item last when the handler's Flux completes within the same call that
 * produced the item: an item emitted while the worker subscribes to the handler's Flux or asks
 * it for items is held until that call returns, never longer; an item emitted later (from a
 * timer, another thread) goes on at once and its end follows alone. So a one-item answer such as
 * {@code Flux.just(x)} or {@code Mono.just(x).flux()} is one item marked last.
 */
public final class LocalWorker implements WorkerLink, AutoCloseable {

    /** Default number of requests served at once. */
    public static final int DEFAULT_CAPACITY = 4;
    /**
     * Default time a request waits for a blocking worker's busy threads before a spare one is
     * woken for it: 1 ms, several typical steps, and short next to reading a file from disk.
     */
    public static final long DEFAULT_SPARE_THREAD_DELAY_US = 1_000;
    /** Weight of the newest sample in the service-time moving averages. */
    static final double EWMA_ALPHA = 0.1;

    private static final AtomicLong IDS = new AtomicLong();

    private final String id;
    private final int capacity;
    private final WorkerHandler handler;
    /** Where a blocking handler runs; null for a non-blocking one. */
    private final @Nullable BlockingLanes lanes;
    private final long spareDelayNanos;
    private final @Nullable ResourceCache<String, ?> cache;
    private final LongSupplier clock;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Sinks.Empty<Void> closed = Sinks.empty();
    private volatile boolean isClosed;
    private double hitNanos;
    private double missNanos;

    private LocalWorker(Builder b) {
        this.id = b.id != null ? b.id : "local-" + IDS.incrementAndGet();
        this.capacity = b.capacity;
        this.handler = b.handler;
        this.spareDelayNanos = nanos(b.spareThreadDelay);
        BlockingLanes own = b.lanes;
        if (own != null) {
            own.add(capacity);
            this.lanes = own;
        } else {
            this.lanes = b.blocking ? BlockingLanes.attach(b.scheduler, capacity) : null;
        }
        this.cache = b.cache;
        this.clock = b.clock;
    }

    private static long nanos(Duration d) {
        return d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
    }

    /**
     * A builder for a worker running {@code handler}: id {@code local-N}, capacity
     * {@value #DEFAULT_CAPACITY}, non-blocking, no cache. A blocking one wakes a spare thread
     * for a request that waited {@value #DEFAULT_SPARE_THREAD_DELAY_US} µs for its busy ones.
     *
     * @param handler what answers each request
     * @return a builder of a worker running {@code handler}
     */
    public static Builder builder(WorkerHandler handler) {
        return new Builder(handler);
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
        BlockingLanes l = lanes;
        if (l != null) {
            return new Blocking(request, l);
        }
        // a non-blocking handler runs within the caller's subscribe, as a DirectCall
        return Flux.defer(() -> {
            RelayException refused = admit(request);
            if (refused != null) {
                return Flux.error(refused);
            }
            boolean hit = cachedAtStart(request);
            long start = clock.getAsLong();
            return new DirectCall(this, handled(request, hit), hit, start);
        });
    }

    /** Takes a credit; returns why not when closed, over a limit or full. */
    private @Nullable RelayException admit(Request request) {
        if (isClosed) {
            return new RelayException(ErrorCode.WORKER_FAILED, "worker " + id + " is closed");
        }
        // the relay checks the limits already; a caller routing by hand meets the same ones
        java.util.Optional<String> over = Limits.violation(request);
        if (over.isPresent()) {
            return new RelayException(ErrorCode.BAD_REQUEST, over.get());
        }
        if (active.incrementAndGet() > capacity) {
            active.decrementAndGet();
            return new RelayException(ErrorCode.OVERLOADED, "worker " + id + " already serves " + capacity + " requests");
        }
        return null;
    }

    /** Gives a credit back. */
    void release() {
        active.decrementAndGet();
    }

    boolean cachedAtStart(Request request) {
        return cache != null && cache.contains(request.key());
    }

    long now() {
        return clock.getAsLong();
    }

    /** The handler's items for {@code request}, marked ({@link MarkLast}); what it throws, as an error. */
    Flux<Item> items(Request request, boolean hit) {
        return new MarkLast(handled(request, hit));
    }

    /** The handler's items for {@code request}, unmarked; what it throws, as an error. */
    private Flux<Payload> handled(Request request, boolean hit) {
        try {
            return Objects.requireNonNull(handler.handle(request, new Context(id, hit)), "the handler returned null");
        } catch (Throwable e) {
            return Flux.error(e);
        }
    }

    /**
     * A request to a blocking handler: takes a credit on the subscribing thread, then runs as a
     * {@link BlockingCall} on the worker's lanes.
     */
    private final class Blocking extends Flux<Item> {
        private final Request request;
        private final BlockingLanes lanes;

        Blocking(Request request, BlockingLanes lanes) {
            this.request = request;
            this.lanes = lanes;
        }

        @Override
        public void subscribe(CoreSubscriber<? super Item> actual) {
            RelayException refused = admit(request);
            if (refused != null) {
                Operators.error(actual, refused);
                return;
            }
            new BlockingCall(LocalWorker.this, lanes, request, actual, spareDelayNanos).start();
        }
    }

    synchronized void record(boolean hit, long nanos) {
        if (hit) {
            hitNanos = hitNanos == 0 ? nanos : hitNanos + EWMA_ALPHA * (nanos - hitNanos);
        } else {
            missNanos = missNanos == 0 ? nanos : missNanos + EWMA_ALPHA * (nanos - missNanos);
        }
    }

    @Override
    public synchronized ServiceTimes serviceTimes() {
        return new ServiceTimes(hitNanos, missNanos);
    }

    @Override
    public Flux<CacheEvent> cacheEvents() {
        return cache == null ? Flux.never() : cache.events();
    }

    /**
     * Requests it serves now.
     *
     * @return the requests it serves now
     */
    public int active() {
        return active.get();
    }

    @Override
    public Mono<Void> onClose() {
        return closed.asMono();
    }

    /**
     * Stops taking requests and completes {@link #onClose()}, so that it leaves its membership.
     * Requests already taken finish. A blocking worker gives back its share of the blocking
     * threads; once every worker sharing them is closed, they end as soon as they have no request
     * left to run (a running stream that asks for more items after that is answered
     * {@code worker_failed}). It does not close the cache, which the application owns.
     */
    @Override
    public void close() {
        isClosed = true;
        BlockingLanes l = lanes;
        if (l != null && closing.compareAndSet(false, true)) {
            l.detach(capacity);
        }
        closed.tryEmitEmpty();
    }

    /** The blocking worker's lanes (shared with other workers), for tests; null for a non-blocking one. */
    @Nullable BlockingLanes lanes() {
        return lanes;
    }

    @Override
    public String toString() {
        return "LocalWorker[" + id + ", capacity " + capacity + "]";
    }

    private record Context(String workerId, boolean cachedAtStart) implements WorkerContext {
    }

    /** Builds a {@link LocalWorker}. Not thread-safe. */
    public static final class Builder {
        private final WorkerHandler handler;
        private @Nullable String id;
        private int capacity = DEFAULT_CAPACITY;
        private boolean blocking;
        private @Nullable Scheduler scheduler;
        private @Nullable BlockingLanes lanes;
        private Duration spareThreadDelay = Duration.ofNanos(DEFAULT_SPARE_THREAD_DELAY_US * 1_000);
        private @Nullable ResourceCache<String, ?> cache;
        private LongSupplier clock = System::nanoTime;

        private Builder(WorkerHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /**
         * The worker's id (default {@code local-N}).
         *
         * @param id the worker's id, unique in its membership
         * @return this builder
         */
        public Builder id(String id) {
            if (id.isBlank()) {
                throw new IllegalArgumentException("id must not be blank");
            }
            this.id = id;
            return this;
        }

        /**
         * How many requests it serves at once, strictly positive.
         *
         * @param capacity requests served at once, at least 1
         * @return this builder
         */
        public Builder capacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity must be strictly positive, was " + capacity);
            }
            this.capacity = capacity;
            return this;
        }

        /**
         * The handler blocks: run it on Switchboard's blocking threads, named {@code
         * switchboard-blocking-<n>}, which all the workers built so share: at most as many as
         * their capacities add up to, as few as keep up. They start as requests need them, take
         * the waiting requests one after another, park while there are none, end after a minute
         * without work, and all end once every worker that shares them is closed.
         *
         * @return this builder
         */
        public Builder blocking() {
            this.blocking = true;
            this.scheduler = null;
            this.lanes = null;
            return this;
        }

        /**
         * The handler blocks: run it on {@code scheduler}, which must be bounded. The workers given
         * the same scheduler share its threads: at most as many at once as their capacities add
         * up to, as few as keep up. A thread takes the waiting requests one after another and is
         * given back when none waits.
         *
         * @param scheduler a bounded scheduler the handler runs on
         * @return this builder
         */
        public Builder blocking(Scheduler scheduler) {
            this.blocking = true;
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            this.lanes = null;
            return this;
        }

        /** Tests: the handler blocks, on {@code lanes} (which the worker joins), not on shared ones. */
        Builder blocking(BlockingLanes lanes) {
            this.blocking = true;
            this.scheduler = null;
            this.lanes = Objects.requireNonNull(lanes, "lanes");
            return this;
        }

        /**
         * How long a request to a {@linkplain #blocking() blocking} worker waits for the busy
         * blocking threads before a spare one is woken for it (default {@value
         * #DEFAULT_SPARE_THREAD_DELAY_US} µs), strictly positive. Blocking workers run their
         * requests on as few threads as keep up, since a wake-up costs more than a short step: a
         * request queued while one of the threads is busy waits for that thread, and gets another
         * only if the busy ones are slower than this, as when they block on a disk.
         *
         * @param delay how long a queued request waits for a busy thread before a spare one wakes
         * @return this builder
         */
        public Builder spareThreadDelay(Duration delay) {
            if (delay.isNegative() || delay.isZero()) {
                throw new IllegalArgumentException("spareThreadDelay must be strictly positive, was " + delay);
            }
            this.spareThreadDelay = delay;
            return this;
        }

        /**
         * The cache whose keys are request keys: for hit/miss timing and cache events.
         *
         * @param cache the worker's cache of resources by request key
         * @return this builder
         */
        public Builder cache(ResourceCache<String, ?> cache) {
            this.cache = Objects.requireNonNull(cache, "cache");
            return this;
        }

        /**
         * The clock for service times, in nanoseconds (default {@link System#nanoTime()}).
         *
         * @param clock nanoseconds, as {@link System#nanoTime()}
         * @return this builder
         */
        public Builder clock(LongSupplier clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The worker.
         *
         * @return the worker, ready to join a membership
         */
        public LocalWorker build() {
            return new LocalWorker(this);
        }
    }
}
