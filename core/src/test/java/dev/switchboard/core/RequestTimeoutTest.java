package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.WorkerLoad;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.test.ManualWorker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

/** A request whose next item does not come within the request timeout is answered {@code timeout}. */
class RequestTimeoutTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** The sweep runs every quarter of the shortest timeout. */
    private static final Duration SWEEP = TIMEOUT.dividedBy(4);

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    private final ManualWorker worker = ManualWorker.create("w1", 2);
    private final Router router = Router.builder().worker(worker).build();
    private final Relay relay = Relay.builder().router(router).requestTimeout(TIMEOUT).timer(time).build();
    private final LocalConnection client = LocalConnection.reading();

    @AfterEach
    void stopTime() {
        time.dispose();
    }

    private int active() {
        return router.loads().stream().mapToInt(WorkerLoad::active).sum();
    }

    @Test
    void requestWithoutAnswerWithinTheTimeoutYieldsTimeoutAndReturnsItsCredit() {
        relay.serve(client).subscribe();
        client.send(Wire.request(1, "k", "null"));
        time.advanceTimeBy(TIMEOUT.minusMillis(100));
        client.send(Wire.request(2, "k", "null"));
        assertEquals(0, client.receivedCount());

        time.advanceTimeBy(Duration.ofMillis(100));
        assertEquals(List.of("1"), Wire.ids(client.received()));
        assertEquals("timeout", Wire.errorCode(client.received().get(0)));
        assertTrue(worker.exchange("1").cancelled(), "the worker's exchange was cancelled");
        assertEquals(1, active(), "request 1's credit is back, request 2 still holds its own");

        worker.exchange("1").last("\"late\"");
        worker.exchange("2").last("2");
        assertEquals(List.of("1", "2"), Wire.ids(client.received()), "a late answer is dropped");
        assertEquals(1L, relay.metrics().snapshot().errors().get("timeout"));
        assertEquals(0, relay.metrics().snapshot().inFlight());
        assertEquals(Optional.empty(), client.closeStatus());
    }

    @Test
    void timeoutCountsFromTheLastItemOfAStream() {
        relay.serve(client).subscribe();
        client.send(Wire.request(1, "k", "null"));
        time.advanceTimeBy(Duration.ofMillis(1_500));
        worker.exchange("1").next("10");
        assertEquals(1, client.receivedCount(), "the item goes at once");
        time.advanceTimeBy(TIMEOUT.minusMillis(1));
        assertEquals(1, client.receivedCount());

        time.advanceTimeBy(SWEEP);
        assertEquals(List.of("{\"id\":1,\"body\":10}"), client.received().subList(0, 1).stream().map(Payload::utf8).toList());
        assertEquals("timeout", Wire.errorCode(client.received().get(1)));
        assertEquals(2, client.receivedCount());
        assertEquals(0, active());
    }

    @Test
    void requestWaitingForACreditTimesOutAndLeavesTheQueue() {
        relay.serve(client).subscribe();
        for (int i = 1; i <= 3; i++) {
            client.send(Wire.request(i, "k", "null"));
        }
        assertEquals(1, relay.metrics().snapshot().waiting());
        time.advanceTimeBy(TIMEOUT);
        assertEquals(3, client.receivedCount());
        client.received().forEach(f -> assertEquals("timeout", Wire.errorCode(f)));
        assertEquals(0, relay.metrics().snapshot().waiting());
        assertEquals(0, active());
        assertEquals(2, worker.opened(), "the waiting request never reached the worker");
    }
}
