package dev.switchboard.benchmarks.routing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.routing.RoutingStrategies;
import java.io.OutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The routing targets of ROUTING.md on a short trace, so that a change that breaks routing
 * quality fails the build: cache affinity within 3% of the ideal hit ratio, its busiest worker at
 * most 1.2 × the mean, no wasteful idleness, a p99 at most 0.6 × rendezvous'. The simulation is
 * deterministic (seeded workload, arrivals and decisions on a simulated clock), so the margins
 * do not depend on the machine.
 */
class RoutingTargetsTest {

    static final double MIN_HIT_OVER_IDEAL = 0.97;
    static final double MAX_MEAN_LOAD = 1.20;
    static final double MAX_WASTEFUL_IDLE = 0.005;
    static final double MAX_P99_OVER_RENDEZVOUS = 0.6;

    static Simulation.Result affinity;
    static Simulation.Result rendezvous;

    @BeforeAll
    static void simulate() {
        Workload workload = Workload.zipf(0.9, 20_000, 200_000, 1000, 1);
        Simulation.Config config = new Simulation.Config(8, 4, 200, 1, 10, 0.8, false, 1);
        double ideal = Simulation.idealHitRatio(workload, 8L * 200);
        long[] arrivals = Simulation.arrivals(workload.size(), config, ideal);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        affinity = Simulation.run(workload, config, RoutingStrategies.byName("cache-affinity"), arrivals, ideal, quiet);
        rendezvous = Simulation.run(workload, config, RoutingStrategies.byName("rendezvous"), arrivals, ideal, quiet);
    }

    @Test
    void hitRatioIsNearTheIdeal() {
        double ratio = affinity.hitRatio() / affinity.idealHitRatio();
        assertTrue(ratio >= MIN_HIT_OVER_IDEAL, "hit ratio " + affinity.hitRatio() + " = " + ratio + " x ideal");
    }

    @Test
    void noWorkerIsOverloaded() {
        assertTrue(affinity.maxMeanLoad() <= MAX_MEAN_LOAD, "max/mean load " + affinity.maxMeanLoad());
    }

    @Test
    void noWorkerIdlesWhileARequestWaitsTooLong() {
        assertTrue(affinity.wastefulIdle() <= MAX_WASTEFUL_IDLE, "wasteful idle " + affinity.wastefulIdle());
    }

    @Test
    void tailLatencyBeatsPureHashing() {
        double ratio = affinity.p99Ms() / rendezvous.p99Ms();
        assertTrue(ratio <= MAX_P99_OVER_RENDEZVOUS,
                "p99 " + affinity.p99Ms() + " ms vs rendezvous " + rendezvous.p99Ms() + " ms = " + ratio);
    }
}
