package dev.switchboard.benchmarks;

import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Rendezvous;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RouterStats;
import dev.switchboard.core.routing.RoutingStrategies;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The router's cost per request: one operation is one worker answering one of its open requests
 * and one new request routed, both through a real {@link Router} built by
 * {@link Router#builder()}, on its real clock ({@link System#nanoTime()}). Timed, per request:
 * {@code route} and its admission under the router's lock (the strategy's {@code select}, the
 * queue when the chosen worker has no credit), the worker's completion (the credit returned,
 * the worker's own waiting requests pulled, the idle workers offered the others' waiting
 * requests through {@code takeWaiting}), and the dispatch to the worker's link.
 *
 * <p>The workers are in-process {@link HeldWorkers} links of {@value #CAPACITY} credits that
 * answer only when the benchmark completes one of their open exchanges, drawn at random over all
 * of them (no work, no thread): service times vary, so a worker sometimes runs dry while others
 * have requests waiting. The
 * benchmark keeps {@value #IN_FLIGHT_PER_CREDIT} requests per credit in flight, so about half of
 * them wait in the router and the admission and rebalancing paths run on every operation. Keys
 * follow a Zipf(0.9) law over {@value #KEYS} keys; each worker reports cached, once at its join,
 * its rendezvous share of the keys up to {@value #CACHED_PER_WORKER} (no cache events are timed).
 * The workers report hit and miss times at the scale of this benchmark's own (microseconds), so
 * that cache affinity's spills and moves happen on a real clock. One benchmark thread, so the
 * router's lock is never contended. Round robin is the baseline in the same run.
 *
 * <pre>
 * mvn -B -o -q package -pl benchmarks -am -DskipTests
 * java -jar benchmarks/target/benchmarks.jar RouterBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RouterBenchmark {

    static final int REQUESTS = 1 << 14;
    static final int KEYS = 100_000;
    static final int CACHED_PER_WORKER = 1000;
    /** Credits of each worker: small against the requests offered. */
    static final int CAPACITY = 4;
    /** Requests in flight per credit of the pool: about half of them wait for a credit. */
    static final int IN_FLIGHT_PER_CREDIT = 2;
    /** Hit and miss times the workers report, at the scale of this benchmark's service times. */
    static final long HIT_NANOS = 2_000;
    static final long MISS_NANOS = 20_000;

    /** One of {@link RoutingStrategies#names()} (a test checks the lists agree). */
    @Param({"round-robin", "least-loaded", "rendezvous", "bounded-load", "cache-affinity"})
    public String strategy;

    /** Workers in the pool. */
    @Param({"8", "64"})
    public int workers;

    Router router;
    HeldWorkers held;
    private Request[] requests;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        requests = zipfRequests(new SplittableRandom(42));
        held = new HeldWorkers(workers * CAPACITY, HIT_NANOS, MISS_NANOS);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            ids.add("worker-" + i);
        }
        List<List<String>> cached = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            cached.add(new ArrayList<>());
        }
        for (int k = 0; k < KEYS; k++) {
            String key = "key-" + k;
            List<String> keys = cached.get(Rendezvous.owner(key, ids));
            if (keys.size() < CACHED_PER_WORKER) {
                keys.add(key);
            }
        }
        int inFlight = workers * CAPACITY * IN_FLIGHT_PER_CREDIT;
        Router.Builder builder = Router.builder().strategy(RoutingStrategies.byName(strategy)).maxWaiting(inFlight);
        for (int i = 0; i < workers; i++) {
            builder.worker(held.link(ids.get(i), CAPACITY, cached.get(i)));
        }
        router = builder.build();
        for (int i = 0; i < inFlight; i++) {
            routeNext();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        RouterStats stats = router.stats();
        router.dispose();
        System.out.printf("%n# %s, %d workers: %d requests answered, %.3f of them on a worker holding their key,"
                + " %d waiting at the end%n", strategy, workers, held.completed(),
                (double) stats.affinityHits() / Math.max(1, stats.routed()), stats.waiting());
        if (held.errors() > 0 || stats.rejected() > 0 || stats.noWorkers() > 0) {
            throw new IllegalStateException("the benchmark's requests failed: " + held.errors() + " errors, " + stats);
        }
    }

    /** A worker answers one of its open requests, then a new request is routed. */
    @Benchmark
    public long completeAndRoute() {
        held.completeOne();
        routeNext();
        return held.completed();
    }

    void routeNext() {
        held.route(router, requests[next++ & (REQUESTS - 1)]);
    }

    /** {@link #REQUESTS} requests with keys drawn from Zipf(0.9) over {@link #KEYS} keys. */
    static Request[] zipfRequests(SplittableRandom random) {
        Zipf law = new Zipf(KEYS, 0.9);
        Request[] out = new Request[REQUESTS];
        for (int r = 0; r < REQUESTS; r++) {
            out[r] = Request.builder().id(RequestId.of(r)).key("key-" + law.sample(random)).build();
        }
        return out;
    }
}
