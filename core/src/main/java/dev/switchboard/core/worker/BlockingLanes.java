package dev.switchboard.core.worker;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.RelayException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;

/**
 * The threads that blocking {@link LocalWorker}s share: lanes, each running one call's step at a
 * time, fed by one queue of calls that want a step (to begin, or to ask their handler for more
 * items). The workers that block on threads of Switchboard's own share one set of lanes, and
 * those given the same {@link Scheduler} share another, whose lanes are tasks on it.
 *
 * <p>There are at most as many lanes as the attached workers' capacities add up to ({@code
 * size}), so no worker ever waits for a lane while it holds a credit and a lane could be had; a
 * lane on a thread of its own parks while the queue is empty and ends after {@link
 * #KEEP_ALIVE_NANOS} without work, or once no worker is attached; a lane on a scheduler gives the
 * thread back as soon as the queue is empty.
 *
 * <p>Waking a parked thread costs both threads a system call and a context switch, more than a
 * typical step, and every lane awake competes for the cores with the event loops: the calls run
 * on as few lanes as keep up, and one queue for all the workers keeps those few busy. A lane takes
 * the next call itself when its step returns; a call queued while a lane is active (running a
 * step, or woken and on its way) wakes no other, and waits for it. Should the active lanes all
 * block, the JVM's {@link LaneWatch} sees the call at the head of the queue wait longer than its
 * worker's spare-thread delay and has a spare lane woken (or started) for it, and again after
 * each further delay while calls wait. Calls queued by the router from within a lane's step (it
 * hands a freed credit to the next request) thus cost no wake-up at all.
 *
 * <p>Every call in the queue holds one of its worker's credits (a call leaves the queue when it
 * ends or is cancelled), so the queue never holds more than {@code size}; {@link #submit} refuses
 * beyond that, and once no worker is attached. All state is guarded by {@code this}, the
 * {@link Lane}s' flags included: this class decides when a lane wakes, starts, parks or ends; how
 * a lane runs (its thread or task, its loop) is the {@code Lane}'s.
 */
final class BlockingLanes {

    private static final Logger log = LoggerFactory.getLogger(BlockingLanes.class);

    /** How long a lane on a thread of its own stays parked without work before it ends. */
    static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** The shared lanes: on threads of their own (key null), and one set per scheduler. */
    private static final Map<@Nullable Scheduler, BlockingLanes> SHARED = new IdentityHashMap<>();

    /** Prefix of the lane threads' names, and the lanes' name in the log. */
    final String name;
    /** Where lanes run as tasks, or null for threads of their own. */
    final @Nullable Scheduler scheduler;
    /** How long a lane on a thread of its own stays parked without work before it ends. */
    final long keepAliveNanos;
    private final LaneWatch watch;
    private final ArrayDeque<BlockingCall> queue = new ArrayDeque<>();
    /** Own threads only: lanes parked on an empty queue, the last parked first. */
    private final ArrayDeque<Lane> idle = new ArrayDeque<>();
    /** Own threads only: every lane thread started and not yet ended. */
    private final List<Thread> threads = new ArrayList<>();
    /** Workers attached and not yet detached. */
    private int attached;
    /** The attached workers' capacities, added up (a remote worker's may be Integer.MAX_VALUE). */
    private long capacities;
    /** The most lanes, and the most calls waiting: {@code capacities}, as an int. */
    private int size;
    /** Lanes started and not yet ended (threads, or tasks given to the scheduler). */
    private int lanes;
    /** Lanes woken or started that have not yet been to the queue. */
    private int waking;
    /** Whether the watch looks at the queue. */
    private boolean watched;
    private int started;
    private long spares;

    /**
     * Lanes of their own, not shared with other workers than those attached to them; tests use
     * them to see the threads of their workers alone.
     *
     * @param name prefix of the lane threads' names ({@code <name>-<n>})
     * @param scheduler where lanes run, or null for threads of their own
     * @param keepAliveNanos how long a thread of its own stays parked without work before it ends
     */
    BlockingLanes(String name, @Nullable Scheduler scheduler, long keepAliveNanos, LaneWatch watch) {
        this.name = name;
        this.scheduler = scheduler;
        this.keepAliveNanos = keepAliveNanos;
        this.watch = watch;
    }

    /**
     * The shared lanes of {@code scheduler} (null: threads of Switchboard's own), with room for
     * {@code capacity} more calls; {@link #detach} gives it back.
     */
    static BlockingLanes attach(@Nullable Scheduler scheduler, int capacity) {
        synchronized (SHARED) {
            BlockingLanes lanes = SHARED.get(scheduler);
            if (lanes == null) {
                lanes = new BlockingLanes(scheduler == null ? "switchboard-blocking" : "switchboard-blocking-" + scheduler,
                        scheduler, KEEP_ALIVE_NANOS, LaneWatch.INSTANCE);
                SHARED.put(scheduler, lanes);
            }
            lanes.add(capacity);
            return lanes;
        }
    }

    /** Adds a worker of {@code capacity}. */
    void add(int capacity) {
        synchronized (this) {
            attached++;
            capacities += capacity;
            size = (int) Math.min(Integer.MAX_VALUE, capacities);
        }
    }

    /**
     * Removes a worker of {@code capacity}: its calls already queued still get their steps. Once
     * none is left, parked lanes end now and busy ones once the queue is empty, and shared lanes
     * leave the registry (the next worker gets new ones).
     */
    void detach(int capacity) {
        synchronized (SHARED) {
            List<Lane> wake = List.of();
            synchronized (this) {
                if (attached == 0) {
                    return;
                }
                attached--;
                capacities = attached == 0 ? 0 : Math.max(0, capacities - capacity);
                size = (int) Math.min(Integer.MAX_VALUE, capacities);
                if (attached == 0) {
                    wake = new ArrayList<>(idle);
                    idle.clear();
                    for (Lane l : wake) {
                        l.parked = false;
                        l.waking = true;
                        waking++;
                    }
                    if (SHARED.get(scheduler) == this) {
                        SHARED.remove(scheduler);
                    }
                }
            }
            for (Lane l : wake) {
                LockSupport.unpark(l.thread);
            }
        }
    }

    /**
     * Queues {@code call} for a step on a lane. Returns why not, having queued nothing, when no
     * worker is attached any more ({@code worker_failed}: its worker is closed) or {@code size}
     * calls already wait ({@code overloaded}: the workers' credits prevent it); the caller answers
     * the call with it. A call that ended meanwhile is not queued.
     */
    @Nullable RelayException submit(BlockingCall call, String workerId, long spareDelayNanos) {
        long now = System.nanoTime();
        Lane lane = null;
        boolean arm = false;
        synchronized (this) {
            if (attached == 0) {
                return new RelayException(ErrorCode.WORKER_FAILED, "worker " + workerId + " is closed");
            }
            if (queue.size() >= size) {
                return new RelayException(ErrorCode.OVERLOADED,
                        "worker " + workerId + ": " + size + " requests already wait for a thread");
            }
            // paired with BlockingCall.cancel and forget: they write their end and then read queued
            call.queued = true;
            if (call.ended()) {
                call.queued = false;
                return null;
            }
            call.queuedAt = now;
            call.spareAt = now + spareDelayNanos;
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
            lane.go();
        } else if (arm) {
            watch.arm(now + spareDelayNanos);
        }
        return null;
    }

    /**
     * For the watch: if the call at the head of the queue has waited for its worker's
     * spare-thread delay, wakes or starts a spare lane. Returns when to look again, or {@link
     * LaneWatch#DONE} (and leaves the watch) once the queue is empty.
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
            if (head.spareAt - now > 0) {
                return head.spareAt;
            }
            if (waking == 0) {
                lane = wakeOne();
                if (lane != null) {
                    spares++;
                }
            }
            // the next look, if calls still wait then: as long again as the head has waited
            next = now + Math.max(head.spareAt - head.queuedAt, 1);
        }
        if (lane != null) {
            lane.go();
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

    /** Lane threads alive now (own threads only; a snapshot, for tests). */
    synchronized List<Thread> threads() {
        return new ArrayList<>(threads);
    }

    /** Workers attached. */
    synchronized int attached() {
        return attached;
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
        return "BlockingLanes[" + name + "]";
    }

    // ---- lanes: when one wakes, starts, parks or ends (how it runs is the Lane's)

    /**
     * Under the lock: picks a parked lane to wake, or counts a new one to start, if there is
     * room. Returns the lane for {@link Lane#go} to run outside the lock, or null.
     */
    private @Nullable Lane wakeOne() {
        Lane lane = idle.pollFirst();
        if (lane != null) {
            lane.parked = false;
        } else if (lanes < size) {
            lanes++;
            lane = new Lane(this);
        } else {
            return null;
        }
        lane.waking = true;
        waking++;
        return lane;
    }

    /** Outside the lock: {@code lane} is about to start on {@code t}, its own thread. */
    synchronized void started(Lane lane, Thread t) {
        t.setName(name + "-" + (++started));
        threads.add(t);
        lane.thread = t;
    }

    /**
     * A lane could not start (the scheduler is shut down, or no thread could be made). Without a
     * lane the queued calls would wait forever: when none is left, they are answered with an error.
     */
    void refused(Lane lane, Throwable e) {
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
            c.refused("no thread could be started for the request");
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
    synchronized boolean expire(Lane me) {
        if (!me.parked) {
            return false;
        }
        end(me);
        return true;
    }

    /**
     * The next call for {@code me}. Null when the queue is empty: a thread lane is then parked,
     * unless it is one too many or no worker is attached; otherwise the lane has ended. A parked
     * lane may be woken as soon as this returns, before it parks: only {@code ended}, which no
     * one else writes, says it must end.
     */
    @Nullable BlockingCall next(Lane me) {
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
                if (scheduler != null || attached == 0 || lanes > size) {
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

    /** {@code me}'s thread of its own ends, whatever ended it. */
    synchronized void exited(Lane me) {
        threads.remove(me.thread);
        if (!me.ended) {
            // only an Error thrown past a step gets here: the lane must not count on
            end(me);
        }
    }
}
