package dev.switchboard.core.worker;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;

/**
 * One lane of a {@link BlockingLanes}: a thread of its own, or a task on the lanes' scheduler,
 * that runs one call's step at a time and takes the next call itself when a step returns. It owns
 * how a lane runs: starting or waking its thread, or giving its task to the scheduler; the loop;
 * parking on an empty queue for at most the lanes' keep-alive; and keeping what a step throws
 * from ending it. Whether it gets a call, parks or ends is decided by the lanes under their lock
 * ({@link BlockingLanes#next}, {@link BlockingLanes#expire}), which also own its flags: it must not
 * touch the queue, the lane counts or the registry of shared lanes, and never holds the lanes'
 * lock while it runs a step or starts, wakes or parks a thread.
 */
final class Lane {

    /** The lanes' own log: what a lane reports is about its lanes. */
    private static final Logger log = LoggerFactory.getLogger(BlockingLanes.class);

    private final BlockingLanes lanes;
    /** Its thread, once it runs on a thread of its own (set under the lanes' lock). */
    volatile @Nullable Thread thread;
    /** Parked on an empty queue; guarded by the lanes' lock, also read by its thread to park again. */
    volatile boolean parked;
    /** Woken or started, and not yet back at the queue; guarded by the lanes' lock. */
    boolean waking;
    /** Set under the lanes' lock, by the lane's own thread only (or at its end). */
    boolean ended;

    Lane(BlockingLanes lanes) {
        this.lanes = lanes;
    }

    /** Outside the lanes' lock: wakes this lane, or starts it (a thread, or a task on the scheduler). */
    void go() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            return;
        }
        Scheduler s = lanes.scheduler;
        if (s == null) {
            t = new Thread(this::runThread);
            lanes.started(this, t);
            t.setDaemon(true);
            try {
                t.start();
            } catch (Throwable e) {
                // no more native threads
                lanes.refused(this, e);
            }
            return;
        }
        try {
            s.schedule(this::runTask);
        } catch (RejectedExecutionException e) {
            lanes.refused(this, e);
        }
    }

    /**
     * On a thread of its own: parks while the queue is empty, ends once no worker is attached or
     * once it has been parked for the keep-alive.
     */
    private void runThread() {
        try {
            for (;;) {
                BlockingCall call = lanes.next(this);
                if (call == null) {
                    if (ended) {
                        return;
                    }
                    long deadline = System.nanoTime() + lanes.keepAliveNanos;
                    long left;
                    while (parked && (left = deadline - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(lanes, left);
                    }
                    if (parked && lanes.expire(this)) {
                        return;
                    }
                    continue;
                }
                step(call);
            }
        } finally {
            lanes.exited(this);
        }
    }

    /** On the scheduler: runs steps until the queue is empty, then gives the thread back. */
    private void runTask() {
        for (;;) {
            BlockingCall call = lanes.next(this);
            if (call == null) {
                return;
            }
            step(call);
        }
    }

    /** One step of a call; nothing it throws ends the lane. */
    private void step(BlockingCall call) {
        try {
            call.run();
        } catch (Throwable e) {
            try {
                call.crashed(e);
            } catch (Throwable again) {
                log.error("{}: {} failed, and so did answering it", lanes.name, call, again);
            }
        }
    }
}
