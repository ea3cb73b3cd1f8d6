package dev.switchboard.core.routing;

import dev.switchboard.core.Request;
import dev.switchboard.core.transport.ServiceTimes;

/**
 * Sends each request where it is expected to finish soonest. See
 * {@link RoutingStrategies#cacheAffinity()} for the policy.
 *
 * <p>A request's score on a worker is its expected wait there plus its service time there (the
 * worker's t_hit if it reports the key cached, else its t_miss). Equal scores go, for a hot key, to
 * the worker with fewer outstanding requests, so that its replicas share it; otherwise, and then,
 * by rendezvous order. The expected wait is 0 while the
 * worker has a free credit, else (outstanding − credits + 1) × mean service time / credits.
 */
final class CacheAffinity implements RoutingStrategy {

    /** Factor of the safety cap on a worker's outstanding requests over the mean. */
    static final double CAP_FACTOR = 1.25;
    /** t_hit assumed for a worker that has not measured one yet. */
    static final double DEFAULT_HIT_NANOS = 1_000_000;
    /** t_miss assumed for a worker that has not measured one yet. */
    static final double DEFAULT_MISS_NANOS = 10_000_000;

    private final HotKeys hot = new HotKeys();
    // scratch, one entry per worker, reused from decision to decision
    private int[] holders = new int[0];
    private int[] marks = new int[0];
    private long[] weights = new long[0];
    private int[] outstanding = new int[0];
    private int[] capacity = new int[0];
    private int epoch;
    /** The largest cache reported at the previous decision: the hot set's bound follows it. */
    private int largestCache;

    @Override
    public String name() {
        return "cache-affinity";
    }

    /**
     * The hot set's bound: min(2 × workers, a quarter of the largest reported cache), the cache
     * as reported at the previous decision.
     */
    static int hotBound(int workers, int largestCache) {
        return Math.min(2 * workers, largestCache / 4);
    }

    /** The number of hot keys now (for tests). */
    int hotKeys() {
        return hot.size();
    }

    @Override
    public int select(Request request, RoutingView view) {
        int n = view.size();
        if (holders.length < n) {
            int length = Math.max(n, 2 * holders.length);
            holders = new int[length];
            marks = new int[length];
            weights = new long[length];
            outstanding = new int[length];
            capacity = new int[length];
            epoch = 0;
        }
        if (++epoch == 0) {
            java.util.Arrays.fill(marks, 0);
            epoch = 1;
        }
        String key = request.key();
        long keyHash = Rendezvous.hash(key);
        boolean isHot = hot.record(keyHash, hotBound(n, largestCache));
        int held = view.holders(key, holders);
        for (int j = 0; j < held; j++) {
            marks[holders[j]] = epoch;
        }
        // one pass: loads, rendezvous weights, the free worker to spill to, and the best candidate
        // ignoring the safety cap, which rarely binds and is applied afterwards
        long total = 0;
        int largest = 0;
        int owner = 0;
        int free = -1;
        int best = -1;
        double bestScore = Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            WorkerState w = view.worker(i);
            int out = w.active() + w.waiting();
            int cap = w.capacity();
            long weight = Rendezvous.weight(keyHash, w.hash());
            outstanding[i] = out;
            capacity[i] = cap;
            weights[i] = weight;
            total += out;
            largest = Math.max(largest, w.cachedKeys());
            if (weight > weights[owner]) {
                owner = i;
            }
            boolean holds = marks[i] == epoch;
            if (out < cap && !holds && (free < 0 || weight > weights[free])) {
                free = i;
            }
            if (isHot || holds) {
                double score = score(view, i, holds, bestScore);
                if (best < 0 || score < bestScore || score == bestScore && (isHot
                        ? out < outstanding[best] || out == outstanding[best] && weight > weights[best]
                        : weight > weights[best])) {
                    best = i;
                    bestScore = score;
                }
            }
        }
        largestCache = largest;
        if (!isHot && marks[owner] != epoch) {
            double score = score(view, owner, false, bestScore);
            if (best < 0 || score < bestScore || score == bestScore && weights[owner] > weights[best]) {
                best = owner;
                bestScore = score;
            }
        }
        // the cap counts outstanding requests over the mean (this one included)
        double capBase = Math.ceil(CAP_FACTOR * (total + 1) / n);
        if (outstanding[best] >= capBase + capacity[best]) {
            best = -1;
            bestScore = Double.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                boolean holds = marks[i] == epoch;
                if ((isHot || holds || i == owner) && outstanding[i] < capBase + capacity[i]) {
                    double score = score(view, i, holds, bestScore);
                    if (best < 0 || score < bestScore || score == bestScore && (isHot
                            ? outstanding[i] < outstanding[best]
                                    || outstanding[i] == outstanding[best] && weights[i] > weights[best]
                            : weights[i] > weights[best])) {
                        best = i;
                        bestScore = score;
                    }
                }
            }
        }
        if (best < 0) {
            // every candidate is at its cap: the lowest score anywhere
            for (int i = 0; i < n; i++) {
                double score = score(view, i, marks[i] == epoch, bestScore);
                if (best < 0 || score < bestScore || score == bestScore && weights[i] > weights[best]) {
                    best = i;
                    bestScore = score;
                }
            }
            return best;
        }
        if (free >= 0 && free != best && bestScore > missNanos(view.worker(free).serviceTimes())) {
            return free;
        }
        return best;
    }

    /**
     * The score of worker {@code i}, its load as gathered by {@link #select}; any value above
     * {@code bound} once the score is known to exceed it (the wait is not worked out then).
     */
    private double score(RoutingView view, int i, boolean holds, double bound) {
        WorkerState w = view.worker(i);
        ServiceTimes t = w.serviceTimes();
        double service = holds ? hitNanos(t) : missNanos(t);
        int queued = outstanding[i] - capacity[i];
        if (queued < 0 || service > bound) {
            return service;
        }
        double mean = w.meanServiceNanos();
        if (mean <= 0) {
            mean = (hitNanos(t) + missNanos(t)) / 2;
        }
        return (queued + 1) * mean / capacity[i] + service;
    }

    @Override
    public boolean takeWaiting(Request request, int owner, long waitedNanos, int idle, RoutingView view) {
        WorkerState w = view.worker(idle);
        if (w.holds(request.key())) {
            return true;
        }
        ServiceTimes t = w.serviceTimes();
        return waitedNanos >= missNanos(t) - hitNanos(t);
    }

    static double score(WorkerState w, boolean holds) {
        ServiceTimes t = w.serviceTimes();
        return expectedWait(w, t) + (holds ? hitNanos(t) : missNanos(t));
    }

    static double expectedWait(WorkerState w, ServiceTimes t) {
        int outstanding = w.outstanding();
        int capacity = w.capacity();
        if (outstanding < capacity) {
            return 0;
        }
        double mean = w.meanServiceNanos();
        if (mean <= 0) {
            mean = (hitNanos(t) + missNanos(t)) / 2;
        }
        return (outstanding - capacity + 1) * mean / capacity;
    }

    /**
     * The worker's t_hit; until it has measured one, its t_miss scaled by the defaults' ratio, or
     * the default: a worker's own guess must never put its hit above its measured miss (a session
     * would leave the worker that holds its key for any other that has measured a cheap miss).
     */
    static double hitNanos(ServiceTimes t) {
        if (t.hitNanos() > 0) {
            return t.hitNanos();
        }
        return t.missNanos() > 0 ? t.missNanos() * (DEFAULT_HIT_NANOS / DEFAULT_MISS_NANOS) : DEFAULT_HIT_NANOS;
    }

    /** The worker's t_miss; until it has measured one, its t_hit scaled by the defaults' ratio, or the default. */
    static double missNanos(ServiceTimes t) {
        if (t.missNanos() > 0) {
            return t.missNanos();
        }
        return t.hitNanos() > 0 ? t.hitNanos() * (DEFAULT_MISS_NANOS / DEFAULT_HIT_NANOS) : DEFAULT_MISS_NANOS;
    }
}
