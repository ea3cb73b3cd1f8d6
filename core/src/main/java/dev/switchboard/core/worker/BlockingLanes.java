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
 * <p>A lane is either a thread of its own (no scheduler: it parks while the queue is empty, and
 * ends at {@link #close()} or after its keep-alive) or a task on a {@link Scheduler} (it gives
 * the thread back as soon as the queue is empty).
 *
 * <p>Waking a parked thread costs both threads a system call and a context switch, more than a
 * typical step, and every lane awake competes for the cores with the event loops: the calls run
 * on as few lanes as keep up. A lane takes the next call itself when its step returns; a call
 * queued while a lane is active (running a step, or woken and on its way) wakes no other, and
 * waits for it. Should the active lanes all block, the JVM's {@link LaneWatch} sees the call at
 * the head of the queue wait longer than {@code spareDelayNanos} and has a spare lane woken (or
 * started) for it, and again after each further delay while calls wait, up to {@code size}.
 * Calls queued by the router from within a lane's step (it hands a freed credit to the next
 * request) thus cost no wake-up at all.
 *
 * <p>Every call in the queue holds one of the worker's credits (a call leaves the queue when it
 * ends or is cancelled), so the queue never holds more than {@code size}; {@link #submit} refuses
 * beyond that, and after {@link #close()}. All state is guarded by {@code this}.
 */
final class BlockingLanes {

    private static final Logger log = LoggerFactory.getLogger(BlockingLanes.class);

    private final String workerId;
    private final String name;
    private final int size;
    private final @Nullable Scheduler scheduler;
    private final long keepAliveNanos;
    private final long spareDelayNanos;
    private final LaneWatch watch;
    private final ArrayDeque<BlockingCall> queue;
    /** Own threads only: lanes parked on an empty queue, the last parked first. */
    private final ArrayDeque<Lane> idle = new ArrayDeque<>();
    /** Own threads only: every lane thread started and not yet ended. */
    private final List<Thread> threads = new ArrayList<>();
    /** Lanes started and not yet ended (threads, or tasks given to the scheduler). */
    private int lanes;
    /** Lanes woken or started that have not yet been to the queue. */
    private int waking;
    /** Whether the watch looks at this worker's queue. */
    private boolean watched;
    private int started;
    private long spares;
    private boolean closed;

    /**
     * @param workerId the worker's id; its lane threads are named {@code switchboard-<id>-<n>}
     * @param size the most lanes at once, and the most calls waiting
     * @param scheduler where lanes run, or null for threads of their own
     * @param keepAliveNanos how long a thread of its own stays parked before it ends
     * @param spareDelayNanos how long a call waits for the active lanes before a spare one wakes
     */
    BlockingLanes(String workerId, int size, @Nullable Scheduler scheduler, long keepAliveNanos,
            long spareDelayNanos, LaneWatch watch) {
        this.workerId = workerId;
        this.name = "switchboard-" + workerId;
        this.size = size;
        this.scheduler = scheduler;
        this.keepAliveNanos = keepAliveNanos;
        this.spareDelayNanos = spareDelayNanos;
        this.watch = watch;
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
        long now = System.nanoTime();
        Lane lane = null;
        boolean arm = false;
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
            call.queuedAt = now;
            queue.add(call);
            if (lanes - idle.size() == 0) {
                lane = wakeOne();
            } else if (!watched) {
                watched = true;
                watch.add(this);
                arm = true;
            }
        }
        if (lane != null) {
            go(lane);
        } else if (arm) {
            watch.arm(now + spareDelayNanos);
        }
        return null;
    }

    /**
     * For the watch: if the call at the head of the queue has waited for the spare-thread delay,
     * wakes or starts a spare lane. Returns when to look again, or {@link LaneWatch#DONE} (and
     * leaves the watch) once the queue is empty.
     */
    long check(long now) {
        Lane lane = null;
        long next;
        synchronized (this) {
            BlockingCall head = queue.peek();
            if (head == null) {
                watched = false;
                watch.remove(this);
                return LaneWatch.DONE;
            }
            long due = head.queuedAt + spareDelayNanos;
            if (due - now > 0) {
                return due;
            }
            if (waking == 0) {
                lane = wakeOne();
                if (lane != null) {
                    spares++;
                }
            }
            next = now + spareDelayNanos;
        }
        if (lane != null) {
            go(lane);
        }
        return next;
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

    /** Spare lanes the watch has woken or started so far. */
    synchronized long spares() {
        return spares;
    }

    @Override
    public String toString() {
        return "BlockingLanes[" + workerId + "]";
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
            end(lane);
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
        try {
            for (;;) {
                BlockingCall call = next(me);
                if (call == null) {
                    if (me.ended) {
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
            synchronized (this) {
                threads.remove(me.thread);
                if (!me.ended) {
                    // only an Error thrown past step() gets here: the lane must not count on
                    end(me);
                }
            }
        }
    }

    /** Under the lock: {@code me} ends; it no longer counts as a lane. */
    private void end(Lane me) {
        me.ended = true;
        lanes--;
        if (me.parked) {
            me.parked = false;
            idle.remove(me);
        }
        if (me.waking) {
            me.waking = false;
            waking--;
        }
    }

    /** Ends {@code me}, parked for the keep-alive, unless it was woken meanwhile. */
    private synchronized boolean expire(Lane me) {
        if (!me.parked) {
            return false;
        }
        end(me);
        return true;
    }

    /** A lane on the scheduler: runs steps until the queue is empty, then gives the thread back. */
    private void runTask(Lane me) {
        for (;;) {
            BlockingCall call = next(me);
            if (call == null) {
                return;
            }
            step(call);
        }
    }

    /**
     * The next call for {@code me}. Null when the queue is empty: a thread lane is then parked,
     * unless closed; otherwise the lane has ended. A parked lane may be woken as soon as this
     * returns, before it parks: only {@code ended}, which no one else writes, says it must end.
     */
    private @Nullable BlockingCall next(Lane me) {
        synchronized (this) {
            if (me.parked) {
                // woken by something else than us: still parked
                return null;
            }
            if (me.waking) {
                me.waking = false;
                waking--;
            }
            BlockingCall call = queue.poll();
            if (call == null) {
                if (scheduler != null || closed) {
                    end(me);
                } else {
                    me.parked = true;
                    idle.addFirst(me);
                }
                return null;
            }
            call.queued = false;
            return call;
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
                log.error("{}: {} failed, and so did answering it", name, call, again);
            }
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
        /** Set under the lock, by the lane's own thread only (or at its end). */
        boolean ended;
    }
}
