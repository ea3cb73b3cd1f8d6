package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.test.ManualWorker;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;

/** An exchange's rules: one terminal answer, one item at a time and only with a permit, cancels. */
class ExchangeTest {

    private PipelineFixture fixture = new PipelineFixture(Ordering.UNORDERED, 4, 4, true).start();

    @AfterEach
    void close() {
        fixture.close();
    }

    private PipelineFixture fixture(int maxQueued, boolean reading) {
        fixture.close();
        fixture = new PipelineFixture(Ordering.UNORDERED, 4, maxQueued, reading).start();
        return fixture;
    }

    /** An exchange of request {@code id}, admitted and routed to the fixture's worker. */
    private Exchange admitted(long id) {
        Exchange ex = fixture.exchange(id);
        fixture.pipeline.admit(ex);
        return ex;
    }

    private ManualWorker.Exchange atWorker(long id) {
        return fixture.worker.exchange(Long.toString(id));
    }

    private List<Payload> received() {
        return fixture.client.received();
    }

    private long errors(ErrorCode code) {
        return fixture.relay.snapshot().errors().get(code.wireName());
    }

    @Test
    void anErrorAfterTheLastItemIsDropped() {
        Exchange ex = admitted(1);
        atWorker(1).last("1");
        ex.onError(new IllegalStateException("a link that signals after its end"));
        ex.fail(new RelayException(ErrorCode.TIMEOUT, "late"));
        assertEquals(1, received().size());
        assertTrue(Wire.end(received().get(0)));
        assertEquals(0, errors(ErrorCode.WORKER_FAILED) + errors(ErrorCode.TIMEOUT));
    }

    @Test
    void theEndAfterAnErrorIsDroppedAndTheErrorCountedOnce() {
        Exchange ex = admitted(1);
        ex.fail(new RelayException(ErrorCode.TIMEOUT, "no response within 2000 ms"));
        ex.fail(new RelayException(ErrorCode.TIMEOUT, "no response within 2000 ms"));
        atWorker(1).last("1");
        ex.onComplete();
        assertEquals(List.of("1"), Wire.ids(received()));
        assertEquals("timeout", Wire.errorCode(received().get(0)));
        assertEquals(1, errors(ErrorCode.TIMEOUT));
    }

    @Test
    void aWorkersOwnExceptionIsAnsweredWithoutItsText() {
        Exchange failed = admitted(1);
        Exchange late = admitted(2);
        failed.onError(new IllegalStateException("secret: /srv/slides/42.tif"));
        late.onError(new TimeoutException("the link's own timeout"));
        assertEquals(List.of("worker_failed", "timeout"), received().stream().map(Wire::errorCode).toList());
        String text = received().get(0).utf8();
        assertTrue(text.contains(RelayException.WORKER_FAILED_MESSAGE), text);
        assertFalse(text.contains("secret"), text);
        assertTrue(received().get(1).utf8().contains("no response in time"));
    }

    @Test
    void aCancelledExchangeIgnoresItsWorkersError() {
        Exchange ex = admitted(1);
        ex.cancelUpstream();
        assertTrue(atWorker(1).cancelled());
        ex.onError(new IllegalStateException("cancelled"));
        assertEquals(List.of(), received());
        assertEquals(0, errors(ErrorCode.WORKER_FAILED));
    }

    @Test
    void aCancelBeforeTheWorkerSubscribesCancelsOnSubscribe() {
        Recording early = new Recording();
        Exchange cancelledFirst = fixture.exchange(1);
        cancelledFirst.cancelUpstream();
        cancelledFirst.onSubscribe(early);
        assertTrue(early.cancelled.get());
        assertEquals(0, early.requested.get());

        Recording normal = new Recording();
        fixture.exchange(2).onSubscribe(normal);
        assertFalse(normal.cancelled.get());
        assertEquals(1, normal.requested.get(), "one item at a time");
    }

    @Test
    void theNextItemIsAskedForOnlyWithAPermit() {
        fixture(2, false);
        Exchange ex = admitted(1);
        assertEquals(1, atWorker(1).requested());
        atWorker(1).next("1");
        assertEquals(2, atWorker(1).requested(), "the first frame keeps its permit, the second is free");
        atWorker(1).next("2");
        assertEquals(2, atWorker(1).requested(), "both permits are held by queued frames");
        assertTrue(ex.parked);

        fixture.client.read(1);
        assertEquals(3, atWorker(1).requested(), "a frame went out: its permit goes to the parked stream");
        assertFalse(ex.parked);
    }

    @Test
    void theEndOfAParkedStreamWaitsForAPermitThenGoesOut() {
        fixture(1, false);
        Exchange ex = admitted(1);
        atWorker(1).next("1");
        atWorker(1).complete();
        assertNotNull(ex.pendingTerminal, "no permit: the end waits");
        assertFalse(ex.finished);
        assertEquals(1, ex.frames.size());

        fixture.client.read(2);
        assertEquals(2, received().size());
        assertFalse(Wire.end(received().get(0)));
        assertTrue(Wire.end(received().get(1)));
        assertTrue(ex.finished);
        assertEquals(1, atWorker(1).requested(), "a stream's end needs no demand");
    }

    @Test
    void cancelReturnsThePermitToTheNextRequestAndTheCreditToTheWorker() {
        fixture(1, false);
        fixture.client.send(Wire.request(1, "k", "null"));
        atWorker(1).next("1");
        fixture.client.send(Wire.request(2, "k", "null"));
        assertEquals(1, fixture.worker.opened(), "request 2 waits for the permit request 1's frame holds");

        fixture.client.send(Wire.cancel(1));
        assertTrue(atWorker(1).cancelled());
        assertEquals(2, fixture.worker.opened(), "request 1's permit went to request 2");
        atWorker(2).last("2");
        fixture.client.read(Long.MAX_VALUE);
        assertEquals(List.of("2"), Wire.ids(received()), "request 1's queued frame was dropped");
        assertEquals(0, fixture.relay.snapshot().queuedResponses());
        assertEquals(0, fixture.relay.snapshot().inFlight());
    }

    /** A subscription that notes what it was asked. */
    private static final class Recording implements Subscription {
        final AtomicLong requested = new AtomicLong();
        final AtomicBoolean cancelled = new AtomicBoolean();

        @Override
        public void request(long n) {
            requested.addAndGet(n);
        }

        @Override
        public void cancel() {
            cancelled.set(true);
        }
    }
}
