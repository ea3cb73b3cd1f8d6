package dev.switchboard.transport.zmq.internal;

import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The gateway's liveness tick: when the next one is due, each worker's HEARTBEAT to send, and the
 * verdict on a worker not heard from within {@code liveness} of its intervals. It owns the
 * gateway's interval, the tick's schedule and each worker's heartbeat times; it reads a worker's
 * waiting count for the HEARTBEAT but must not touch its credits or requests, nor remove a worker itself (a lost one goes to {@code onDead}).
 * I/O thread only.
 */
final class Heartbeats {

    private final RouterSocket router;
    private final long intervalNanos;
    private final long liveness;
    private final long tickNanos;
    private final BiConsumer<RemoteWorker, String> onDead;
    private long nextTick;

    /**
     * @param cancelWaitNanos the cancel wait, which the tick also keeps ({@link CreditLedger#cancelWaits})
     */
    Heartbeats(RouterSocket router, long intervalNanos, int liveness, long cancelWaitNanos,
            BiConsumer<RemoteWorker, String> onDead) {
        this.router = router;
        this.intervalNanos = intervalNanos;
        this.liveness = liveness;
        this.tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(intervalNanos, cancelWaitNanos) / 4);
        this.onDead = onDead;
    }

    /** Schedules the first tick. */
    void start(long now) {
        nextTick = now + tickNanos;
    }

    /** True when the tick is due; it is then scheduled again. */
    boolean due(long now) {
        if (now - nextTick < 0) {
            return false;
        }
        nextTick = now + tickNanos;
        return true;
    }

    long idleMillis(long now) {
        return TimeUnit.NANOSECONDS.toMillis(nextTick - now);
    }

    /** The interval a worker that asked for {@code workerMs} is held to: the shorter one. */
    long intervalFor(int workerMs) {
        return Math.min(intervalNanos, TimeUnit.MILLISECONDS.toNanos(workerMs));
    }

    /**
     * Checks {@code w} at a tick: lost when silent too long, else its HEARTBEAT when due.
     *
     * @return false when it is lost
     */
    boolean check(RemoteWorker w, long now) {
        if (now - w.lastHeardNanos > liveness * w.intervalNanos) {
            onDead.accept(w, "missed " + liveness + " heartbeats");
            return false;
        }
        if (now - w.nextHeartbeatNanos >= 0) {
            beat(w, now);
        }
        return true;
    }

    /**
     * Sends {@code w} a HEARTBEAT now, with the requests waiting here for its credits, and
     * schedules the next.
     */
    void beat(RemoteWorker w, long now) {
        w.nextHeartbeatNanos = now + w.intervalNanos;
        int rc = router.send(w.routeBytes, Protocol.HEARTBEAT,
                Protocol.u32((int) TimeUnit.NANOSECONDS.toMillis(w.intervalNanos)), Protocol.u32(w.waiting()));
        if (rc < 0) {
            onDead.accept(w, "is unreachable");
        }
    }
}
