package dev.switchboard.core.worker;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.RelayException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;

/**
 * The threads of one blocking {@link LocalWorker}: at most {@code size} lanes, each running one
 * call's step at a time, fed by one queue of calls that want a step (to begin, or to ask their
 * handler for more items).
 *
 * <p>A lane is either a thread of its own (no scheduler: it parks while the queue is empty and
 * ends at {@link #close()}) or a task on a {@link Scheduler} (it gives the thread back as soon as
 * the queue is empty).
 *
 * <p>Waking a parked thread costs both sides a system call and a context switch, more than a
 * typical step: the lanes keep wake-ups few, as Go's scheduler does with its spinning threads.
 * A lane takes the next call itself when its step returns, so a call queued by one of this
 * worker's own lanes wakes no other (the router hands a freed credit to the next request from
 * within the previous one's completion, on the lane). A call queued from another thread wakes a
 * lane only if none is already on its way to the queue; that lane, once it has taken a call,
 * wakes the next one if calls still wait. A burst of requests from an event loop thus costs the
 * event loop one wake-up, and the lanes the rest, and only as many lanes run as calls wait.
 *
 * <p>Every call in the queue holds one of the worker's credits (a call leaves the queue when it
 * ends or is cancelled), so the queue never holds more than {@code size}; {@link #submit} refuses
 * beyond that, and after {@link #close()}. All state is guarded by {@code this}.
 */
final class BlockingLanes {

    private static final Logger log = LoggerFactory.getLogger(BlockingLanes.class);

    /** The lanes this thread runs for, while it runs one. */
    private static final ThreadLocal<@Nullable BlockingLanes> CURRENT = new ThreadLocal<>();

    private final String workerId;
    private final String name;
    private final int size;
    private final @Nullable Scheduler scheduler;
    private final long keepAliveNanos;
    private final ArrayDeque<BlockingCall> queue;
    /** Own threads only: lanes parked on an empty queue, the last parked first. */
    private final ArrayDeque<Lane> idle = new ArrayDeque<>();
    /** Own threads only: every lane thread started and not yet ended. */
    private final List<Thread> threads = new ArrayList<>();
    /** Lanes started and not yet ended (threads, or tasks given to the scheduler). */
    private int lanes;
    /** Lanes woken or started that have not yet been to the queue. */
    private int waking;
    private int started;
    private boolean closed;

    /**
     * @param workerId the worker's id; its lane threads are named {@code switchboard-<id>-<n>}
     * @param size the most lanes at once, and the most calls waiting
     * @param scheduler where lanes run, or null for threads of their own
     * @param keepAliveNanos how long a thread of its own stays parked before it ends
     */
    BlockingLanes(String workerId, int size, @Nullable Scheduler scheduler, long keepAliveNanos) {
        this.workerId = workerId;
        this.name = "switchboard-" + workerId;
        this.size = size;
        this.scheduler = scheduler;
        this.keepAliveNanos = keepAliveNanos;
        // a worker may count on its caller for the bound (a remote worker's capacity is its gateways')
        this.queue = new ArrayDeque<>(Math.min(size, 64));
    }

    /**
     * Queues {@code call} for a step on a lane. Returns why not, having queued nothing, when the
     * lanes are closed ({@code worker_failed}) or {@code size} calls already wait
     * ({@code overloaded}: the worker's credits prevent it); the caller answers the call with it.
     * A call that ended meanwhile is not queued.
     */
    @Nullable RelayException submit(BlockingCall call) {
        Lane lane;
        synchronized (this) {
            if (closed) {
                return new RelayException(ErrorCode.WORKER_FAILED, "worker " + workerId + " is closed");
            }
            if (queue.size() >= size) {
                return new RelayException(ErrorCode.OVERLOADED,
                        "worker " + workerId + " already has " + size + " requests waiting for a thread");
            }
            // paired with BlockingCall.cancel and forget: they write their end and then read queued
            call.queued = true;
            if (call.ended()) {
                call.queued = false;
                return null;
            }
            queue.add(call);
            if (waking > 0 || CURRENT.get() == this) {
                return null;
            }
            lane = wakeOne();
        }
        if (lane != null) {
            go(lane);
        }
        return null;
    }

    /** Takes {@code call} out of the queue, if it waits there: it ended or was cancelled. */
    synchronized void remove(BlockingCall call) {
        if (call.queued) {
            call.queued = false;
            queue.remove(call);
        }
    }

    /**
     * Stops taking calls: parked lanes end now, busy ones once the queue is empty. Calls already
     * queued still get their step.
     */
    void close() {
        List<Lane> wake;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            wake = new ArrayList<>(idle);
            idle.clear();
            for (Lane l : wake) {
                l.parked = false;
                l.waking = true;
                waking++;
            }
        }
        for (Lane l : wake) {
            LockSupport.unpark(l.thread);
        }
    }

    /** Lane threads alive now (own threads only; a snapshot, for tests). */
    synchronized List<Thread> threads() {
        return new ArrayList<>(threads);
    }

    /** Lanes started and not ended. */
    synchronized int lanes() {
        return lanes;
    }

    // ---- lanes

    /**
     * Under the lock: picks a parked lane to wake, or counts a new one to start, if there is
     * room. Returns the lane for {@link #go} to run outside the lock, or null.
     */
    private @Nullable Lane wakeOne() {
        Lane lane = idle.pollFirst();
        if (lane != null) {
            lane.parked = false;
        } else if (lanes < size) {
            lanes++;
            lane = new Lane();
        } else {
            return null;
        }
        lane.waking = true;
        waking++;
        return lane;
    }

    /** Outside the lock: wakes or starts {@code lane}. */
    private void go(Lane lane) {
        Thread t = lane.thread;
        if (t != null) {
            LockSupport.unpark(t);
            return;
        }
        Scheduler s = scheduler;
        if (s == null) {
            t = new Thread(() -> runThread(lane));
            synchronized (this) {
                t.setName(name + "-" + (++started));
                threads.add(t);
                lane.thread = t;
            }
            t.setDaemon(true);
            try {
                t.start();
            } catch (Throwable e) {
                // no more native threads
                refused(lane, e);
            }
            return;
        }
        try {
            s.schedule(() -> runTask(lane));
        } catch (RejectedExecutionException e) {
            refused(lane, e);
        }
    }

    /**
     * A lane could not start (the scheduler is shut down, or no thread could be made). Without a
     * lane the queued calls would wait forever: when none is left, they are answered with an error.
     */
    private void refused(Lane lane, Throwable e) {
        List<BlockingCall> stranded = List.of();
        synchronized (this) {
            if (lane.thread != null) {
                threads.remove(lane.thread);
            }
            lanes--;
            waking--;
            if (lanes == 0) {
                stranded = new ArrayList<>(queue);
                queue.clear();
                for (BlockingCall c : stranded) {
                    c.queued = false;
                }
            }
        }
        log.warn("{}: a lane could not start; {} waiting requests fail", name, stranded.size(), e);
        for (BlockingCall c : stranded) {
            c.refused("the worker could not start a thread for the request");
        }
    }

    /**
     * A lane on a thread of its own: parks while the queue is empty, ends once closed or once
     * it has been parked for the keep-alive.
     */
    private void runThread(Lane me) {
        CURRENT.set(this);
        try {
            for (;;) {
                BlockingCall call = next(me);
                if (call == null) {
                    if (!me.parked) {
                        return;
                    }
                    long deadline = System.nanoTime() + keepAliveNanos;
                    long left;
                    while (me.parked && (left = deadline - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(this, left);
                    }
                    if (me.parked && expire(me)) {
                        return;
                    }
                    continue;
                }
                step(call);
            }
        } finally {
            CURRENT.remove();
            synchronized (this) {
                threads.remove(me.thread);
            }
        }
    }

    /** Ends {@code me}, parked for the keep-alive, unless it was woken meanwhile. */
    private synchronized boolean expire(Lane me) {
        if (!me.parked) {
            return false;
        }
        me.parked = false;
        idle.remove(me);
        lanes--;
        return true;
    }

    /** A lane on the scheduler: runs steps until the queue is empty, then gives the thread back. */
    private void runTask(Lane me) {
        BlockingLanes outer = CURRENT.get();
        CURRENT.set(this);
        try {
            for (;;) {
                BlockingCall call = next(me);
                if (call == null) {
                    return;
                }
                step(call);
            }
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }

    /**
     * The next call for {@code me}, waking or starting another lane if more wait and none is on
     * its way. Null when the queue is empty: a thread lane is then parked, unless closed; a lane
     * that is not parked ends.
     */
    private @Nullable BlockingCall next(Lane me) {
        BlockingCall call;
        Lane other = null;
        synchronized (this) {
            if (me.parked) {
                // woken by something else than us: still parked
                return null;
            }
            if (me.waking) {
                me.waking = false;
                waking--;
            }
            call = queue.poll();
            if (call == null) {
                if (scheduler != null || closed) {
                    lanes--;
                } else {
                    me.parked = true;
                    idle.addFirst(me);
                }
                return null;
            }
            call.queued = false;
            if (!queue.isEmpty() && waking == 0) {
                other = wakeOne();
            }
        }
        if (other != null) {
            go(other);
        }
        return call;
    }

    /** One step of a call; nothing it throws ends the lane. */
    private void step(BlockingCall call) {
        try {
            call.run();
        } catch (Throwable e) {
            call.crashed(e);
        }
    }

    /**
     * A lane. Its thread is set once it runs on a thread of its own; the flags are guarded by
     * the lanes' lock ({@code parked} is also read by the lane's thread, to park again).
     */
    private static final class Lane {
        volatile @Nullable Thread thread;
        volatile boolean parked;
        boolean waking;
    }
}
