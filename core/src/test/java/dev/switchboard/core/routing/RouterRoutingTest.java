package dev.switchboard.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.transport.CacheEvent;
import dev.switchboard.core.transport.ServiceTimes;
import dev.switchboard.core.transport.WorkerLink;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

class RouterRoutingTest {

    /** A worker whose exchanges stay open until the test ends them; it caches every key it serves. */
    static final class HeldLink implements WorkerLink {
        final String id;
        final int capacity;
        final ArrayDeque<FluxSink<WorkerLink.Item>> open = new ArrayDeque<>();
        final List<String> served = new ArrayList<>();
        final Set<String> cached = new HashSet<>();
        final Sinks.Many<CacheEvent> events = Sinks.many().multicast().directBestEffort();
        final Sinks.Empty<Void> closed = Sinks.empty();

        HeldLink(String id, int capacity) {
            this.id = id;
            this.capacity = capacity;
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
        public Flux<WorkerLink.Item> exchange(Request request) {
            return Flux.create(sink -> {
                served.add(request.key());
                if (cached.add(request.key())) {
                    events.tryEmitNext(CacheEvent.cached(request.key()));
                }
                open.add(sink);
            });
        }

        /** Ends its oldest open exchange; returns whether there was one. */
        boolean completeOldest() {
            FluxSink<WorkerLink.Item> sink = open.poll();
            if (sink == null) {
                return false;
            }
            sink.complete();
            return true;
        }

        @Override
        public Flux<CacheEvent> cacheEvents() {
            return events.asFlux();
        }

        @Override
        public ServiceTimes serviceTimes() {
            return new ServiceTimes(1_000_000, 10_000_000);
        }

        @Override
        public Mono<Void> onClose() {
            return closed.asMono();
        }
    }

    private static Request request(long id, String key) {
        return Request.builder().id(RequestId.of(id)).key(key).build();
    }

    private static List<HeldLink> links(int n, int capacity) {
        List<HeldLink> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new HeldLink("worker-" + i, capacity));
        }
        return out;
    }

    private static Router router(List<HeldLink> links, AtomicLong clock) {
        Router.Builder b = Router.builder().clock(clock::get).maxWaiting(1 << 20);
        links.forEach(b::worker);
        return b.build();
    }

    @Test
    void cacheAffinityIsTheDefault() {
        assertEquals("cache-affinity", Router.builder().build().strategyName());
    }

    @Test
    void twoRoutersWithEqualViewsAgreeOnEveryKey() {
        AtomicLong clock = new AtomicLong();
        List<HeldLink> a = links(8, 4);
        List<HeldLink> b = links(8, 4);
        Router ra = router(a, clock);
        Router rb = router(b, clock);
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            String key = "key-" + (int) Math.floor(Math.pow(100_000, random.nextDouble()));
            ra.route(request(i, key)).subscribe();
            rb.route(request(i, key)).subscribe();
            clock.addAndGet(100_000);
            if (i % 4 != 0) {
                // the same worker ends its oldest exchange in both
                int w = random.nextInt(8);
                assertEquals(a.get(w).completeOldest(), b.get(w).completeOldest());
            }
        }
        for (int w = 0; w < 8; w++) {
            assertEquals(a.get(w).served, b.get(w).served, "worker " + w + " served the same keys");
        }
        assertEquals(ra.stats(), rb.stats());
        ra.dispose();
        rb.dispose();
    }

    @Test
    void aHotKeyIsServedByAtLeastTwoWorkersOnceItIsHot() {
        AtomicLong clock = new AtomicLong();
        List<HeldLink> links = links(4, 2);
        Router router = router(links, clock);
        // fill the caches so that the hot set has room (a quarter of a cache)
        for (int i = 0; i < 200; i++) {
            router.route(request(i, "filler-" + i)).subscribe();
            links.forEach(HeldLink::completeOldest);
        }
        for (int i = 0; i < 40; i++) {
            router.route(request(1000 + i, "hot")).subscribe();
            clock.addAndGet(1_000_000);
        }
        long workers = links.stream().filter(l -> l.served.contains("hot")).count();
        assertTrue(workers >= 2, "hot key served by " + workers + " worker(s)");
        router.dispose();
    }

    @Test
    void anIdleWorkerTakesAWaitingRequestOnceItWaitedLongerThanAMissCosts() {
        AtomicLong clock = new AtomicLong();
        List<HeldLink> links = links(2, 1);
        Router router = router(links, clock);
        String key = "k";
        int owner = Rendezvous.owner(key, List.of("worker-0", "worker-1"));
        HeldLink other = links.get(1 - owner);
        // occupy the other worker, then give the owner a request and one waiting
        String otherKey = "x";
        int i = 0;
        while (Rendezvous.owner(otherKey, List.of("worker-0", "worker-1")) == owner) {
            otherKey = "x" + i++;
        }
        router.route(request(1, otherKey)).subscribe();
        router.route(request(2, key)).subscribe();
        router.route(request(3, key)).subscribe();
        assertEquals(1, router.stats().waiting());
        other.completeOldest();
        // the other worker is idle, but the request has waited less than t_miss - t_hit
        assertEquals(1, router.stats().waiting());
        clock.addAndGet(9_000_000);
        router.route(request(4, "unrelated-" + owner)).subscribe();
        assertEquals(List.of(otherKey, key), other.served.subList(0, 2));
        router.dispose();
    }

    @Test
    void theRequestsOfAWorkerThatLeavesAreRoutedAgain() {
        AtomicLong clock = new AtomicLong();
        List<HeldLink> links = links(2, 1);
        Router router = router(links, clock);
        List<String> ids = List.of("worker-0", "worker-1");
        String key = "k";
        int owner = Rendezvous.owner(key, ids);
        String otherKey = "x";
        for (int i = 0; Rendezvous.owner(otherKey, ids) == owner; i++) {
            otherKey = "x" + i;
        }
        List<Long> done = new ArrayList<>();
        router.route(request(0, key)).subscribe(null, e -> { }, () -> done.add(0L));
        router.route(request(1, key)).subscribe(null, e -> { }, () -> done.add(1L));
        router.route(request(2, otherKey)).subscribe(null, e -> { }, () -> done.add(2L));
        HeldLink leaving = links.get(owner);
        HeldLink staying = links.get(1 - owner);
        assertEquals(List.of(key), leaving.served);
        assertEquals(1, router.stats().waiting());

        router.membership().leave(leaving.id());
        // the worker fails what it had open, as a closing link does
        leaving.open.forEach(sink -> sink.error(new IllegalStateException("gone")));
        assertEquals(2, router.stats().waiting());
        assertEquals(1, router.loads().size());
        while (staying.completeOldest()) {
            clock.addAndGet(1_000_000);
        }
        assertEquals(List.of(2L, 1L, 0L), done);
        assertEquals(List.of(otherKey, key, key), staying.served);
        assertEquals(1, router.stats().retried());
        router.dispose();
    }
}
