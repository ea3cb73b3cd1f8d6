package dev.switchboard.core;

import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * A session's permits: a permit is room for one frame in the session's response queue; an
 * exchange holds one before it asks its worker for the next item (so a worker's item always has
 * room), and at most {@code bound} permits exist. In ORDERED mode the last permit is kept for the
 * head of the line, so the head can always make progress. An exchange without a permit is
 * <em>parked</em>; freed permits go first to the head of the line (ORDERED), then to parked
 * streams already running on a worker, then to parked requests not yet routed, each group
 * oldest first: a running stream holds a worker credit, and a permit given to a request that
 * then waits for a credit could leave every credit held by streams waiting for permits. The
 * ledger owns the permit count, the parked queues and the exchanges' {@code parked} flag; it
 * reads the head of the line of requests in flight but never changes the line, and it touches no
 * frame, counter, worker or connection. Not thread-safe: call it under the pipeline's lock.
 */
final class PermitLedger {

    private final int bound;
    private final boolean ordered;
    /** The session's requests in flight, oldest first; read for its head only. */
    private final ArrayDeque<Exchange> line;
    /** Parked exchanges that run on a worker (begun). */
    private final ArrayDeque<Exchange> paused = new ArrayDeque<>();
    /** Parked exchanges not yet routed. */
    private final ArrayDeque<Exchange> starved = new ArrayDeque<>();
    private int permits;

    PermitLedger(int bound, boolean ordered, ArrayDeque<Exchange> line) {
        this.bound = bound;
        this.ordered = ordered;
        this.line = line;
    }

    /** Permits held: by exchanges for their next step, and by frames queued for the client. */
    int permits() {
        return permits;
    }

    private boolean canGrant(Exchange ex) {
        return permits < bound && (!ordered || permits < bound - 1 || ex == line.peekFirst());
    }

    /** Takes a permit for {@code ex}'s next step, or parks it. Returns whether it may proceed. */
    boolean grant(Exchange ex) {
        if (canGrant(ex)) {
            permits++;
            return true;
        }
        park(ex);
        return false;
    }

    /** {@code ex} waits, holding no permit, until {@link #grantNext()} hands it one. */
    void park(Exchange ex) {
        ex.parked = true;
        (ex.begun ? paused : starved).add(ex);
    }

    private void unpark(Exchange ex) {
        ex.parked = false;
        (ex.begun ? paused : starved).remove(ex);
    }

    /** The parked exchange that gets the next permit: the head (ORDERED), a running stream, the oldest. */
    private @Nullable Exchange nextParked() {
        if (ordered) {
            Exchange head = line.peekFirst();
            if (head != null && head.parked) {
                return head;
            }
        }
        Exchange p = paused.peekFirst();
        return p != null ? p : starved.peekFirst();
    }

    /**
     * Hands a free permit to the parked exchange next in turn: returns it, unparked and holding
     * the permit, or null when none is parked or the one next in turn may not have it yet. No
     * other parked exchange overtakes it.
     */
    @Nullable Exchange grantNext() {
        Exchange candidate = nextParked();
        if (candidate == null || !canGrant(candidate)) {
            return null;
        }
        unpark(candidate);
        permits++;
        return candidate;
    }

    /** A queued frame went to the client: its permit is free. */
    void release() {
        permits--;
    }

    /**
     * The client cancelled {@code ex}, which had {@code queuedFrames} frames waiting: returns
     * their permits, plus the one it holds for its next step unless it is parked or finished,
     * and takes it out of the parked queues.
     */
    void withdraw(Exchange ex, int queuedFrames) {
        permits -= queuedFrames + (ex.parked || ex.finished ? 0 : 1);
        if (ex.parked) {
            unpark(ex);
        }
    }

    /** The session ended: no permit is held, nothing waits. */
    void clear() {
        paused.clear();
        starved.clear();
        permits = 0;
    }
}
