package dev.switchboard.benchmarks.routing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Rendezvous;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RouterStats;
import dev.switchboard.core.routing.RoutingStrategies;
import dev.switchboard.core.routing.RoutingStrategy;
import dev.switchboard.core.transport.CacheEvent;
import dev.switchboard.core.transport.ServiceTimes;
import dev.switchboard.core.transport.WorkerLink;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.reactivestreams.Subscription;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One run of one strategy on a discrete-event clock. The real {@link Router}, built through its
 * public builder with this run's clock, routes every request; the simulated workers serve them
 * on the same thread, each with a real Caffeine cache run on the caller's thread, and publish
 * its changes as cache events. Everything happens on one thread in event order, so a run is a
 * function of its inputs (up to Caffeine's rare random admission of a candidate, its defence
 * against hash flooding).
 */
final class Simulation {

    /**
     * The pool and its load. With {@code relays} above 1, that many independent routers share the
     * workers: each session's requests go to one router (session number modulo relays, as a load
     * balancer spreads connections), each router sees only its own requests, and a worker runs at
     * most {@code slots} at once over all of them, queueing the rest in arrival order.
     */
    record Config(int workers, int slots, int cache, double hitMs, double missMs, double load, boolean churn,
            long seed, int relays) {

        Config(int workers, int slots, int cache, double hitMs, double missMs, double load, boolean churn, long seed) {
            this(workers, slots, cache, hitMs, missMs, load, churn, seed, 1);
        }

        long hitNanos() {
            return Math.round(hitMs * 1e6);
        }

        long missNanos() {
            return Math.round(missMs * 1e6);
        }
    }

    /** One CSV row. */
    record Result(String strategy, long requests, double hitRatio, double idealHitRatio, double maxMeanLoad,
            double p50Ms, double p99Ms, double idleWhileQueued, double wastefulIdle, Agreement agreement) {
    }

    /**
     * How far independent routers' decisions and views differ (measured requests only): of the
     * requests for a key no live worker held when routed (cold), the fraction routed to the key's
     * rendezvous owner among the live workers, the placement every router derives from the same
     * membership; and the fraction of requests that waited at their worker because it was busy
     * with other routers' requests, which a router's own view of load cannot see (0 with one).
     */
    record Agreement(long coldRequests, double coldAtOwner, double queuedAtWorker, double meanWorkerWaitMs) {
    }

    static final String LEAVING_WORKER = "worker-0";
    private static final int ARRIVAL = 0;
    private static final int COMPLETE = 1;
    private static final int CACHE_PUT = 2;
    private static final double EWMA_ALPHA = 0.1;

    private final Workload workload;
    private final Config config;
    private final long[] arrivals;
    private final int warmup;
    private final PrintStream progress;
    private final String label;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final boolean[] started;
    private final Histogram latencyMicros = new Histogram(3);
    private final long[] servedMeasured;
    private final SimWorker[] workers;
    private final long threshold;

    private long now;
    private long seq;
    private Router[] routers;
    private int waiting;
    private int oldestWaiting;
    private int arrived;
    private int liveSlots;
    private int activeLive;
    private long exchanges;
    private long hits;
    private long measuredStarted;
    private long measuredHits;
    private long completed;
    private long failed;
    private double slotTime;
    private double idleQueued;
    private double wasteful;
    private long coldMeasured;
    private long coldAtOwner;
    private long queuedMeasured;
    private double workerWaitNanos;

    private Simulation(Workload workload, Config config, long[] arrivals, PrintStream progress, String label) {
        this.workload = workload;
        this.config = config;
        this.arrivals = arrivals;
        this.warmup = workload.size() / 5;
        this.progress = progress;
        this.label = label;
        this.started = new boolean[workload.size()];
        this.servedMeasured = new long[config.workers()];
        this.workers = new SimWorker[config.workers()];
        this.threshold = config.missNanos() - config.hitNanos();
    }

    /** Poisson arrival times at {@code load} × the pool's capacity at hit ratio {@code idealHitRatio}. */
    static long[] arrivals(int n, Config config, double idealHitRatio) {
        double meanService = idealHitRatio * config.hitNanos() + (1 - idealHitRatio) * config.missNanos();
        double ratePerNano = config.load() * config.workers() * config.slots() / meanService;
        SplittableRandom random = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
        long[] out = new long[n];
        double t = 0;
        for (int i = 0; i < n; i++) {
            t += -Math.log(1 - random.nextDouble()) / ratePerNano;
            out[i] = Math.round(t);
        }
        return out;
    }

    /** The hit ratio of one Caffeine cache of {@code entries} on the sequence, after its warm-up fifth. */
    static double idealHitRatio(Workload workload, long entries) {
        Cache<String, Boolean> cache = Caffeine.newBuilder().maximumSize(entries).executor(Runnable::run).build();
        int warmup = workload.size() / 5;
        long hit = 0;
        for (int i = 0; i < workload.size(); i++) {
            String key = workload.keyNames[workload.keys[i]];
            if (cache.getIfPresent(key) != null) {
                if (i >= warmup) {
                    hit++;
                }
            } else {
                cache.put(key, Boolean.TRUE);
            }
        }
        return (double) hit / (workload.size() - warmup);
    }

    /**
     * The fractions of the workload's keys whose rendezvous owner changes as one worker leaves and
     * one joins: the cold placement of cache affinity, rendezvous and bounded loads (round robin
     * and least loaded place no key), so one figure for the pool, not a column per strategy.
     */
    static double[] moved(Workload workload, int workerCount) {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < workerCount; i++) {
            all.add("worker-" + i);
        }
        List<String> left = new ArrayList<>(all);
        left.remove(LEAVING_WORKER);
        List<String> joined = new ArrayList<>(all);
        joined.add("worker-" + workerCount);
        long movedLeave = 0;
        long movedJoin = 0;
        for (String key : workload.keyNames) {
            String owner = all.get(Rendezvous.owner(key, all));
            if (!left.isEmpty() && !owner.equals(left.get(Rendezvous.owner(key, left)))) {
                movedLeave++;
            }
            if (!owner.equals(joined.get(Rendezvous.owner(key, joined)))) {
                movedJoin++;
            }
        }
        double keys = workload.keyNames.length;
        return new double[] {movedLeave / keys, movedJoin / keys};
    }

    /** Runs {@code strategy} on {@code workload}, checking the router's counts against its own. */
    static Result run(Workload workload, Config config, RoutingStrategy strategy, long[] arrivals,
            double idealHitRatio, PrintStream progress) {
        Simulation sim = new Simulation(workload, config, arrivals, progress, strategy.name());
        return sim.run(strategy, idealHitRatio);
    }

    private Result run(RoutingStrategy strategy, double idealHitRatio) {
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new SimWorker("worker-" + i, i);
        }
        routers = new Router[config.relays()];
        for (int r = 0; r < routers.length; r++) {
            Router.Builder builder = Router.builder()
                    .strategy(r == 0 ? strategy : RoutingStrategies.byName(strategy.name()))
                    .clock(() -> now)
                    .maxWaiting(Math.max(1, workload.size()));
            for (SimWorker w : workers) {
                builder.worker(w);
            }
            routers[r] = builder.build();
        }
        liveSlots = workers.length * config.slots();
        int n = workload.size();
        int leaveAt = config.churn() ? (int) (0.4 * n) : -1;
        int joinAt = config.churn() ? (int) (0.7 * n) : -1;
        schedule(arrivals[0], ARRIVAL, 0, null, null, 0);
        long wallStart = System.nanoTime();
        long lastReport = wallStart;
        long processed = 0;
        Event e;
        while ((e = events.poll()) != null) {
            advance(e.time);
            now = e.time;
            switch (e.type) {
                case ARRIVAL -> {
                    int i = e.index;
                    if (i == leaveAt) {
                        leave();
                    } else if (i == joinAt) {
                        rejoin();
                    }
                    if (i + 1 < n) {
                        schedule(arrivals[i + 1], ARRIVAL, i + 1, null, null, 0);
                    }
                    submit(i);
                }
                case COMPLETE -> e.exchange.complete();
                case CACHE_PUT -> e.worker.put(e.key, e.readyAt);
                default -> throw new IllegalStateException("unknown event " + e.type);
            }
            if ((++processed & 0xFFFF) == 0) {
                long wall = System.nanoTime();
                if (wall - lastReport > 3_000_000_000L) {
                    lastReport = wall;
                    progress.printf("%s: %d/%d requests arrived, %.1f s simulated, %.0f s elapsed%n",
                            label, arrived, n, now / 1e9, (wall - wallStart) / 1e9);
                }
            }
        }
        List<RouterStats> stats = new ArrayList<>();
        for (Router router : routers) {
            stats.add(router.stats());
            router.dispose();
        }
        crossCheck(stats);
        long measured = n - warmup;
        double mean = 0;
        long max = 0;
        for (long s : servedMeasured) {
            mean += s;
            max = Math.max(max, s);
        }
        mean /= servedMeasured.length;
        return new Result(strategy.name(), measured, (double) measuredHits / measuredStarted, idealHitRatio,
                max / mean, latencyMicros.getValueAtPercentile(50) / 1000.0,
                latencyMicros.getValueAtPercentile(99) / 1000.0, idleQueued / slotTime, wasteful / slotTime,
                new Agreement(coldMeasured, coldMeasured == 0 ? 1 : (double) coldAtOwner / coldMeasured,
                        (double) queuedMeasured / measuredStarted,
                        queuedMeasured == 0 ? 0 : workerWaitNanos / queuedMeasured / 1e6));
    }

    private void crossCheck(List<RouterStats> all) {
        List<String> problems = new ArrayList<>();
        long routed = 0;
        long rejected = 0;
        long noWorkers = 0;
        long stillWaiting = 0;
        for (RouterStats s : all) {
            routed += s.routed();
            rejected += s.rejected();
            noWorkers += s.noWorkers();
            stillWaiting += s.waiting();
        }
        if (routed != exchanges) {
            problems.add("routers routed " + routed + " requests, the workers took " + exchanges);
        }
        // a router counts a hit when it routes to a worker reporting the key; with one router the
        // request starts at once, so the worker's cache agrees; with several it may wait there first
        if (all.size() == 1 && all.get(0).affinityHits() != hits) {
            problems.add("router counted " + all.get(0).affinityHits() + " affinity hits, the caches " + hits);
        }
        if (completed + failed != workload.size()) {
            problems.add((completed + failed) + " of " + workload.size() + " requests ended");
        }
        if (failed != 0 || rejected != 0 || noWorkers != 0) {
            problems.add(failed + " requests failed (" + rejected + " rejected, " + noWorkers + " without workers)");
        }
        if (stillWaiting != 0 || waiting != 0) {
            problems.add(stillWaiting + " requests still wait in the routers, " + waiting + " by the simulator's count");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(label + ": the simulator and the router disagree: "
                    + String.join("; ", problems));
        }
    }

    private void leave() {
        SimWorker w = workers[indexOf(LEAVING_WORKER)];
        w.alive = false;
        liveSlots -= config.slots();
        activeLive -= w.active;
        for (Router router : routers) {
            router.membership().leave(w.id);
        }
    }

    private void rejoin() {
        int i = indexOf(LEAVING_WORKER);
        SimWorker w = new SimWorker(LEAVING_WORKER, i);
        workers[i] = w;
        liveSlots += config.slots();
        for (Router router : routers) {
            router.membership().join(w);
        }
    }

    private static int indexOf(String id) {
        return Integer.parseInt(id.substring("worker-".length()));
    }

    private void submit(int i) {
        arrived = i + 1;
        waiting++;
        Request request = Request.builder()
                .sessionId(workload.sessionNames[workload.sessions[i]])
                .id(RequestId.of(i))
                .key(workload.keyNames[workload.keys[i]])
                .build();
        routers[workload.sessions[i] % routers.length].route(request).subscribe(new Client(i));
    }

    /** Integrates idle slot time up to {@code t} over the measured window (warm-up to last arrival). */
    private void advance(long t) {
        long windowStart = arrivals[warmup];
        long windowEnd = arrivals[arrivals.length - 1];
        long a = Math.max(now, windowStart);
        long b = Math.min(t, windowEnd);
        if (b <= a) {
            return;
        }
        double dt = b - a;
        slotTime += dt * liveSlots;
        int idle = liveSlots - activeLive;
        if (waiting > 0 && idle > 0) {
            idleQueued += dt * idle;
            long crossing = arrivals[oldestWaiting] + threshold;
            long c = Math.max(a, crossing);
            if (b > c) {
                wasteful += (double) (b - c) * idle;
            }
        }
    }

    /** Request {@code i} left the relay's queue: it started, or failed before. */
    private void started(int i) {
        if (started[i]) {
            return;
        }
        started[i] = true;
        waiting--;
        while (oldestWaiting < arrived && started[oldestWaiting]) {
            oldestWaiting++;
        }
    }

    private void schedule(long time, int type, int index, @Nullable Exchange exchange, @Nullable SimWorker worker,
            long readyAt) {
        Event e = new Event();
        e.time = time;
        e.seq = seq++;
        e.type = type;
        e.index = index;
        e.exchange = exchange;
        e.worker = worker;
        e.readyAt = readyAt;
        events.add(e);
    }

    private static final class Event implements Comparable<Event> {
        long time;
        long seq;
        int type;
        int index;
        Exchange exchange;
        SimWorker worker;
        String key;
        long readyAt;

        @Override
        public int compareTo(Event o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** The client of request {@code index}: records its latency. */
    private final class Client implements CoreSubscriber<Payload> {
        final int index;

        Client(int index) {
            this.index = index;
        }

        @Override
        public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Payload payload) {
        }

        @Override
        public void onError(Throwable t) {
            failed++;
            started(index);
        }

        @Override
        public void onComplete() {
            completed++;
            if (index >= warmup) {
                latencyMicros.recordValue(Math.max(0, (now - arrivals[index]) / 1000));
            }
        }
    }

    /** A simulated worker: a real Caffeine cache of ready times, serving in simulated time. */
    private final class SimWorker implements WorkerLink {
        final String id;
        final int index;
        final Cache<String, Long> cache;
        final Sinks.Many<CacheEvent> cacheEvents = Sinks.unsafe().many().multicast().directBestEffort();
        boolean alive = true;
        int active;
        /** Requests routed here while all its slots were busy with other routers' requests. */
        final ArrayDeque<Exchange> queue = new ArrayDeque<>();
        double hitEwma;
        double missEwma;
        ServiceTimes times = ServiceTimes.UNKNOWN;

        SimWorker(String id, int index) {
            this.id = id;
            this.index = index;
            this.cache = Caffeine.newBuilder()
                    .maximumSize(config.cache())
                    .executor(Runnable::run)
                    .<String, Long>removalListener((key, value, cause) -> {
                        if (key != null && cause != RemovalCause.REPLACED) {
                            cacheEvents.tryEmitNext(CacheEvent.evicted(key));
                        }
                    })
                    .build();
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public int capacity() {
            return config.slots();
        }

        @Override
        public Flux<WorkerLink.Item> exchange(Request request) {
            return new Exchange(this, request);
        }

        @Override
        public Flux<CacheEvent> cacheEvents() {
            return cacheEvents.asFlux();
        }

        @Override
        public ServiceTimes serviceTimes() {
            return times;
        }

        @Override
        public Mono<Void> onClose() {
            return Mono.never();
        }

        /** A miss finished loading {@code key} (ready at {@code readyAt}): it is cached from now on. */
        void put(String key, long readyAt) {
            // report first: Caffeine may evict the new entry at once, and that report must come after
            cacheEvents.tryEmitNext(CacheEvent.cached(key));
            cache.put(key, readyAt);
        }

        void record(boolean hit, long nanos) {
            if (hit) {
                hitEwma = hitEwma == 0 ? nanos : hitEwma + EWMA_ALPHA * (nanos - hitEwma);
            } else {
                missEwma = missEwma == 0 ? nanos : missEwma + EWMA_ALPHA * (nanos - missEwma);
            }
            times = new ServiceTimes(hitEwma, missEwma);
        }
    }

    /** One exchange: starts on subscription, completes at its simulated end. */
    private final class Exchange extends Flux<WorkerLink.Item> implements Subscription {
        final SimWorker worker;
        final Request request;
        @Nullable CoreSubscriber<? super WorkerLink.Item> actual;
        boolean hit;
        long startedAt;
        /** When it began to wait at its busy worker, or -1. */
        long queuedAt = -1;
        boolean cancelled;

        Exchange(SimWorker worker, Request request) {
            this.worker = worker;
            this.request = request;
        }

        @Override
        public void subscribe(CoreSubscriber<? super WorkerLink.Item> subscriber) {
            actual = subscriber;
            subscriber.onSubscribe(this);
            int i = (int) request.id().asLong();
            started(i);
            exchanges++;
            if (i >= warmup) {
                countCold(i);
            }
            if (worker.active >= config.slots()) {
                // busy with other routers' requests (only with several): wait at the worker
                queuedAt = now;
                worker.queue.add(this);
            } else {
                start();
            }
        }

        /** Counts a request for a key no live worker holds, and whether it went to the key's owner. */
        private void countCold(int i) {
            List<String> live = new ArrayList<>(workers.length);
            for (SimWorker w : workers) {
                if (w.alive) {
                    if (w.cache.asMap().containsKey(request.key())) {
                        return;
                    }
                    live.add(w.id);
                }
            }
            coldMeasured++;
            if (!live.isEmpty() && live.get(Rendezvous.owner(request.key(), live)).equals(worker.id)) {
                coldAtOwner++;
            }
        }

        private void start() {
            int i = (int) request.id().asLong();
            if (queuedAt >= 0 && i >= warmup) {
                queuedMeasured++;
                workerWaitNanos += now - queuedAt;
            }
            Long readyAt = worker.cache.getIfPresent(request.key());
            hit = readyAt != null;
            long service;
            if (hit) {
                hits++;
                service = Math.max(0, readyAt - now) + config.hitNanos();
            } else {
                service = config.missNanos();
                Event put = new Event();
                put.time = now;
                put.seq = seq++;
                put.type = CACHE_PUT;
                put.worker = worker;
                put.key = request.key();
                put.readyAt = now + service;
                events.add(put);
            }
            if (i >= warmup) {
                measuredStarted++;
                servedMeasured[worker.index]++;
                if (hit) {
                    measuredHits++;
                }
            }
            worker.active++;
            if (worker.alive) {
                activeLive++;
            }
            startedAt = now;
            schedule(now + service, COMPLETE, i, this, null, 0);
        }

        void complete() {
            worker.active--;
            if (worker.alive) {
                activeLive--;
            }
            worker.record(hit, now - startedAt);
            if (!cancelled && actual != null) {
                actual.onComplete();
            }
            Exchange next = worker.queue.poll();
            if (next != null) {
                next.start();
            }
        }

        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
            cancelled = true;
            worker.queue.remove(this);
        }
    }
}
