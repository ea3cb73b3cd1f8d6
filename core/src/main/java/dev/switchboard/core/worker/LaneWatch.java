package dev.switchboard.core.worker;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread for the whole JVM that looks, while any blocking worker has requests waiting
 * for its busy threads, whether one of them has waited longer than its worker's spare-thread
 * delay (its threads may all be blocked), and then has the worker wake a spare thread.
 *
 * <p>A worker's threads do not wake each other for every queued request (a wake-up costs more
 * than a typical step): this watch is what keeps a blocked thread from holding up the requests
 * behind it for long. It wakes only when some worker's waiting request is due, so at most once
 * per the shortest delay while workers are busy, and never while none has requests waiting;
 * its thread ends after {@link #IDLE_NANOS} with nothing to watch.
 */
final class LaneWatch {

    private static final Logger log = LoggerFactory.getLogger(LaneWatch.class);

    /** The watch's thread ends after this long with no worker to watch; the next arm starts another. */
    static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Returned by {@link BlockingLanes#check} once the worker has no request waiting. */
    static final long DONE = Long.MIN_VALUE;

    static final LaneWatch INSTANCE = new LaneWatch();

    private static final AtomicLongFieldUpdater<LaneWatch> ARMS =
            AtomicLongFieldUpdater.newUpdater(LaneWatch.class, "arms");

    /** Workers with requests waiting; each adds and removes itself under its own lock. */
    private final Set<BlockingLanes> armed = ConcurrentHashMap.newKeySet();
    /** Arms so far: the thread looks again before it sleeps if one came during its round. */
    private volatile long arms;
    /** When the thread wakes next, by {@link System#nanoTime()}. */
    private volatile long sleepingUntil;
    private @Nullable Thread thread;

    private LaneWatch() {
    }

    /** Adds {@code lanes}, which now has a request waiting; call under its lock, then {@link #arm}. */
    void add(BlockingLanes lanes) {
        armed.add(lanes);
    }

    /** Removes {@code lanes}; call under its lock. */
    void remove(BlockingLanes lanes) {
        armed.remove(lanes);
    }

    /**
     * After an {@link #add}, outside the worker's lock: makes sure the thread looks at the worker
     * by {@code due}, starting it or waking it early if needed.
     */
    void arm(long due) {
        ARMS.incrementAndGet(this);
        Thread t;
        synchronized (this) {
            t = thread;
            if (t == null) {
                t = new Thread(this::run, "switchboard-lanes-watch");
                t.setDaemon(true);
                thread = t;
                t.start();
                return;
            }
        }
        // paired with run(): it writes sleepingUntil and then reads arms
        if (due - sleepingUntil < 0) {
            LockSupport.unpark(t);
        }
    }

    /** The watch's thread, for tests; null when none runs. */
    synchronized @Nullable Thread thread() {
        return thread;
    }

    private void run() {
        long idleSince = System.nanoTime();
        for (;;) {
            long seen = arms;
            long now = System.nanoTime();
            long next = now + IDLE_NANOS;
            for (BlockingLanes lanes : armed) {
                long due;
                try {
                    due = lanes.check(now);
                } catch (Throwable e) {
                    log.error("the lanes watch failed to check {}", lanes, e);
                    continue;
                }
                if (due != DONE && due - next < 0) {
                    next = due;
                }
            }
            if (!armed.isEmpty()) {
                idleSince = now;
            } else if (now - idleSince >= IDLE_NANOS) {
                synchronized (this) {
                    if (armed.isEmpty() && arms == seen) {
                        thread = null;
                        return;
                    }
                }
                continue;
            }
            sleepingUntil = next;
            if (arms != seen) {
                continue;
            }
            LockSupport.parkNanos(this, Math.max(next - now, 1_000));
        }
    }
}
