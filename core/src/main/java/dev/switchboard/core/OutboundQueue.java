package dev.switchboard.core;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Operators;

/**
 * A session's frames waiting for the client, the client's demand for them, and the stall clock.
 * Frames wait in their exchanges; in ORDERED mode the next frame is the head of the line's, in
 * UNORDERED mode the oldest queued. The stall clock runs only while a frame is deliverable and
 * the client asks for none; a frame that waits behind a slow head of the line (ORDERED) does not
 * count against the client, and a client stalled for the slow-consumer timeout is slow. It owns
 * the queued-frame count (and the relay's queued gauge), the UNORDERED delivery order, the demand
 * and the clock; it reads the head of the line of requests in flight but never changes the line,
 * and it must not touch permits, exchanges' state other than their frames, workers or the
 * connection. Not thread-safe: call it under the pipeline's lock.
 */
final class OutboundQueue {

    private final boolean ordered;
    /** The session's requests in flight, oldest first; read for its head only. */
    private final ArrayDeque<Exchange> line;
    private final LongAdder queuedGauge;
    private final SessionTimers clock;
    /** UNORDERED: the exchange of each queued frame, in the order the frames were queued. */
    private final ArrayDeque<Exchange> ready = new ArrayDeque<>();
    private int queued;
    private long demand;
    /** Whether a frame the client could take waits while it asks for none, and since when. */
    private boolean stalled;
    private long stalledSinceNanos;

    OutboundQueue(boolean ordered, ArrayDeque<Exchange> line, LongAdder queuedGauge, SessionTimers clock) {
        this.ordered = ordered;
        this.line = line;
        this.queuedGauge = queuedGauge;
        this.clock = clock;
    }

    /** Frames queued for the client. */
    int queued() {
        return queued;
    }

    /** Queues a frame of {@code ex}. */
    void enqueue(Exchange ex, Payload f) {
        queued++;
        queuedGauge.increment();
        ex.frames.add(f);
        if (!ordered) {
            ready.add(ex);
        }
    }

    /** The client asks for {@code n} more frames. */
    void request(long n) {
        demand = Operators.addCap(demand, n);
    }

    /** Whether the client asks for a frame. */
    boolean wanted() {
        return demand > 0;
    }

    /** The exchange whose frame goes next, if any: the head of the line (ORDERED) or the oldest frame's. */
    @Nullable Exchange next() {
        return ordered ? line.peekFirst() : ready.peekFirst();
    }

    /**
     * Takes the next frame of {@code ex}, which {@link #next()} returned, for the client, using
     * one of its demand; null if {@code ex} has none queued.
     */
    @Nullable Payload take(Exchange ex) {
        if (!ordered) {
            ready.poll();
        }
        Payload f = ex.frames.poll();
        if (f != null) {
            queued--;
            queuedGauge.decrement();
            demand--;
        }
        return f;
    }

    /** Drops the frames of {@code ex}, which the client cancelled; returns how many. */
    int withdraw(Exchange ex) {
        int dropped = ex.frames.size();
        queued -= dropped;
        queuedGauge.add(-dropped);
        ex.frames.clear();
        if (!ordered) {
            ready.removeIf(r -> r == ex);
        }
        return dropped;
    }

    /** The session ended: forgets every queued frame (the exchanges are dropped with them). */
    void clear() {
        queuedGauge.add(-queued);
        queued = 0;
        ready.clear();
    }

    /**
     * Runs or stops the stall clock after a drain step: stopped when a frame went out (or the
     * session ended), started when a frame is deliverable and did not go.
     */
    void watchStall(boolean delivered) {
        if (delivered) {
            stalled = false;
            return;
        }
        Exchange next = next();
        boolean deliverable = next != null && !next.frames.isEmpty();
        if (!deliverable) {
            stalled = false;
        } else if (!stalled) {
            stalled = true;
            stalledSinceNanos = clock.now();
        }
    }

    /** Whether the client has left a deliverable frame unread for the slow-consumer timeout at {@code now}. */
    boolean slow(long now) {
        return stalled && now - stalledSinceNanos >= clock.slowConsumerNanos();
    }
}
