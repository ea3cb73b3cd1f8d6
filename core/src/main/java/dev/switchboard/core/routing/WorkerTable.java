package dev.switchboard.core.routing;

import dev.switchboard.core.transport.CacheEvent;
import dev.switchboard.core.transport.WorkerLink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live workers as the router knows them, and the {@link RoutingView} strategies choose from:
 * the {@link Slot}s in join order, their index by id, and the cache index (which workers report
 * each key cached), kept current from each worker's cache events. Its monitor is the router's one
 * lock: it guards every slot, this table and the {@link Dispatcher}'s counters, and the view is
 * valid only while it is held. It adds and removes workers when the dispatcher tells it to; it
 * must not touch calls (their queues, credits or states): what a join or a leave means for
 * requests is the dispatcher's.
 */
final class WorkerTable implements RoutingView {

    private static final Logger log = LoggerFactory.getLogger(WorkerTable.class);

    /** A worker may report at most this many cached keys; further CACHED reports are ignored. */
    static final int MAX_REPORTED_KEYS = 1 << 20;

    private final LongSupplier clock;
    final ArrayList<Slot> slots = new ArrayList<>();
    private final Map<String, Slot> byId = new HashMap<>();
    /** Which live workers report each key cached: the inverse of every {@code Slot.cached}. */
    private final Map<String, ArrayList<Slot>> holdersByKey = new HashMap<>();

    WorkerTable(LongSupplier clock) {
        this.clock = clock;
    }

    // ---- RoutingView, only valid under the lock

    @Override
    public int size() {
        return slots.size();
    }

    @Override
    public WorkerState worker(int index) {
        return slots.get(index);
    }

    @Override
    public long nanoTime() {
        return clock.getAsLong();
    }

    @Override
    public int holders(String key, int[] into) {
        ArrayList<Slot> holders = holdersByKey.get(key);
        if (holders == null) {
            return 0;
        }
        int n = holders.size();
        for (int i = 0; i < n; i++) {
            into[i] = holders.get(i).index;
        }
        return n;
    }

    // ---- membership, under the lock

    /** Adds {@code link} last; call {@link #watchCache} once the lock is released. */
    Slot add(WorkerLink link) {
        Slot slot = new Slot(link);
        slot.index = slots.size();
        slots.add(slot);
        byId.put(link.id(), slot);
        return slot;
    }

    /**
     * Removes the worker with this id, renumbers the others and forgets what it cached; returns its
     * slot, now dead, with its queue untouched, or null if it was not here.
     */
    @Nullable Slot remove(String id) {
        Slot slot = byId.remove(id);
        if (slot == null) {
            return null;
        }
        slots.remove(slot);
        for (int i = 0; i < slots.size(); i++) {
            slots.get(i).index = i;
        }
        slot.alive = false;
        for (String key : slot.cached) {
            unindex(key, slot);
        }
        slot.cached.clear();
        slot.cachedCount = 0;
        return slot;
    }

    // ---- the cache index

    /** Follows the cache events of {@code slot}'s worker; call it outside the lock. */
    void watchCache(Slot slot) {
        WorkerLink link = slot.link;
        slot.cacheWatch = link.cacheEvents().subscribe(e -> onCacheEvent(slot, e),
                e -> log.warn("cache events of worker {} failed", link.id(), e));
    }

    synchronized void onCacheEvent(Slot slot, CacheEvent event) {
        if (!slot.alive) {
            return;
        }
        String key = event.key();
        if (event.type() == CacheEvent.Type.CACHED) {
            if (slot.cached.size() < MAX_REPORTED_KEYS && slot.cached.add(key)) {
                holdersByKey.computeIfAbsent(key, k -> new ArrayList<>(2)).add(slot);
                slot.cachedCount++;
            }
        } else if (slot.cached.remove(key)) {
            unindex(key, slot);
            slot.cachedCount--;
        }
    }

    private void unindex(String key, Slot slot) {
        ArrayList<Slot> holders = holdersByKey.get(key);
        if (holders != null && holders.remove(slot) && holders.isEmpty()) {
            holdersByKey.remove(key);
        }
    }

    // ---- reading and closing

    /** Each live worker's load, in join order. */
    synchronized List<WorkerLoad> loads() {
        List<WorkerLoad> out = new ArrayList<>(slots.size());
        for (Slot s : slots) {
            out.add(new WorkerLoad(s.id(), s.capacity, s.active, s.queue.size(), s.served, s.cachedCount));
        }
        return out;
    }

    /** Stops following the cache events of every worker here now. */
    void stopWatching() {
        List<Slot> gone;
        synchronized (this) {
            gone = new ArrayList<>(slots);
        }
        for (Slot s : gone) {
            s.cacheWatch.dispose();
        }
    }
}
