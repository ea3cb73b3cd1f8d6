package dev.switchboard.core.routing;

import dev.switchboard.core.transport.ServiceTimes;
import dev.switchboard.core.transport.WorkerLink;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import reactor.core.Disposable;

/**
 * One live worker as the router keeps it: its link, credits in use, the calls waiting for it, the
 * keys it reports cached and its measured service time; what a {@link RoutingStrategy} reads of
 * it through {@link WorkerState}. Every field is guarded by the {@link WorkerTable}'s monitor
 * (except the final ones). It only holds state: the {@link WorkerTable} adds, indexes and removes
 * slots, the {@link Dispatcher} moves calls in and out of its queue and credits; a slot must not
 * start, dispatch or end a call itself.
 */
final class Slot implements WorkerState {

    /** Weight of the newest sample in each worker's mean service time. */
    static final double SERVICE_EWMA_ALPHA = 0.05;

    final WorkerLink link;
    final int capacity;
    final ArrayDeque<Call> queue = new ArrayDeque<>();
    final Set<String> cached = new HashSet<>();
    final long hash;
    /** {@code cached.size()}, kept beside the other fields strategies read on every decision. */
    int cachedCount;
    int index;
    int active;
    long served;
    double meanServiceNanos;
    ServiceTimes times;
    boolean alive = true;
    Disposable cacheWatch = () -> { };

    Slot(WorkerLink link) {
        this.link = link;
        this.capacity = link.capacity();
        this.hash = Rendezvous.hash(link.id());
        this.times = link.serviceTimes();
    }

    /** A request it served ended after {@code nanos}; its reported times may have changed. */
    void recordService(long nanos) {
        double sample = Math.max(0, nanos);
        meanServiceNanos = meanServiceNanos == 0 ? sample
                : meanServiceNanos + SERVICE_EWMA_ALPHA * (sample - meanServiceNanos);
        times = link.serviceTimes();
    }

    @Override
    public long hash() {
        return hash;
    }

    @Override
    public double meanServiceNanos() {
        return meanServiceNanos;
    }

    @Override
    public int cachedKeys() {
        return cachedCount;
    }

    @Override
    public String id() {
        return link.id();
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public int active() {
        return active;
    }

    @Override
    public int waiting() {
        return queue.size();
    }

    @Override
    public boolean holds(String key) {
        return cached.contains(key);
    }

    @Override
    public ServiceTimes serviceTimes() {
        return times;
    }
}
