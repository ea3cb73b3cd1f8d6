package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.metrics.MetricsSnapshot;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RoutingStrategies;
import dev.switchboard.core.routing.WorkerLoad;
import dev.switchboard.core.test.Await;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.test.ManualWorker;
import dev.switchboard.core.worker.LocalWorker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** A client that goes away frees everything it held: requests, credits, queue places, counters. */
class CancellationTest {

    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    private static int active(Router router) {
        return router.loads().stream().mapToInt(WorkerLoad::active).sum();
    }

    @Test
    void closingClientWithHundredRequestsInFlightCancelsThemAndReturnsEveryCredit() {
        ManualWorker w1 = ManualWorker.create("w1", 60);
        ManualWorker w2 = ManualWorker.create("w2", 60);
        Router router = Router.builder().worker(w1).worker(w2).build();
        Relay relay = Relay.builder().router(router).maxInFlight(128).build();
        LocalConnection client = LocalConnection.reading();
        AtomicBoolean ended = new AtomicBoolean();
        relay.serve(client).subscribe(null, null, () -> ended.set(true));
        for (int i = 0; i < 100; i++) {
            client.send(Wire.request(i, "k" + i, "null"));
        }
        assertEquals(100, w1.opened() + w2.opened());
        assertEquals(100, active(router));
        assertEquals(100, relay.metrics().snapshot().inFlight());

        client.vanish();

        Await.until(ONE_SECOND, () -> active(router) == 0 && w1.cancelledCount() + w2.cancelledCount() == 100,
                () -> "credits still taken: " + router.loads());
        assertEquals(100, w1.cancelledCount() + w2.cancelledCount());
        assertTrue(ended.get());
        MetricsSnapshot s = relay.metrics().snapshot();
        assertEquals(0, s.inFlight());
        assertEquals(0, s.sessions());
        assertEquals(0, s.waiting());
        assertEquals(0, s.queuedResponses());
    }

    @Test
    void closingClientAlsoFreesTheRequestsWaitingForCreditsWithoutStartingThem() {
        ManualWorker w = ManualWorker.create("w1", 40);
        Router router = Router.builder().worker(w).build();
        Relay relay = Relay.builder().router(router).maxInFlight(100).build();
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        for (int i = 0; i < 100; i++) {
            client.send(Wire.request(i, "k", "null"));
        }
        assertEquals(40, w.opened());
        assertEquals(60, relay.metrics().snapshot().waiting());

        client.vanish();

        Await.until(ONE_SECOND, () -> active(router) == 0 && relay.metrics().snapshot().waiting() == 0,
                () -> "not freed: " + relay.metrics().snapshot());
        assertEquals(40, w.opened(), "a waiting request of a closed session reached the worker");
        assertEquals(40, w.cancelledCount());
    }

    @Test
    void cancellingServeClosesWithGoingAwayAndFreesEverything() {
        ManualWorker w = ManualWorker.create("w1", 10);
        Router router = Router.builder().worker(w).build();
        Relay relay = Relay.builder().router(router).build();
        LocalConnection client = LocalConnection.reading();
        Disposable session = relay.serve(client).subscribe();
        for (int i = 0; i < 20; i++) {
            client.send(Wire.request(i, "k", "null"));
        }
        session.dispose();
        assertEquals(CloseStatus.GOING_AWAY.code(), client.closeStatus().orElseThrow().code());
        assertEquals(10, w.cancelledCount());
        assertEquals(0, active(router));
        assertEquals(0, relay.metrics().snapshot().inFlight());
        assertEquals(0, relay.metrics().snapshot().waiting());
    }

    @Test
    void clientsVanishingWhileWorkersAnswerOnOtherThreadsLeakNoCreditOrCounter() {
        AtomicInteger handled = new AtomicInteger();
        List<LocalWorker> workers = List.of(
                worker("w1", handled), worker("w2", handled), worker("w3", handled));
        Router.Builder rb = Router.builder().strategy(RoutingStrategies.leastLoaded());
        workers.forEach(rb::worker);
        Router router = rb.build();
        Relay relay = Relay.builder().router(router).maxInFlight(16).maxQueuedResponses(8).build();

        for (int round = 0; round < 200; round++) {
            LocalConnection client = round % 2 == 0 ? LocalConnection.reading() : LocalConnection.notReading();
            relay.serve(client).subscribe();
            for (int i = 0; i < 40; i++) {
                client.send(Wire.request(i, "k" + (i % 5), Integer.toString(i)));
            }
            client.read(round % 7);
            client.vanish();
        }

        Await.until(Duration.ofSeconds(5), () -> {
            MetricsSnapshot s = relay.metrics().snapshot();
            return s.sessions() == 0 && s.inFlight() == 0 && s.queuedResponses() == 0 && s.waiting() == 0
                    && active(router) == 0 && workers.stream().allMatch(w -> w.active() == 0);
        }, () -> "leaked: " + relay.metrics().snapshot() + " workers " + workers.stream().map(LocalWorker::active).toList());
        assertTrue(handled.get() > 0);
    }

    private static LocalWorker worker(String id, AtomicInteger handled) {
        return LocalWorker.builder((req, ctx) -> Mono.fromSupplier(() -> {
            handled.incrementAndGet();
            return req.payload();
        }).subscribeOn(Schedulers.parallel()).flux().concatWith(Flux.just(req.payload())))
                .id(id).capacity(3).build();
    }
}
