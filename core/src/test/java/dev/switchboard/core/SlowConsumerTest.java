package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.metrics.MetricsSnapshot;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.test.ManualWorker;
import dev.switchboard.core.worker.LocalWorker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.test.scheduler.VirtualTimeScheduler;

/** A client that does not read its responses is bounded, then closed; one that reads is not. */
class SlowConsumerTest {

    private static final int MAX_IN_FLIGHT = 64;
    private static final int MAX_QUEUED = 16;
    private static final Duration SLOW_CONSUMER_TIMEOUT = Duration.ofSeconds(5);
    private static final int REQUESTS = 100_000;

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();

    @AfterEach
    void stopTime() {
        time.dispose();
    }

    private Relay relay(Router router, Ordering ordering) {
        return Relay.builder().router(router).ordering(ordering).maxInFlight(MAX_IN_FLIGHT)
                .maxQueuedResponses(MAX_QUEUED).slowConsumerTimeout(SLOW_CONSUMER_TIMEOUT)
                .requestTimeout(Duration.ofSeconds(60)).timer(time).build();
    }

    private static LocalWorker echo(String id) {
        return LocalWorker.builder((req, ctx) -> Flux.just(req.payload())).id(id).capacity(8).build();
    }

    @ParameterizedTest
    @EnumSource(Ordering.class)
    void clientThatSendsHundredThousandRequestsAndNeverReadsIsBoundedThenClosedWith1008(Ordering ordering) {
        LocalWorker worker = echo("w1");
        Relay relay = relay(Router.builder().worker(worker).build(), ordering);
        LocalConnection client = LocalConnection.notReading();
        AtomicBoolean ended = new AtomicBoolean();
        relay.serve(client).subscribe(null, null, () -> ended.set(true));

        long maxQueuedSeen = 0;
        for (int i = 0; i < REQUESTS; i++) {
            client.send(Wire.request(i, "k" + (i % 7), Integer.toString(i)));
            if (i % 1000 == 0) {
                maxQueuedSeen = Math.max(maxQueuedSeen, relay.metrics().snapshot().queuedResponses());
            }
        }

        MetricsSnapshot full = relay.metrics().snapshot();
        maxQueuedSeen = Math.max(maxQueuedSeen, full.queuedResponses());
        assertTrue(maxQueuedSeen <= MAX_QUEUED, "queued " + maxQueuedSeen + " > " + MAX_QUEUED);
        // ORDERED keeps the last permit for the head of the line, which has already answered
        assertEquals(ordering == Ordering.ORDERED ? MAX_QUEUED - 1 : MAX_QUEUED, full.queuedResponses());
        assertEquals(full.queuedResponses(), full.routed(), "a worker is asked only when its answer has room");
        assertEquals(0, client.receivedCount(), "nothing delivered to a client that does not read");
        assertEquals(0, full.frames());
        assertEquals(MAX_IN_FLIGHT + 1, client.requestedFrames(), "frames read beyond maxInFlight and a cancel's");
        assertEquals(MAX_IN_FLIGHT + 1, full.requests(), "the last waits, not started, beyond the limit");
        assertEquals(MAX_IN_FLIGHT, full.inFlight());
        assertEquals(0, worker.active());

        time.advanceTimeBy(SLOW_CONSUMER_TIMEOUT.minusMillis(1));
        assertEquals(Optional.empty(), client.closeStatus(), "closed before the slow-consumer timeout");
        assertEquals(1, relay.metrics().snapshot().sessions());

        time.advanceTimeBy(Duration.ofMillis(1));
        assertEquals(CloseStatus.POLICY_VIOLATION.code(), client.closeStatus().orElseThrow().code());
        assertTrue(ended.get(), "serve() completes once the session is closed");
        MetricsSnapshot after = relay.metrics().snapshot();
        assertEquals(1, after.slowConsumersClosed());
        assertEquals(0, after.sessions());
        assertEquals(0, after.queuedResponses());
        assertEquals(0, after.inFlight());
        assertEquals(MAX_IN_FLIGHT + 1, client.requestedFrames(), "no frame read after the close");
        assertEquals(0, client.receivedCount());
        assertEquals(0, after.workers().get(0).active());
    }

    @Test
    void clientThatStopsReadingGetsExactlyWhatItAskedForAndIsClosedAfterItsLastRead() {
        Relay relay = relay(Router.builder().worker(echo("w1")).build(), Ordering.ORDERED);
        LocalConnection client = LocalConnection.notReading();
        relay.serve(client).subscribe();
        for (int i = 0; i < 1_000; i++) {
            client.send(Wire.request(i, "k", Integer.toString(i)));
        }
        time.advanceTimeBy(Duration.ofSeconds(4));
        client.read(5);

        assertEquals(List.of("0", "1", "2", "3", "4"), Wire.ids(client.received()));
        MetricsSnapshot s = relay.metrics().snapshot();
        assertTrue(s.queuedResponses() <= MAX_QUEUED, "queued " + s.queuedResponses());
        assertEquals(MAX_IN_FLIGHT + 1 + 5, client.requestedFrames(), "each answered request frees one frame");

        // the timeout counts from the last read, not from the first unread frame; the sweep runs
        // every quarter of the timeout, so the close comes within a quarter after it
        time.advanceTimeBy(SLOW_CONSUMER_TIMEOUT.minusMillis(1));
        assertEquals(Optional.empty(), client.closeStatus());
        time.advanceTimeBy(SLOW_CONSUMER_TIMEOUT.dividedBy(4).plusMillis(1));
        assertEquals(CloseStatus.POLICY_VIOLATION.code(), client.closeStatus().orElseThrow().code());
        assertEquals(5, client.receivedCount());
    }

    @Test
    void clientReadingInBatchesGetsAllHundredThousandResponsesInOrderWithinTheBounds() {
        Relay relay = relay(Router.builder().worker(echo("w1")).worker(echo("w2")).build(), Ordering.ORDERED);
        LocalConnection client = LocalConnection.notReading();
        relay.serve(client).subscribe();
        for (int i = 0; i < REQUESTS; i++) {
            client.send(Wire.request(i, "k", Integer.toString(i)));
        }
        int batch = 500;
        for (int read = 0; read < REQUESTS; read += batch) {
            MetricsSnapshot s = relay.metrics().snapshot();
            assertTrue(s.queuedResponses() <= MAX_QUEUED, "queued " + s.queuedResponses());
            assertTrue(s.inFlight() <= MAX_IN_FLIGHT, "in flight " + s.inFlight());
            assertTrue(client.requestedFrames() <= read + MAX_IN_FLIGHT + 1,
                    "requested " + client.requestedFrames() + " after " + read + " answers");
            client.read(batch);
            assertEquals(read + batch, client.receivedCount());
        }
        List<Payload> received = client.received();
        for (int i = 0; i < REQUESTS; i++) {
            assertEquals("{\"id\":" + i + ",\"body\":" + i + ",\"end\":true}", received.get(i).utf8());
        }
        MetricsSnapshot s = relay.metrics().snapshot();
        assertEquals(REQUESTS, s.frames());
        assertEquals(0, s.inFlight());
        assertEquals(0, s.queuedResponses());
        assertEquals(Optional.empty(), client.closeStatus());
    }

    @Test
    void readingClientIsNotClosedWhileTheHeadOfLineIsSlowerThanTheSlowConsumerTimeout() {
        ManualWorker worker = ManualWorker.create("w1", 4);
        Relay relay = relay(Router.builder().worker(worker).build(), Ordering.ORDERED);
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        client.send(Wire.request(1, "k", "1"));
        client.send(Wire.request(2, "k", "2"));
        worker.exchange("2").last("2");

        // request 2's answer waits behind request 1: the client reads all it can, it is not slow
        time.advanceTimeBy(SLOW_CONSUMER_TIMEOUT.multipliedBy(3));
        assertEquals(Optional.empty(), client.closeStatus(), "a reading client was closed as slow");
        assertEquals(0, client.receivedCount());

        worker.exchange("1").last("1");
        assertEquals(List.of("1", "2"), Wire.ids(client.received()));
        assertEquals(0, relay.metrics().snapshot().slowConsumersClosed());
    }
}
