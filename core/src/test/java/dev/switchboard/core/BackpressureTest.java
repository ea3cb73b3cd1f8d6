package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.metrics.MetricsSnapshot;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RoutingStrategies;
import dev.switchboard.core.routing.WorkerLoad;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.test.ManualWorker;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Full bounds stop the relay from reading its connections and from asking its workers for more. */
class BackpressureTest {

    private static int active(Router router) {
        return router.loads().stream().mapToInt(WorkerLoad::active).sum();
    }

    @Test
    void withEveryWorkerCreditTakenTheRelayRequestsNoMoreFramesThanMaxInFlightPlusOneForACancel() {
        ManualWorker w1 = ManualWorker.create("w1", 3);
        ManualWorker w2 = ManualWorker.create("w2", 5);
        // round robin puts request 0, the head of the line, on w1
        Router router = Router.builder().strategy(RoutingStrategies.roundRobin()).worker(w1).worker(w2).build();
        Relay relay = Relay.builder().router(router).maxInFlight(20).build();
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();

        for (int i = 0; i < 1_000; i++) {
            client.send(Wire.request(i, "k" + i, "null"));
        }

        // the frame beyond the limit, read so that a cancel could get through, holds request 20
        assertEquals(21, client.requestedFrames());
        assertEquals(3, w1.opened());
        assertEquals(5, w2.opened());
        assertEquals(8, active(router), "every credit taken");
        MetricsSnapshot s = relay.metrics().snapshot();
        assertEquals(12, s.waiting(), "the rest waits in the router");
        assertEquals(20, s.inFlight());
        assertEquals(21, s.requests());
        assertEquals(0, client.receivedCount());

        // one answer frees one credit (taken by a waiting request) and one place (taken by request
        // 20), so one more frame is read
        w1.exchanges().get(0).last("\"a\"");
        assertEquals(1, client.receivedCount());
        assertEquals(22, client.requestedFrames());
        assertEquals(4, w1.opened());
        assertEquals(8, active(router));
        assertEquals(12, relay.metrics().snapshot().waiting());
        assertEquals(20, relay.metrics().snapshot().inFlight());
    }

    @Test
    void twoSessionsEachReadNoMoreThanTheirOwnMaxInFlightPlusOne() {
        ManualWorker w = ManualWorker.create("w1", 2);
        Router router = Router.builder().worker(w).build();
        Relay relay = Relay.builder().router(router).maxInFlight(7).build();
        LocalConnection a = LocalConnection.reading();
        LocalConnection b = LocalConnection.reading();
        relay.serve(a).subscribe();
        relay.serve(b).subscribe();
        for (int i = 0; i < 100; i++) {
            a.send(Wire.request(i, "a", "null"));
            b.send(Wire.request(i, "b", "null"));
        }
        assertEquals(8, a.requestedFrames());
        assertEquals(8, b.requestedFrames());
        assertEquals(2, w.opened());
        assertEquals(12, relay.metrics().snapshot().waiting());
    }

    @Test
    void aSessionStartsNoMoreExchangesThanItsResponseQueueCanHold() {
        ManualWorker w = ManualWorker.create("w1", 100);
        Relay relay = Relay.builder().router(Router.builder().worker(w).build())
                .maxInFlight(50).maxQueuedResponses(4).build();
        LocalConnection client = LocalConnection.notReading();
        relay.serve(client).subscribe();
        for (int i = 0; i < 50; i++) {
            client.send(Wire.request(i, "k", "null"));
        }
        assertEquals(51, client.requestedFrames());
        // ORDERED: three permits for anyone, the last one kept for the head of the line
        assertEquals(3, w.opened());
        assertEquals(50, relay.metrics().snapshot().inFlight());

        client.read(Long.MAX_VALUE);
        for (int i = 0; i < 50; i++) {
            w.exchange(Integer.toString(i)).last(Integer.toString(i));
        }
        assertEquals(50, client.receivedCount());
        assertEquals(50, w.opened());
        assertEquals(0, relay.metrics().snapshot().inFlight());
    }

    @Test
    void aStreamingWorkerIsAskedForNoMoreItemsThanTheQueueHolds() {
        ManualWorker w = ManualWorker.create("w1", 1);
        int maxQueued = 4;
        Relay relay = Relay.builder().router(Router.builder().worker(w).build()).maxQueuedResponses(maxQueued).build();
        LocalConnection client = LocalConnection.notReading();
        relay.serve(client).subscribe();
        client.send(Wire.request(1, "k", "null"));
        ManualWorker.Exchange ex = w.exchanges().get(0);
        for (int i = 0; i < 1_000; i++) {
            ex.next(Integer.toString(i));
        }
        ex.complete();

        // the worker's items wait in the worker (its exchange buffer), not in the relay
        assertEquals(maxQueued, relay.metrics().snapshot().queuedResponses());
        assertEquals(maxQueued, ex.requested(), "a permit per queued frame, no item held back");

        client.read(10);
        assertEquals(10, client.receivedCount());
        assertEquals(maxQueued + 10, ex.requested());
        assertTrue(relay.metrics().snapshot().queuedResponses() <= maxQueued);

        client.read(Long.MAX_VALUE);
        List<Payload> frames = client.received();
        // the worker's end came after its last item: a frame of its own
        assertEquals(1_001, frames.size());
        for (int i = 0; i < 1_000; i++) {
            assertEquals("{\"id\":1,\"body\":" + i + "}", frames.get(i).utf8());
        }
        assertEquals("{\"id\":1,\"end\":true}", frames.get(1_000).utf8());
        assertEquals(0, relay.metrics().snapshot().inFlight());
    }

    @Test
    void aStreamThatCompletesWhileWaitingForRoomStaysWithinTheQueueBound() {
        ManualWorker w = ManualWorker.create("w1", 2);
        Relay relay = Relay.builder().router(Router.builder().worker(w).build())
                .ordering(Ordering.UNORDERED).maxQueuedResponses(1).build();
        LocalConnection client = LocalConnection.notReading();
        relay.serve(client).subscribe();
        client.send(Wire.request(1, "k", "null"));
        // a takes the only room; the stream waits for more before it asks its worker for anything
        w.exchange("1").next("\"a\"");
        assertEquals(1, relay.metrics().snapshot().queuedResponses());
        assertEquals(1, w.exchange("1").requested());
        // a stream may complete without demand: its end must still wait for room
        w.exchange("1").complete();
        assertEquals(1, relay.metrics().snapshot().queuedResponses(), "queued beyond maxQueuedResponses");

        client.read(Long.MAX_VALUE);
        assertEquals(List.of("{\"id\":1,\"body\":\"a\"}", "{\"id\":1,\"end\":true}"),
                client.received().stream().map(Payload::utf8).toList());
        client.send(Wire.request(2, "k", "null"));
        w.exchange("2").last("2");
        assertEquals(3, client.receivedCount(), "the session lost its room");
        assertEquals(0, relay.metrics().snapshot().inFlight());
        assertEquals(0, relay.metrics().snapshot().queuedResponses());
    }

    @Test
    void freedRoomGoesToARunningStreamBeforeARequestThatWouldWaitForACredit() {
        ManualWorker w = ManualWorker.create("w1", 1);
        Relay relay = Relay.builder().router(Router.builder().worker(w).build())
                .ordering(Ordering.UNORDERED).maxQueuedResponses(2).build();
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        client.send(Wire.request(1, "k", "null")); // room 1 of 2, the only credit
        client.send(Wire.request(2, "k", "null")); // room 2 of 2, waits for the credit
        client.send(Wire.request(3, "k", "null")); // no room: waits to start
        assertEquals(1, w.opened());

        // item b of request 1 finds no room and waits; the client reads a, which frees room.
        // Given to request 3, that room would wait for the credit request 1 holds: a deadlock.
        w.exchange("1").next("\"a\"").next("\"b\"").next("\"c\"");
        w.exchange("1").complete();
        assertEquals(List.of("{\"id\":1,\"body\":\"a\"}", "{\"id\":1,\"body\":\"b\"}",
                "{\"id\":1,\"body\":\"c\"}", "{\"id\":1,\"end\":true}"),
                client.received().stream().map(Payload::utf8).toList());
        w.exchange("2").complete();
        w.exchange("3").complete();
        assertEquals(6, client.receivedCount());
        assertEquals(0, relay.metrics().snapshot().inFlight());
    }
}
