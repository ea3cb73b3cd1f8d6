package dev.switchboard.core.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.transport.CacheEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/** Every resource the cache opens is closed exactly once, and never while a caller uses it. */
class ResourceCacheTest {

    /** A resource that counts its closes and knows whether a caller is using it. */
    static final class Resource implements AutoCloseable {
        final String key;
        final AtomicInteger closes = new AtomicInteger();
        final AtomicInteger users = new AtomicInteger();
        final AtomicInteger closedWhileInUse = new AtomicInteger();

        Resource(String key) {
            this.key = key;
        }

        @Override
        public void close() {
            if (users.get() > 0) {
                closedWhileInUse.incrementAndGet();
            }
            closes.incrementAndGet();
        }

        <T> T use(java.util.function.Supplier<T> work) {
            users.incrementAndGet();
            try {
                if (closes.get() > 0) {
                    throw new AssertionError("used after close: " + key);
                }
                return work.get();
            } finally {
                users.decrementAndGet();
            }
        }
    }

    private final List<Resource> opened = new CopyOnWriteArrayList<>();

    private ResourceCache.Builder<String, Resource> builder() {
        return ResourceCache.builder(k -> {
            Resource r = new Resource(k);
            opened.add(r);
            return r;
        });
    }

    private static int closes(List<Resource> rs) {
        return rs.stream().mapToInt(r -> r.closes.get()).sum();
    }

    @Test
    void closesEveryEvictedResourceExactlyOnce() {
        ResourceCache<String, Resource> cache = builder().maximumSize(3).build();
        for (int i = 0; i < 100; i++) {
            String key = "k" + i;
            assertEquals(key, cache.apply(key, r -> r.key));
        }
        assertEquals(100, opened.size());
        assertEquals(100, cache.missCount());
        for (Resource r : opened) {
            boolean cached = cache.contains(r.key);
            assertEquals(cached ? 0 : 1, r.closes.get(), r.key + (cached ? " is cached" : " was evicted"));
        }
        assertTrue(cache.size() <= 3, "size " + cache.size());
        assertEquals(100 - cache.size(), cache.closedCount());

        cache.close();
        for (Resource r : opened) {
            assertEquals(1, r.closes.get(), r.key);
        }
        assertEquals(100, cache.closedCount());
    }

    @Test
    void closesEveryInvalidatedResourceExactlyOnce() {
        ResourceCache<String, Resource> cache = builder().build();
        cache.apply("a", r -> r);
        cache.apply("b", r -> r);
        cache.apply("c", r -> r);
        cache.invalidate("a");
        cache.invalidate("a");
        assertEquals(List.of(1, 0, 0), opened.stream().map(r -> r.closes.get()).toList());

        cache.apply("a", r -> r);
        assertEquals(4, opened.size(), "an invalidated key opens a new resource");
        cache.invalidateAll();
        cache.invalidateAll();
        assertEquals(List.of(1, 1, 1, 1), opened.stream().map(r -> r.closes.get()).toList());
        cache.close();
        assertEquals(4, closes(opened));
        assertEquals(4, cache.closedCount());
    }

    @Test
    void neverClosesAResourceWhileInUseInsideApply() {
        ResourceCache<String, Resource> cache = builder().maximumSize(2).build();
        Resource seen = cache.apply("a", r -> r.use(() -> {
            cache.invalidate("a");
            for (int i = 0; i < 20; i++) {
                cache.apply("other" + i, o -> o);
            }
            assertEquals(0, r.closes.get(), "closed while in use");
            assertFalse(cache.contains("a"));
            return r;
        }));
        assertEquals(1, seen.closes.get(), "closed when apply returned");
        assertEquals(0, seen.closedWhileInUse.get());
        cache.close();
        for (Resource r : opened) {
            assertEquals(1, r.closes.get(), r.key);
            assertEquals(0, r.closedWhileInUse.get(), r.key);
        }
    }

    @Test
    void nestedUsesOfTheSameResourceCloseItOnlyAfterTheOutermost() {
        ResourceCache<String, Resource> cache = builder().build();
        cache.apply("a", outer -> cache.apply("a", inner -> {
            assertTrue(inner == outer);
            cache.invalidate("a");
            return inner;
        }).closes.get() == 0 ? outer : null);
        assertEquals(1, opened.size());
        assertEquals(1, opened.get(0).closes.get());
    }

    @Test
    void concurrentUseWithConstantEvictionClosesEachResourceOnceAndNeverInUse() throws Exception {
        ResourceCache<String, Resource> cache = builder().maximumSize(4).build();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        String key = "k" + ((i * 7 + seed * 3) % 20);
                        boolean invalidate = (i & 63) == 0;
                        cache.apply(key, r -> r.use(() -> {
                            if (invalidate) {
                                cache.invalidate(key);
                            }
                            return r.key;
                        }));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        cache.close();
        assertEquals(opened.size(), cache.missCount());
        assertEquals(opened.size(), cache.closedCount());
        for (Resource r : opened) {
            assertEquals(1, r.closes.get(), r.key);
            assertEquals(0, r.closedWhileInUse.get(), r.key);
        }
    }

    @Test
    void openerFailureLeavesNothingOpenAndPropagates() {
        ResourceCache<String, Resource> cache = ResourceCache.<String, Resource>builder(k -> {
            throw new IllegalStateException("cannot open " + k);
        }).build();
        assertThrows(IllegalStateException.class, () -> cache.apply("a", r -> r));
        assertEquals(0, cache.size());
        assertFalse(cache.contains("a"));
    }

    @Test
    void publishesCachedAndEvictedEventsForEachResource() {
        ResourceCache<String, Resource> cache = builder().maximumSize(10).build();
        List<CacheEvent> events = new CopyOnWriteArrayList<>();
        Disposable watch = cache.events().subscribe(events::add);
        cache.apply("a", r -> r);
        cache.apply("a", r -> r);
        cache.apply("b", r -> r);
        cache.invalidate("a");
        assertEquals(List.of(CacheEvent.cached("a"), CacheEvent.cached("b"), CacheEvent.evicted("a")), events);
        assertEquals(1, cache.hitCount());
        assertEquals(2, cache.missCount());
        cache.close();
        assertEquals(CacheEvent.evicted("b"), events.get(3));
        assertEquals(4, events.size());
        watch.dispose();
    }

    @Test
    void closingOneResourceThatThrowsStillClosesTheOthers() {
        Map<String, AtomicInteger> closes = new ConcurrentHashMap<>();
        ResourceCache<String, AutoCloseable> cache = ResourceCache.<String, AutoCloseable>builder(k -> () -> {
            closes.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
            if (k.equals("bad")) {
                throw new java.io.IOException("close failed");
            }
        }).build();
        cache.apply("bad", r -> r);
        cache.apply("good", r -> r);
        cache.close();
        assertEquals(1, closes.get("bad").get());
        assertEquals(1, closes.get("good").get());
        assertEquals(2, cache.closedCount());
    }

    @Test
    void aKeyOpenedAgainBeforeItsRemovalIsNotifiedEndsCachedNotEvicted() {
        List<Runnable> deferred = new CopyOnWriteArrayList<>();
        ResourceCache<String, Resource> cache = builder().executor(deferred::add).build();
        List<CacheEvent> events = new CopyOnWriteArrayList<>();
        Disposable watch = cache.events().subscribe(events::add);
        cache.apply("a", r -> r);
        cache.invalidate("a");
        cache.apply("a", r -> r);
        // the removal of the first resource is notified only now, after the key was opened again
        while (!deferred.isEmpty()) {
            deferred.remove(0).run();
        }
        assertEquals(List.of(CacheEvent.cached("a"), CacheEvent.cached("a")), events,
                "a router would believe the open key is not cached");
        assertEquals(2, opened.size());
        assertEquals(1, opened.get(0).closes.get());
        assertEquals(0, opened.get(1).closes.get());
        assertTrue(cache.contains("a"));
        watch.dispose();
    }
}
