package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/** A client cancels what it no longer needs: that request ends at once, and only that one. */
class CancelFrameTest {

    private static int active(Router router) {
        return router.loads().stream().mapToInt(WorkerLoad::active).sum();
    }

    private static List<String> texts(LocalConnection client) {
        return client.received().stream().map(Payload::utf8).toList();
    }

    private static long errors(Relay relay) {
        return relay.metrics().snapshot().errors().values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void cancellingOneOfSeveralRequestsEndsOnlyItAndItsCreditServesTheWaitingRequestAtOnce() {
        ManualWorker w = ManualWorker.create("w1", 3);
        Router router = Router.builder().worker(w).build();
        Relay relay = Relay.builder().router(router).build();
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        for (int i = 1; i <= 4; i++) {
            client.send(Wire.request(i, "k", "null"));
        }
        assertEquals(3, w.opened());
        assertEquals(1, relay.metrics().snapshot().waiting(), "request 4 waits for a credit");
        // request 2 answers before request 1, the head of the line: its items wait in the relay
        w.exchange("2").next("\"a\"").next("\"b\"");
        assertEquals(2, relay.metrics().snapshot().queuedResponses());

        client.send(Wire.cancel(2));

        assertTrue(w.exchange("2").cancelled());
        assertEquals(4, w.opened(), "the credit request 2 held went to the waiting request at once");
        assertEquals(0, relay.metrics().snapshot().waiting());
        assertEquals(3, active(router));
        MetricsSnapshot afterCancel = relay.metrics().snapshot();
        assertEquals(3, afterCancel.inFlight());
        assertEquals(0, afterCancel.queuedResponses(), "request 2's undelivered frames are dropped");

        w.exchange("2").last("\"c\""); // too late: the exchange is cancelled
        for (String id : List.of("1", "3", "4")) {
            w.exchange(id).last(id);
        }
        assertEquals(List.of("{\"id\":1,\"body\":1,\"end\":true}", "{\"id\":3,\"body\":3,\"end\":true}",
                "{\"id\":4,\"body\":4,\"end\":true}"), texts(client));
        MetricsSnapshot end = relay.metrics().snapshot();
        assertEquals(0, end.inFlight());
        assertEquals(0, end.queuedResponses());
        assertEquals(0, active(router));
        assertEquals(4, end.requests(), "a cancel is not a request");
        assertEquals(0, errors(relay), "a cancelled request is not an error");
    }

    @Test
    void aCancelledStreamGetsNoFrameAfterTheCancelAndItsLocalWorkerCreditReturnsAtOnce() {
        Map<String, Sinks.Many<Payload>> streams = new ConcurrentHashMap<>();
        LocalWorker worker = LocalWorker.builder((req, ctx) -> streams.computeIfAbsent(req.id().toString(),
                id -> Sinks.many().unicast().onBackpressureBuffer()).asFlux()).id("w1").capacity(2).build();
        Relay relay = Relay.builder().router(Router.builder().worker(worker).build())
                .ordering(Ordering.UNORDERED).build();
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        client.send(Wire.request(1, "k", "null"));
        client.send(Wire.request(2, "k", "null"));
        assertEquals(2, worker.active());
        // each item goes out as the handler emits it
        streams.get("1").tryEmitNext(Payload.json("\"a\""));
        streams.get("1").tryEmitNext(Payload.json("\"b\""));
        assertEquals(List.of("{\"id\":1,\"body\":\"a\"}", "{\"id\":1,\"body\":\"b\"}"), texts(client));

        client.send(Wire.cancel(1));

        assertEquals(1, worker.active(), "the credit returns before the cancel frame is done with");
        assertEquals(Sinks.EmitResult.FAIL_CANCELLED, streams.get("1").tryEmitNext(Payload.json("\"c\"")),
                "the handler's stream is cancelled");
        client.send(Wire.request(3, "k", "null"));
        assertEquals(2, worker.active(), "request 3 runs on the returned credit");
        streams.get("2").tryEmitNext(Payload.json("2"));
        streams.get("2").tryEmitComplete();
        streams.get("3").tryEmitComplete();
        // the handler's end came after its item: a frame of its own
        assertEquals(List.of("{\"id\":1,\"body\":\"a\"}", "{\"id\":1,\"body\":\"b\"}", "{\"id\":2,\"body\":2}",
                "{\"id\":2,\"end\":true}", "{\"id\":3,\"end\":true}"), texts(client),
                "nothing more for request 1, not even an end");
        assertEquals(0, worker.active());
        assertEquals(0, relay.metrics().snapshot().inFlight());
        assertEquals(0, relay.metrics().snapshot().queuedResponses());
    }

    @Test
    void aClientAtItsInFlightLimitCanStillCancel() {
        ManualWorker w = ManualWorker.create("w1", 10);
        Relay relay = Relay.builder().router(Router.builder().worker(w).build()).maxInFlight(2).build();
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        client.send(Wire.request(1, "k", "null"));
        client.send(Wire.request(2, "k", "null"));
        assertEquals(2, relay.metrics().snapshot().inFlight());
        assertEquals(3, client.requestedFrames(), "at the limit, one frame more is asked for: room for a cancel");

        client.send(Wire.cancel(1));

        assertTrue(w.exchange("1").cancelled(), "the cancel was read at the limit");
        assertEquals(1, relay.metrics().snapshot().inFlight());
        assertEquals(5, client.requestedFrames(), "a frame for the cancel's own, one for the place it freed");

        // a request read beyond the limit waits, not started, until a place frees
        client.send(Wire.request(3, "k", "null"));
        client.send(Wire.request(4, "k", "null"));
        client.send(Wire.request(5, "k", "null"));
        assertEquals(3, w.opened(), "requests 1, 2 and 3");
        assertEquals(2, relay.metrics().snapshot().inFlight());
        assertEquals(5, client.requestedFrames(), "nothing read after request 4 until a place frees");

        w.exchange("2").last("2");
        assertEquals(4, w.opened(), "request 4 took request 2's place");
        assertEquals(6, client.requestedFrames(), "request 5 was read, and waits");

        // a client that sent more than its limit: its cancel waits behind the request that waits
        client.send(Wire.cancel(4));
        assertFalse(w.exchange("4").cancelled());
        w.exchange("3").last("3");
        assertEquals(5, w.opened(), "request 5 took request 3's place");
        assertTrue(w.exchange("4").cancelled(), "then the cancel was read");
        w.exchange("5").last("5");
        assertEquals(List.of("{\"id\":2,\"body\":2,\"end\":true}", "{\"id\":3,\"body\":3,\"end\":true}",
                "{\"id\":5,\"body\":5,\"end\":true}"), texts(client));
        assertEquals(0, relay.metrics().snapshot().inFlight());
    }

    @Test
    void aCancelForAnIdNotInFlightIsIgnoredSilently() {
        ManualWorker w = ManualWorker.create("w1", 4);
        Relay relay = Relay.builder().router(Router.builder().worker(w).build()).build();
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        client.send(Wire.request(1, "k", "null"));
        w.exchange("1").last("1");
        client.send(Wire.request(2, "k", "null"));

        client.send(Wire.cancel(1)); // answered already: the answer and the cancel crossed
        client.send(Wire.cancel(99)); // never sent
        client.sendText("{\"id\":\"2\",\"cancel\":true}"); // the string "2" is not the number 2

        assertFalse(w.exchange("2").cancelled());
        assertEquals(1, client.receivedCount(), "no answer to an ignored cancel");
        w.exchange("2").last("2");
        assertEquals(List.of("{\"id\":1,\"body\":1,\"end\":true}", "{\"id\":2,\"body\":2,\"end\":true}"),
                texts(client));
        MetricsSnapshot s = relay.metrics().snapshot();
        assertEquals(0, errors(relay));
        assertEquals(2, s.requests());
        assertEquals(0, s.inFlight());
        assertEquals(Relay.DEFAULT_MAX_IN_FLIGHT + 1 + 2 + 3, client.requestedFrames(),
                "each answered request and each cancel frame gives its frame back");
    }

    @Test
    void aMalformedCancelIsABadRequestAndCancelsNothing() {
        ManualWorker w = ManualWorker.create("w1", 4);
        Relay relay = Relay.builder().router(Router.builder().worker(w).build()).build();
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        client.send(Wire.request(5, "k", "null"));

        client.sendText("{\"id\":5,\"cancel\":\"yes\"}");
        client.sendText("{\"cancel\":true}");
        client.sendText("{\"id\":5,\"cancel\":false}");

        assertFalse(w.exchange("5").cancelled());
        w.exchange("5").last("5");
        List<Payload> frames = client.received();
        assertEquals(List.of("5", "5", "null", "5"), Wire.ids(frames), "errors wait their turn behind request 5");
        assertEquals("{\"id\":5,\"body\":5,\"end\":true}", frames.get(0).utf8());
        for (Payload f : frames.subList(1, 4)) {
            assertEquals("bad_request", Wire.errorCode(f));
        }
        assertEquals("\"cancel\" must be true", Wire.json(frames.get(1)).get("error").get("message").asText());
        assertEquals("missing field \"id\"", Wire.json(frames.get(2)).get("error").get("message").asText());
        assertEquals(3, relay.metrics().snapshot().errors().get("bad_request"));
        assertEquals(0, relay.metrics().snapshot().inFlight());
    }

    @Test
    void aCancelledRequestThatWaitsForRoomOrForACreditNeverReachesAWorker() {
        ManualWorker w = ManualWorker.create("w1", 1);
        // ORDERED with room for 3 frames: 2 for anyone, the last kept for the head of the line
        Relay relay = Relay.builder().router(Router.builder().worker(w).build()).maxQueuedResponses(3).build();
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        client.send(Wire.request(1, "k", "null")); // runs on the only credit
        client.send(Wire.request(2, "k", "null")); // waits in the router for the credit
        client.send(Wire.request(3, "k", "null")); // waits in the session for room
        assertEquals(1, w.opened());
        assertEquals(1, relay.metrics().snapshot().waiting());

        client.send(Wire.cancel(3));
        assertEquals(1, relay.metrics().snapshot().waiting(), "request 3 never reached the router");
        client.send(Wire.cancel(2));
        assertEquals(0, relay.metrics().snapshot().waiting(), "request 2 left the router's queue");

        w.exchange("1").complete();
        assertEquals(1, w.opened());
        assertEquals(List.of("{\"id\":1,\"end\":true}"), texts(client));
        assertEquals(0, relay.metrics().snapshot().inFlight());
    }

    @Test
    void aCancelEndsEveryRequestInFlightWithThatId() {
        ManualWorker w = ManualWorker.create("w1", 4);
        Relay relay = Relay.builder().router(Router.builder().worker(w).build()).build();
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        client.send(Wire.request(7, "k", "null"));
        client.send(Wire.request(7, "k", "null"));
        client.send(Wire.request(8, "k", "null"));

        client.send(Wire.binaryRequest("{\"id\":7,\"cancel\":true}", new byte[0]));

        List<ManualWorker.Exchange> opened = w.exchanges();
        assertTrue(opened.get(0).cancelled() && opened.get(1).cancelled(), "both requests 7, by a binary cancel");
        assertFalse(opened.get(2).cancelled());
        opened.get(2).complete();
        assertEquals(List.of("{\"id\":8,\"end\":true}"), texts(client));
    }

    @Test
    void cancelsRacingAnswersOnOtherThreadsLeakNoCreditPermitOrCounter() {
        AtomicInteger handled = new AtomicInteger();
        List<LocalWorker> workers = List.of(worker("w1", handled), worker("w2", handled));
        Router.Builder rb = Router.builder().strategy(RoutingStrategies.leastLoaded());
        workers.forEach(rb::worker);
        Router router = rb.build();
        Relay relay = Relay.builder().router(router).maxInFlight(8).maxQueuedResponses(4).build();

        for (int round = 0; round < 100; round++) {
            LocalConnection client = LocalConnection.reading();
            relay.serve(client).subscribe();
            for (int i = 0; i < 40; i++) {
                client.send(Wire.request(i, "k" + (i % 5), Integer.toString(i)));
                if (i % 3 == 2) {
                    client.send(Wire.cancel(i - 1));
                }
            }
            // every request not cancelled is answered in full: no permit or place was lost
            Await.until(Duration.ofSeconds(5), () -> endsOf(client) == 40 - 13,
                    () -> "answered " + endsOf(client) + ": " + relay.metrics().snapshot());
            client.vanish();
        }

        Await.until(Duration.ofSeconds(5), () -> {
            MetricsSnapshot s = relay.metrics().snapshot();
            return s.sessions() == 0 && s.inFlight() == 0 && s.queuedResponses() == 0 && s.waiting() == 0
                    && active(router) == 0 && workers.stream().allMatch(w -> w.active() == 0);
        }, () -> "leaked: " + relay.metrics().snapshot());
        assertTrue(handled.get() > 0);
        assertEquals(0, errors(relay));
    }

    /** End frames for requests that were not cancelled (their ids are not 1 more than a multiple of 3). */
    private static long endsOf(LocalConnection client) {
        return client.received().stream().filter(Wire::end)
                .filter(f -> Wire.json(f).get("id").asLong() % 3 != 1).count();
    }

    private static LocalWorker worker(String id, AtomicInteger handled) {
        return LocalWorker.builder((req, ctx) -> Mono.fromSupplier(() -> {
            handled.incrementAndGet();
            return req.payload();
        }).subscribeOn(Schedulers.parallel()).flux().concatWith(Flux.just(req.payload())))
                .id(id).capacity(3).build();
    }
}
