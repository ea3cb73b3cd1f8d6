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
 * ends at {@link #close()}) or a task on a {@link Scheduler} (it returns the thread as soon as the
 * queue is empty). A lane takes the next call itself when it finishes a step, so a worker whose
 * router keeps its credits in use keeps its lanes running without a wake-up per request: a call
 * queued by one of this worker's own lanes (the router hands a freed credit to the next request
 * from within the previous one's completion) wakes no other lane, and a lane that takes a call
 * wakes the next one only if more calls wait.
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
    private final ArrayDeque<BlockingCall> queue;
    /** Own threads only: lanes parked on an empty queue, the last parked on top. */
    private final ArrayDeque<Lane> idle = new ArrayDeque<>();
    /** Own threads only: every lane thread started and not yet ended. */
    private final List<Thread> threads = new ArrayList<>();
    /** Lanes started and not yet ended (threads, or tasks given to the scheduler). */
    private int lanes;
    private int started;
    private boolean closed;

    /**
     * @param workerId the worker's id; its lane threads are named {@code switchboard-<id>-<n>}
     * @param size the most lanes at once, and the most calls waiting
     * @param scheduler where lanes run, or null for threads of their own
     */
    BlockingLanes(String workerId, int size, @Nullable Scheduler scheduler) {
        this.workerId = workerId;
        this.name = "switchboard-" + workerId;
        this.size = size;
        this.scheduler = scheduler;
        this.queue = new ArrayDeque<>(size);
    }

    /**
     * Queues {@code call} for a step on a lane. Returns why not, having queued nothing, when the
     * lanes are closed ({@code worker_failed}) or {@code size} calls already wait
     * ({@code overloaded}: the worker's credits prevent it); the caller answers the call with it.
     * A call that ended meanwhile is not queued.
     */
    @Nullable RelayException submit(BlockingCall call) {
        Lane wake;
        boolean spawn = false;
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
            if (CURRENT.get() == this) {
                // this is one of our lanes: it takes the next call itself when its step returns
                return null;
            }
            wake = idle.pollFirst();
            if (wake != null) {
                wake.parked = false;
            } else if (lanes < size) {
                lanes++;
                spawn = true;
            }
        }
        if (wake != null) {
            LockSupport.unpark(wake.thread);
        } else if (spawn) {
            spawn();
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

    private void spawn() {
        Scheduler s = scheduler;
        if (s == null) {
            Thread t;
            synchronized (this) {
                t = new Thread(this::runThread, name + "-" + (++started));
                threads.add(t);
            }
            t.setDaemon(true);
            try {
                t.start();
            } catch (Throwable e) {
                // no more native threads
                refused(t, e);
            }
            return;
        }
        try {
            s.schedule(this::runTask);
        } catch (RejectedExecutionException e) {
            refused(null, e);
        }
    }

    /**
     * A lane could not start (the scheduler is shut down, or no thread could be made). Without a
     * lane the queued calls would wait forever: when none is left, they are answered with an error.
     */
    private void refused(@Nullable Thread thread, Throwable e) {
        List<BlockingCall> stranded = List.of();
        synchronized (this) {
            if (thread != null) {
                threads.remove(thread);
            }
            lanes--;
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

    /** A lane on a thread of its own: parks while the queue is empty, ends once closed. */
    private void runThread() {
        Lane me = new Lane(Thread.currentThread());
        CURRENT.set(this);
        try {
            for (;;) {
                BlockingCall call = next(me);
                if (call == null) {
                    if (me.parked) {
                        LockSupport.park(this);
                        continue;
                    }
                    return;
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

    /** A lane on the scheduler: runs steps until the queue is empty, then gives the thread back. */
    private void runTask() {
        BlockingLanes outer = CURRENT.get();
        CURRENT.set(this);
        try {
            for (;;) {
                BlockingCall call = next(null);
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
     * The next call for a lane, waking or starting another lane if more wait. Null when the
     * queue is empty: {@code me} (a thread lane) is then parked, unless closed, and the lane
     * ends if it is not parked.
     */
    private @Nullable BlockingCall next(@Nullable Lane me) {
        BlockingCall call;
        Lane wake = null;
        boolean spawn = false;
        synchronized (this) {
            if (me != null && me.parked) {
                // a spurious wake-up: still parked
                return null;
            }
            call = queue.poll();
            if (call == null) {
                if (me == null || closed) {
                    lanes--;
                } else {
                    me.parked = true;
                    idle.addFirst(me);
                }
                return null;
            }
            call.queued = false;
            if (!queue.isEmpty()) {
                wake = idle.pollFirst();
                if (wake != null) {
                    wake.parked = false;
                } else if (lanes < size) {
                    lanes++;
                    spawn = true;
                }
            }
        }
        if (wake != null) {
            LockSupport.unpark(wake.thread);
        } else if (spawn) {
            spawn();
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

    /** A lane thread, and whether it is parked (guarded by the lanes' lock, read by itself). */
    private static final class Lane {
        final Thread thread;
        volatile boolean parked;

        Lane(Thread thread) {
            this.thread = thread;
        }
    }
}
