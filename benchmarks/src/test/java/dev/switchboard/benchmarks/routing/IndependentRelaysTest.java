package dev.switchboard.benchmarks.routing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.routing.RoutingStrategies;
import java.io.OutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several relays that share one pool of workers without talking to each other (issue 20), on the
 * routing targets' trace at load 0.8: three independent routers, each taking a third of the
 * sessions and seeing only its own requests' load, against one router taking them all. The
 * bounds are what ROUTING.md promises for scale-out; the run is deterministic.
 */
class IndependentRelaysTest {

    /** Pooled hit ratio of three relays over one relay's, at least. */
    static final double MIN_POOLED_HIT_OVER_SINGLE = 0.95;
    /** Requests for a key no worker held that went to the key's rendezvous owner, at least. */
    static final double MIN_COLD_AT_OWNER = 0.90;
    /** p99 of three relays over one relay's, at most: what partial load views cost. */
    static final double MAX_P99_OVER_SINGLE = 1.5;

    static Simulation.Result single;
    static Simulation.Result pooled;

    @BeforeAll
    static void simulate() {
        Workload workload = Workload.zipf(0.9, 20_000, 200_000, 1000, 1);
        Simulation.Config one = new Simulation.Config(8, 4, 200, 1, 10, 0.8, false, 1, 1);
        Simulation.Config three = new Simulation.Config(8, 4, 200, 1, 10, 0.8, false, 1, 3);
        double ideal = Simulation.idealHitRatio(workload, 8L * 200);
        long[] arrivals = Simulation.arrivals(workload.size(), one, ideal);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        single = Simulation.run(workload, one, RoutingStrategies.byName("cache-affinity"), arrivals, ideal, quiet);
        pooled = Simulation.run(workload, three, RoutingStrategies.byName("cache-affinity"), arrivals, ideal, quiet);
    }

    @Test
    void threeRelaysHitTheirWorkersCachesAsOneDoes() {
        double ratio = pooled.hitRatio() / single.hitRatio();
        assertTrue(ratio >= MIN_POOLED_HIT_OVER_SINGLE,
                "3 relays hit " + pooled.hitRatio() + ", one relay " + single.hitRatio() + ": " + ratio);
    }

    @Test
    void coldKeysGoToTheOwnerEveryRelayDerivesFromTheMembership() {
        Simulation.Agreement a = pooled.agreement();
        assertTrue(a.coldRequests() > 1000, "too few cold requests to judge: " + a.coldRequests());
        assertTrue(a.coldAtOwner() >= MIN_COLD_AT_OWNER, "cold requests at their owner: " + a.coldAtOwner());
    }

    @Test
    void partialLoadViewsCostBoundedTailLatency() {
        assertTrue(single.agreement().queuedAtWorker() == 0, "one relay never overcommits a worker");
        double ratio = pooled.p99Ms() / single.p99Ms();
        assertTrue(ratio <= MAX_P99_OVER_SINGLE, "p99 " + pooled.p99Ms() + " ms with 3 relays, " + single.p99Ms()
                + " ms with one (" + pooled.agreement().queuedAtWorker() + " of requests waited at a busy worker)");
    }
}
