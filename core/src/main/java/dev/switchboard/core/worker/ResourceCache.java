package dev.switchboard.core.worker;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.switchboard.core.transport.CacheEvent;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * A bounded cache of expensive per-key resources (open file readers, say), on Caffeine.
 *
 * <p>It opens a resource on first use, closes every resource it evicts, invalidates or drops
 * at {@link #close()} exactly once, and never while a caller is using it: a resource evicted
 * during {@link #apply} is closed when that call returns. Each change is published as a
 * {@link CacheEvent} (keys as {@link String#valueOf(Object)}) for cache-affinity routing.
 *
 * <p>{@link #apply} may open a resource, which blocks: call it from a blocking worker
 * ({@link LocalWorker.Builder#blocking()}), never from an event loop. Thread-safe.
 *
 * @param <K> the key type
 * @param <R> the resource type
 */
public final class ResourceCache<K, R extends AutoCloseable> implements AutoCloseable {

    /** Default bound on the number of open resources. */
    public static final long DEFAULT_MAXIMUM_SIZE = 64;

    private static final Logger log = LoggerFactory.getLogger(ResourceCache.class);

    private final Cache<K, Holder<R>> cache;
    private final Function<? super K, ? extends R> opener;
    private final Sinks.Many<CacheEvent> events = Sinks.many().multicast().directBestEffort();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder closed = new LongAdder();
    private final LongAdder droppedEvents = new LongAdder();

    private ResourceCache(Builder<K, R> b) {
        this.opener = b.opener;
        Caffeine<Object, Object> caffeine = Caffeine.newBuilder()
                .maximumSize(b.maximumSize)
                .executor(b.executor);
        if (b.expireAfterAccess != null) {
            caffeine.expireAfterAccess(b.expireAfterAccess);
        }
        this.cache = caffeine.<K, Holder<R>>removalListener((key, holder, cause) -> onRemoval(key, holder, cause))
                .build();
    }

    /**
     * A builder that opens resources with {@code opener}, holds at most
     * {@value #DEFAULT_MAXIMUM_SIZE} of them, and closes on the thread that removes them.
     *
     * @param <K> the key type
     * @param <R> the resource type
     * @param opener opens the resource of a key; it may block
     * @return a new builder
     */
    public static <K, R extends AutoCloseable> Builder<K, R> builder(Function<? super K, ? extends R> opener) {
        return new Builder<>(opener);
    }

    /**
     * Applies {@code fn} to the resource of {@code key}, opening it first if needed. The
     * resource is not closed while {@code fn} runs. Blocking when it opens.
     *
     * @param <T> what {@code fn} returns
     * @param key the key
     * @param fn what to do with the open resource
     * @return what {@code fn} returned
     * @throws RuntimeException whatever the opener or {@code fn} throws
     */
    public <T> T apply(K key, Function<? super R, ? extends T> fn) {
        Objects.requireNonNull(key, "key");
        while (true) {
            boolean[] opened = {false};
            Holder<R> holder = cache.get(key, k -> {
                opened[0] = true;
                return new Holder<>(Objects.requireNonNull(opener.apply(k), "the opener returned null"));
            });
            if (opened[0]) {
                misses.increment();
                synchronized (events) {
                    // not if it was removed meanwhile: its EVICTED may already be out
                    if (cache.asMap().get(key) == holder) {
                        emit(CacheEvent.cached(String.valueOf(key)));
                    }
                }
            } else {
                hits.increment();
            }
            if (holder.acquire()) {
                try {
                    return fn.apply(holder.resource);
                } finally {
                    release(holder);
                }
            }
            // it was evicted between get and acquire: open it again
        }
    }

    /**
     * Whether {@code key}'s resource is open in the cache now (no side effect on recency).
     *
     * @param key the key
     * @return whether {@code key}'s resource is open in the cache now (no side effect on recency)
     */
    public boolean contains(K key) {
        return cache.asMap().containsKey(key);
    }

    /**
     * Closes and removes {@code key}'s resource, if open.
     *
     * @param key the key
     */
    public void invalidate(K key) {
        cache.invalidate(key);
    }

    /** Closes and removes every resource. */
    public void invalidateAll() {
        cache.invalidateAll();
    }

    /**
     * How many resources are open (an estimate while others change it).
     *
     * @return how many resources are open (an estimate while others change it)
     */
    public long size() {
        return cache.estimatedSize();
    }

    /**
     * A snapshot of the keys whose resources are open.
     *
     * @return a snapshot of the keys whose resources are open
     */
    public Set<K> keys() {
        return new HashSet<>(cache.asMap().keySet());
    }

    /**
     * Calls that found their resource open.
     *
     * @return how many calls found their resource open
     */
    public long hitCount() {
        return hits.sum();
    }

    /**
     * Calls that had to open their resource.
     *
     * @return how many calls had to open their resource
     */
    public long missCount() {
        return misses.sum();
    }

    /**
     * Resources closed so far.
     *
     * @return how many resources were closed
     */
    public long closedCount() {
        return closed.sum();
    }

    /**
     * Events dropped because a subscriber of {@link #events()} could not keep up.
     *
     * @return how many events were dropped
     */
    public long droppedEventCount() {
        return droppedEvents.sum();
    }

    /**
     * Cache changes from subscription on: {@code CACHED} when a resource opens, {@code EVICTED}
     * when one is removed. A subscriber that does not keep up misses events (counted).
     *
     * @return the cache changes, hot
     */
    public Flux<CacheEvent> events() {
        return events.asFlux();
    }

    /** Closes every resource and completes {@link #events()}. */
    @Override
    public void close() {
        cache.invalidateAll();
        cache.cleanUp();
        synchronized (events) {
            events.tryEmitComplete();
        }
    }

    private void onRemoval(@Nullable K key, @Nullable Holder<R> holder, RemovalCause cause) {
        if (holder == null) {
            return;
        }
        release(holder);
        if (key != null) {
            synchronized (events) {
                // Removal is notified after the fact (through the executor): if the key was opened
                // again meanwhile, its CACHED event may already be out and must stay the last word.
                if (!cache.asMap().containsKey(key)) {
                    emit(CacheEvent.evicted(String.valueOf(key)));
                }
            }
        }
    }

    private void release(Holder<R> holder) {
        if (holder.release()) {
            try {
                holder.resource.close();
            } catch (Exception e) {
                log.warn("closing a cached resource failed", e);
            } finally {
                closed.increment();
            }
        }
    }

    private void emit(CacheEvent event) {
        Sinks.EmitResult r;
        synchronized (events) {
            r = events.tryEmitNext(event);
        }
        if (r == Sinks.EmitResult.FAIL_OVERFLOW) {
            droppedEvents.increment();
        }
    }

    /** A resource and its users: the cache holds one reference, each running apply one more. */
    private static final class Holder<R> {
        final R resource;
        final AtomicInteger refs = new AtomicInteger(1);

        Holder(R resource) {
            this.resource = resource;
        }

        boolean acquire() {
            for (;;) {
                int n = refs.get();
                if (n == 0) {
                    return false;
                }
                if (refs.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        /** Returns true for the release that must close the resource. */
        boolean release() {
            return refs.decrementAndGet() == 0;
        }
    }

    /**
     * Builds a {@link ResourceCache}. Not thread-safe.
     *
     * @param <K> the key type
     * @param <R> the resource type
     */
    public static final class Builder<K, R extends AutoCloseable> {
        private final Function<? super K, ? extends R> opener;
        private long maximumSize = DEFAULT_MAXIMUM_SIZE;
        private @Nullable Duration expireAfterAccess;
        private Executor executor = Runnable::run;

        private Builder(Function<? super K, ? extends R> opener) {
            this.opener = Objects.requireNonNull(opener, "opener");
        }

        /**
         * At most this many resources are open, strictly positive.
         *
         * @param maximumSize the most resources open at once, strictly positive
         * @return this builder
         */
        public Builder<K, R> maximumSize(long maximumSize) {
            if (maximumSize < 1) {
                throw new IllegalArgumentException("maximumSize must be strictly positive, was " + maximumSize);
            }
            this.maximumSize = maximumSize;
            return this;
        }

        /**
         * Closes resources unused for this long (default: never by time).
         *
         * @param duration how long a resource may stay unused, strictly positive
         * @return this builder
         */
        public Builder<K, R> expireAfterAccess(Duration duration) {
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("expireAfterAccess must be strictly positive, was " + duration);
            }
            this.expireAfterAccess = duration;
            return this;
        }

        /**
         * Where Caffeine runs maintenance and closes removed resources (default: the calling thread).
         *
         * @param executor where Caffeine runs maintenance and closes removed resources
         * @return this builder
         */
        public Builder<K, R> executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * The cache.
         *
         * @return the cache
         */
        public ResourceCache<K, R> build() {
            return new ResourceCache<>(this);
        }
    }
}
