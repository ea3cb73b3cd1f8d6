package dev.switchboard.core.routing;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.metrics.TimingListeners;
import dev.switchboard.core.transport.WorkerLink;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Hands calls to workers' credits: admission (a free credit now, a place in the bounded waiting
 * queue, or a refusal), the release of a credit or a place when a call ends, the waiting requests
 * taken oldest first, and rebalancing (an idle worker takes requests waiting for others, as the
 * strategy agrees); it also decides what a worker's join or leave means for requests, and keeps
 * the router's counters. It works under the {@link WorkerTable}'s monitor, the router's one lock,
 * and dispatches calls only after releasing it. It must not change the table's membership or
 * cache index itself (the table does, when told), nor retry a call (the {@link RetryPolicy}'s).
 */
final class Dispatcher {

    final WorkerTable table;
    final LongSupplier clock;
    final TimingListeners timings = new TimingListeners();
    private final RoutingStrategy strategy;
    private final int maxWaiting;

    // guarded by table
    private int waiting;
    private long routed;
    private long affinityHits;
    private long rejected;
    private long noWorkers;
    private long retried;

    Dispatcher(WorkerTable table, RoutingStrategy strategy, int maxWaiting, LongSupplier clock) {
        this.table = table;
        this.strategy = strategy;
        this.maxWaiting = maxWaiting;
        this.clock = clock;
    }

    String strategyName() {
        return strategy.name();
    }

    RouterStats stats() {
        synchronized (table) {
            return new RouterStats(routed, affinityHits, waiting, rejected, noWorkers, retried, maxWaiting,
                    table.slots.size());
        }
    }

    /** A request is sent once more after its worker was lost. */
    void countRetry() {
        synchronized (table) {
            retried++;
        }
    }

    // ---- membership

    /** {@code link} joined: it takes waiting requests at once, as far as the strategy agrees. */
    void joined(WorkerLink link) {
        Slot slot;
        List<Call> moved;
        synchronized (table) {
            slot = table.add(link);
            moved = rebalance();
        }
        table.watchCache(slot);
        if (moved != null) {
            dispatchAll(moved);
        }
    }

    /** The worker {@code id} left: the requests waiting for it are admitted again. */
    void left(String id) {
        List<Call> orphans;
        Slot slot;
        synchronized (table) {
            slot = table.remove(id);
            if (slot == null) {
                return;
            }
            orphans = new ArrayList<>(slot.queue);
            slot.queue.clear();
            for (Call c : orphans) {
                c.state = Call.NEW;
                c.slot = null;
            }
            waiting -= orphans.size();
        }
        slot.cacheWatch.dispose();
        for (Call c : orphans) {
            c.start();
        }
    }

    // ---- admission and release

    /**
     * Chooses a worker for {@code call}; returns whether to dispatch it now. Requests that idle
     * workers take from other queues meanwhile are dispatched before it returns.
     */
    boolean admit(Call call) {
        RelayException failure = null;
        List<Call> moved = null;
        boolean now = false;
        synchronized (table) {
            if (call.state != Call.NEW) {
                return false;
            }
            ArrayList<Slot> slots = table.slots;
            if (slots.isEmpty()) {
                noWorkers++;
                call.state = Call.DONE;
                failure = new RelayException(ErrorCode.NO_WORKERS, "no worker is available");
            } else {
                if (waiting > 0) {
                    // time passed: requests that waited long enough go first to idle workers
                    moved = rebalance();
                }
                int index = strategy.select(call.request, table);
                Slot slot = slots.get(index);
                if (slot.active < slot.capacity) {
                    activate(call, slot);
                    now = true;
                } else if (waiting >= maxWaiting) {
                    rejected++;
                    call.state = Call.DONE;
                    failure = new RelayException(ErrorCode.OVERLOADED,
                            "relay overloaded: " + waiting + " requests already wait for a worker");
                } else {
                    call.slot = slot;
                    call.state = Call.WAITING;
                    call.enqueuedAt = clock.getAsLong();
                    slot.queue.add(call);
                    waiting++;
                }
                if (call.state == Call.WAITING) {
                    List<Call> more = rebalance();
                    if (more != null) {
                        if (moved == null) {
                            moved = more;
                        } else {
                            moved.addAll(more);
                        }
                    }
                }
            }
        }
        if (failure != null) {
            if (moved != null) {
                dispatchAll(moved);
            }
            call.actual.onError(failure);
            return false;
        }
        if (moved != null) {
            for (Call c : moved) {
                if (c == call) {
                    now = true;
                } else {
                    c.dispatch();
                }
            }
        }
        return now;
    }

    private void activate(Call call, Slot slot) {
        slot.active++;
        slot.served++;
        routed++;
        if (slot.cached.contains(call.request.key())) {
            affinityHits++;
        }
        call.slot = slot;
        call.state = Call.ACTIVE;
        call.startedAt = clock.getAsLong();
        call.waitedNanos = call.startedAt - call.admittedAt;
    }

    /** The call ended or was cancelled: frees its credit or its place in the queue. */
    void release(Call call) {
        List<Call> next;
        long served;
        String worker;
        synchronized (table) {
            int state = call.state;
            call.state = Call.DONE;
            Slot slot = call.slot;
            if (slot == null) {
                return;
            }
            if (state == Call.WAITING) {
                slot.queue.remove(call);
                waiting--;
                return;
            }
            if (state != Call.ACTIVE || !slot.alive) {
                return;
            }
            slot.active--;
            served = clock.getAsLong() - call.startedAt;
            slot.recordService(served);
            worker = slot.id();
            next = pullWaiting(slot);
            if (waiting > 0) {
                List<Call> moved = rebalance();
                if (moved != null) {
                    if (next.isEmpty()) {
                        next = moved;
                    } else {
                        next.addAll(moved);
                    }
                }
            }
        }
        if (timings.active()) {
            timings.served(worker, served, call.done && !call.failed);
        }
        dispatchAll(next);
    }

    /** Fills the free credits of {@code slot} from its own waiting requests, oldest first. */
    private List<Call> pullWaiting(Slot slot) {
        List<Call> out = null;
        while (slot.active < slot.capacity) {
            Call c = slot.queue.poll();
            if (c == null) {
                break;
            }
            waiting--;
            activate(c, slot);
            if (out == null) {
                out = new ArrayList<>(2);
            }
            out.add(c);
        }
        return out == null ? List.of() : out;
    }

    /**
     * Lets every idle worker (a free credit, nothing of its own waiting) take requests waiting for
     * other workers, oldest first, as far as the strategy agrees. Returns the requests to
     * dispatch, or null if none moved.
     */
    private @Nullable List<Call> rebalance() {
        ArrayList<Slot> slots = table.slots;
        List<Call> out = null;
        long now = 0;
        boolean timed = false;
        for (int i = 0, n = slots.size(); i < n && waiting > 0; i++) {
            Slot idle = slots.get(i);
            if (idle.active >= idle.capacity || !idle.queue.isEmpty()) {
                continue;
            }
            if (!timed) {
                now = clock.getAsLong();
                timed = true;
            }
            while (idle.active < idle.capacity && waiting > 0) {
                Slot from = null;
                Call best = null;
                for (int j = 0; j < n; j++) {
                    Slot other = slots.get(j);
                    Call head = other.queue.peek();
                    if (head == null || other == idle || best != null && head.enqueuedAt >= best.enqueuedAt) {
                        continue;
                    }
                    if (strategy.takeWaiting(head.request, j, now - head.enqueuedAt, i, table)) {
                        best = head;
                        from = other;
                    }
                }
                if (best == null) {
                    break;
                }
                from.queue.poll();
                waiting--;
                activate(best, idle);
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(best);
            }
        }
        return out;
    }

    private static void dispatchAll(List<Call> calls) {
        for (Call c : calls) {
            c.dispatch();
        }
    }
}
