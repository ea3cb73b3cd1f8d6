package dev.switchboard.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.Await;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.worker.LocalWorker;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

class MicrometerBinderTest {

    private static final Set<String> METERS = Set.of("switchboard.sessions", "switchboard.in.flight",
            "switchboard.queued.responses", "switchboard.waiting", "switchboard.affinity.hit.ratio",
            "switchboard.requests", "switchboard.frames", "switchboard.routed", "switchboard.affinity.hits",
            "switchboard.slow.consumers.closed", "switchboard.errors", "switchboard.ready",
            "switchboard.request.wait", "switchboard.worker.service", "switchboard.request.first",
            "switchboard.request.duration");

    @Test
    void everyMeterIsRegisteredAndMovesWithTraffic() {
        LocalWorker worker = LocalWorker.builder((req, ctx) -> Flux.just(req.payload(), req.payload()))
                .id("w1").build();
        Router router = Router.builder().worker(worker).build();
        Relay relay = Relay.builder().router(router).build();
        MeterRegistry registry = new SimpleMeterRegistry();
        try (MicrometerBinder binder = MicrometerBinder.builder(relay.metrics()).build()) {
            binder.bindTo(registry);
            Set<String> names = new TreeSet<>();
            registry.getMeters().forEach(m -> names.add(m.getId().getName()));
            assertTrue(names.containsAll(METERS), "missing: " + missing(names));
            assertEquals(1.0, registry.get("switchboard.ready").gauge().value());

            LocalConnection c = LocalConnection.reading();
            Disposable session = relay.serve(c).subscribe();
            for (int i = 0; i < 5; i++) {
                c.sendText("{\"id\":" + i + ",\"key\":\"k\",\"body\":\"x\"}");
            }
            c.sendText("not json");
            Await.until(Duration.ofSeconds(5), () -> c.received().size() >= 11, "eleven frames");

            assertEquals(6.0, registry.get("switchboard.requests").functionCounter().count());
            assertEquals(11.0, registry.get("switchboard.frames").functionCounter().count());
            assertEquals(5.0, registry.get("switchboard.routed").functionCounter().count());
            assertEquals(1.0, registry.get("switchboard.errors").tag("code", "bad_request").functionCounter().count());
            assertEquals(1.0, registry.get("switchboard.sessions").gauge().value());
            assertEquals(5, registry.get("switchboard.request.wait").timer().count());
            Timer served = registry.get("switchboard.worker.service").tags("worker", "w1", "outcome", "completed").timer();
            assertEquals(5, served.count());
            assertTrue(served.totalTime(TimeUnit.NANOSECONDS) > 0);
            // the bad request is answered too: six answers, each first frame no later than its last
            Timer first = registry.get("switchboard.request.first").timer();
            Timer whole = registry.get("switchboard.request.duration").timer();
            assertEquals(6, first.count());
            assertEquals(6, whole.count());
            assertTrue(whole.totalTime(TimeUnit.NANOSECONDS) >= first.totalTime(TimeUnit.NANOSECONDS));
            session.dispose();
        }
    }

    @Test
    void closingTheBinderStopsTheTimers() {
        LocalWorker worker = LocalWorker.builder((req, ctx) -> Flux.just(req.payload())).id("w1").build();
        Relay relay = Relay.builder().router(Router.builder().worker(worker).build()).build();
        MeterRegistry registry = new SimpleMeterRegistry();
        MicrometerBinder binder = MicrometerBinder.builder(relay.metrics()).build();
        binder.bindTo(registry);
        binder.close();
        LocalConnection c = LocalConnection.reading();
        relay.serve(c).subscribe();
        c.sendText("{\"id\":1,\"key\":\"k\"}");
        Await.until(Duration.ofSeconds(5), () -> c.received().size() >= 1, "the answer");
        assertEquals(0, registry.get("switchboard.request.wait").timer().count());
        assertEquals(1.0, registry.get("switchboard.routed").functionCounter().count());
    }

    @Test
    void workerTagsAreBounded() {
        MeterRegistry registry = new SimpleMeterRegistry();
        Router router = Router.builder().build();
        Relay relay = Relay.builder().router(router).build();
        MicrometerBinder.builder(relay.metrics()).build().bindTo(registry);
        // workers come and go, each serving one request: ids beyond the bound share one tag
        for (int i = 0; i < MicrometerBinder.MAX_WORKER_TAGS + 10; i++) {
            LocalWorker w = LocalWorker.builder((req, ctx) -> Flux.just(req.payload())).id("w" + i).build();
            router.membership().join(w);
            router.route(request("r" + i)).blockLast(Duration.ofSeconds(5));
            w.close();
            Await.until(Duration.ofSeconds(5), () -> router.stats().liveWorkers() == 0, "the worker leaves");
        }
        long tags = registry.getMeters().stream().map(Meter::getId)
                .filter(id -> id.getName().equals("switchboard.worker.service"))
                .map(id -> id.getTag("worker")).distinct().count();
        assertEquals(MicrometerBinder.MAX_WORKER_TAGS + 1, tags, "the bound's ids and 'other'");
        assertEquals(10, registry.get("switchboard.worker.service").tags("worker", "other", "outcome", "completed")
                .timer().count());
    }

    @Test
    void theWorkerTagBoundCanBeSetSmaller() {
        MeterRegistry registry = new SimpleMeterRegistry();
        Router router = Router.builder().build();
        Relay relay = Relay.builder().router(router).build();
        MicrometerBinder.builder(relay.metrics()).maxWorkerTags(2).build().bindTo(registry);
        for (int i = 0; i < 4; i++) {
            LocalWorker w = LocalWorker.builder((req, ctx) -> Flux.just(req.payload())).id("w" + i).build();
            router.membership().join(w);
            router.route(request("r" + i)).blockLast(Duration.ofSeconds(5));
            w.close();
            Await.until(Duration.ofSeconds(5), () -> router.stats().liveWorkers() == 0, "the worker leaves");
        }
        assertEquals(2, registry.get("switchboard.worker.service").tags("worker", "other", "outcome", "completed")
                .timer().count());
        assertThrows(IllegalArgumentException.class, () -> MicrometerBinder.builder(relay.metrics()).maxWorkerTags(0));
    }

    @Test
    void readinessFollowsWorkersAndTheWaitingBound() {
        Router router = Router.builder().maxWaiting(1).build();
        Relay relay = Relay.builder().router(router).build();
        Readiness none = relay.metrics().readiness();
        assertFalse(none.ready());
        assertEquals("no live worker", none.reason());
        LocalWorker worker = LocalWorker.builder((req, ctx) -> Flux.never()).id("w1").capacity(1).build();
        router.membership().join(worker);
        assertTrue(relay.metrics().readiness().ready());
        router.route(request("1")).subscribe(p -> { }, e -> { });
        router.route(request("2")).subscribe(p -> { }, e -> { });
        Readiness full = relay.metrics().readiness();
        assertFalse(full.ready(), full.reason());
        worker.close();
    }

    private static dev.switchboard.core.Request request(String id) {
        return dev.switchboard.core.Request.builder().id(dev.switchboard.core.RequestId.of(id)).key("k").build();
    }

    private static Set<String> missing(Set<String> names) {
        Set<String> m = new TreeSet<>(METERS);
        m.removeAll(names);
        return m;
    }
}
