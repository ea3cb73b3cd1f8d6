package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The outbound queue's order, counts and demand, and its stall clock on virtual time. */
class OutboundQueueTest {

    private static final Duration SLOW = PipelineFixture.SLOW_CONSUMER_TIMEOUT;

    private final PipelineFixture fixture = new PipelineFixture(Ordering.UNORDERED, 16, 16, true);
    private final ArrayDeque<Exchange> line = new ArrayDeque<>();
    private final LongAdder gauge = new LongAdder();
    private final SessionTimers clock = new SessionTimers(fixture.time, PipelineFixture.REQUEST_TIMEOUT, SLOW);

    @AfterEach
    void close() {
        fixture.close();
    }

    private OutboundQueue queue(Ordering ordering) {
        return new OutboundQueue(ordering == Ordering.ORDERED, line, gauge, clock);
    }

    private Exchange inLine(long id) {
        Exchange ex = fixture.running(id);
        line.add(ex);
        return ex;
    }

    private static Payload frame(long id) {
        return Payload.text("{\"id\":" + id + "}");
    }

    private void advance(Duration d) {
        fixture.time.advanceTimeBy(d);
    }

    /** The client is slow exactly the slow-consumer timeout after the clock started. */
    private void assertSlowAfterTheTimeout(OutboundQueue queue, String message) {
        advance(SLOW.minusMillis(1));
        assertFalse(queue.slow(clock.now()), message);
        advance(Duration.ofMillis(1));
        assertTrue(queue.slow(clock.now()), message);
    }

    @Test
    void stallClockRunsOnlyWhileAFrameIsDeliverableAndTheClientAsksForNone() {
        OutboundQueue queue = queue(Ordering.UNORDERED);
        queue.watchStall(false);
        advance(SLOW.multipliedBy(3));
        assertFalse(queue.slow(clock.now()), "nothing to deliver: the client is not slow");

        queue.enqueue(inLine(1), frame(1));
        queue.watchStall(false);
        advance(SLOW.minusSeconds(1));
        queue.watchStall(false);
        advance(Duration.ofSeconds(1));
        assertTrue(queue.slow(clock.now()), "a later drain step does not restart the clock");
    }

    @Test
    void aFrameThatGoesOutStopsTheClockAndTheNextStallStartsItAfresh() {
        OutboundQueue queue = queue(Ordering.UNORDERED);
        Exchange ex = inLine(1);
        queue.enqueue(ex, frame(1));
        queue.enqueue(ex, frame(2));
        queue.watchStall(false);
        advance(SLOW.minusSeconds(1));

        queue.request(1);
        assertSame(ex, queue.next());
        assertEquals(frame(1).utf8(), queue.take(ex).utf8());
        queue.watchStall(true);
        advance(SLOW.multipliedBy(2));
        assertFalse(queue.slow(clock.now()), "delivered: the clock stopped");

        queue.watchStall(false);
        assertSlowAfterTheTimeout(queue, "the clock started again from this stall");
    }

    @Test
    void orderedFrameBehindASlowHeadOfTheLineDoesNotCountAgainstTheClient() {
        OutboundQueue queue = queue(Ordering.ORDERED);
        Exchange head = inLine(1);
        Exchange second = inLine(2);
        queue.enqueue(second, frame(2));
        queue.watchStall(false);
        advance(SLOW.multipliedBy(2));
        assertFalse(queue.slow(clock.now()), "the frame waits for the head, not for the client");
        assertSame(head, queue.next());

        queue.enqueue(head, frame(1));
        queue.watchStall(false);
        assertSlowAfterTheTimeout(queue, "the head's frame is deliverable: now the clock runs");
    }

    @Test
    void unorderedFramesGoOutInTheOrderTheyWereQueuedAsTheClientAsks() {
        OutboundQueue queue = queue(Ordering.UNORDERED);
        Exchange a = inLine(1);
        Exchange b = inLine(2);
        queue.enqueue(b, frame(21));
        queue.enqueue(a, frame(11));
        queue.enqueue(b, frame(22));
        assertEquals(3, queue.queued());
        assertEquals(3, gauge.sum());
        assertFalse(queue.wanted());

        queue.request(2);
        assertEquals(frame(21).utf8(), queue.take(queue.next()).utf8());
        assertEquals(frame(11).utf8(), queue.take(queue.next()).utf8());
        assertFalse(queue.wanted(), "each frame used one of the demand");
        assertEquals(1, queue.queued());
        assertEquals(1, gauge.sum());
        assertSame(b, queue.next());
    }

    @Test
    void withdrawDropsTheCancelledExchangesFramesOnly() {
        OutboundQueue queue = queue(Ordering.UNORDERED);
        Exchange a = inLine(1);
        Exchange b = inLine(2);
        queue.enqueue(a, frame(11));
        queue.enqueue(b, frame(21));
        queue.enqueue(a, frame(12));

        assertEquals(2, queue.withdraw(a));
        assertTrue(a.frames.isEmpty());
        assertEquals(1, queue.queued());
        assertEquals(1, gauge.sum());
        assertSame(b, queue.next());
        queue.request(5);
        assertEquals(frame(21).utf8(), queue.take(b).utf8());
        assertNull(queue.next());
    }

    @Test
    void clearReturnsTheGaugeToZero() {
        OutboundQueue queue = queue(Ordering.UNORDERED);
        queue.enqueue(inLine(1), frame(1));
        queue.enqueue(inLine(2), frame(2));
        queue.clear();
        assertEquals(0, queue.queued());
        assertEquals(0, gauge.sum());
        assertNull(queue.next());
    }
}
