package dev.switchboard.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.routing.RouterStats;
import dev.switchboard.core.routing.RoutingStrategies;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.annotations.Param;

/** The benchmark drives the real router through its waiting and rebalancing paths, and loses nothing. */
class RouterBenchmarkTest {

    static final int OPERATIONS = 20_000;

    static Iterable<String> strategies() {
        return RoutingStrategies.names();
    }

    @Test
    void itRunsEveryStrategyTheRouterKnows() throws NoSuchFieldException {
        Param param = RouterBenchmark.class.getField("strategy").getAnnotation(Param.class);
        assertEquals(Set.copyOf(RoutingStrategies.names()), Set.of(param.value()));
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void requestsWaitAndEveryOneIsAnswered(String strategy) {
        RouterBenchmark bench = new RouterBenchmark();
        bench.strategy = strategy;
        bench.workers = 8;
        bench.setUp();
        bench.held.countMoves(bench.router);
        try {
            int inFlight = bench.workers * RouterBenchmark.CAPACITY * RouterBenchmark.IN_FLIGHT_PER_CREDIT;
            for (int i = 0; i < OPERATIONS; i++) {
                bench.completeAndRoute();
            }
            RouterStats stats = bench.router.stats();
            assertEquals(OPERATIONS, bench.held.completed());
            assertEquals(0, bench.held.errors());
            assertEquals(0, stats.rejected());
            assertEquals(strategy, bench.router.strategyName());
            assertTrue(stats.waiting() > 0, "requests wait for a credit: " + stats);
            assertEquals(inFlight, stats.waiting() + bench.held.open(), "every request offered is open or waits");
            assertEquals(OPERATIONS + inFlight - stats.waiting(), stats.routed());
            long moves = bench.held.moves();
            switch (strategy) {
                // they never let an idle worker take another's request
                case "rendezvous", "bounded-load" -> assertEquals(0, moves);
                // its placement leaves a worker dry while others queue: idle workers take requests
                case "round-robin", "cache-affinity" -> assertTrue(moves > OPERATIONS / 100, "moves " + moves);
                // it sends each request to the emptiest queue, so no queue runs dry before the others
                default -> assertEquals("least-loaded", strategy);
            }
        } finally {
            bench.tearDown();
        }
    }
}
