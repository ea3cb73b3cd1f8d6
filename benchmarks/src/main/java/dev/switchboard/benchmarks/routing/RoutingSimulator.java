package dev.switchboard.benchmarks.routing;

import dev.switchboard.core.routing.RoutingStrategies;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The routing simulator: replays a request sequence through the real
 * {@link dev.switchboard.core.routing.Router} and its strategies, on a discrete-event clock with
 * simulated workers that keep real Caffeine caches, and prints one CSV row per strategy.
 *
 * <pre>
 * mvn -B -o -q package -pl benchmarks -am -DskipTests
 * java -cp benchmarks/target/benchmarks.jar dev.switchboard.benchmarks.routing.RoutingSimulator \
 *     --zipf 0.9 --keys 100000 --requests 1000000 --workers 8 --cache 1000 --load 0.8 --strategy all
 * </pre>
 *
 * <p>Arrivals are Poisson at {@code --load} × the pool's capacity, the capacity taken at the
 * ideal hit ratio h* (one cache of workers × cache entries): W × S / (h* × t_hit + (1 − h*) ×
 * t_miss). The first 20% of the requests warm up and are left out of every metric. At the end
 * each run checks its own request and hit counts against the router's
 * {@link dev.switchboard.core.routing.RouterStats} and fails on any difference.
 */
@Command(name = "routing-simulator", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Simulates routing strategies on a worker pool with caches; prints CSV.")
public final class RoutingSimulator implements Callable<Integer> {

    /** The most independent routers a run simulates. */
    public static final int MAX_RELAYS = 64;

    /** The CSV header. */
    public static final String HEADER = "strategy,requests,hit_ratio,ideal_hit_ratio,max_mean_load,p50_ms,p99_ms,"
            + "idle_while_queued,wasteful_idle,cold_at_owner,queued_at_worker";

    @Option(names = "--trace", paramLabel = "FILE", description = "Requests, one a line: <session> <key>.")
    @Nullable Path trace;

    @Option(names = "--zipf", paramLabel = "ALPHA", defaultValue = "0.9", description = "Zipf exponent (default ${DEFAULT-VALUE}).")
    double zipf;

    @Option(names = "--keys", defaultValue = "100000", description = "Distinct keys (default ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--requests", defaultValue = "1000000", description = "Requests (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--sessions", defaultValue = "1000", description = "Sessions (default ${DEFAULT-VALUE}).")
    int sessions;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--workers", defaultValue = "8", description = "Workers (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--slots", defaultValue = "4", description = "Requests a worker serves at once (default ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--cache", defaultValue = "1000", description = "Cache entries per worker (default ${DEFAULT-VALUE}).")
    int cache;

    @Option(names = "--hit-ms", defaultValue = "1", description = "Service time of a hit (default ${DEFAULT-VALUE}).")
    double hitMs;

    @Option(names = "--miss-ms", defaultValue = "10", description = "Service time of a miss (default ${DEFAULT-VALUE}).")
    double missMs;

    @Option(names = "--load", defaultValue = "0.8", description = "Offered load, a fraction of capacity (default ${DEFAULT-VALUE}).")
    double load;

    @Option(names = "--relays", defaultValue = "1", description = "Independent routers sharing the workers, each "
            + "taking the sessions a load balancer gives it (default ${DEFAULT-VALUE}).")
    int relays;

    @Option(names = "--churn", description = "One worker leaves at 40%% of the run and rejoins empty at 70%%.")
    boolean churn;

    @Option(names = "--strategy", defaultValue = "all", split = ",", paramLabel = "NAME",
            description = "Strategies, comma-separated, or all (default ${DEFAULT-VALUE}).")
    List<String> strategies = new ArrayList<>();

    @Option(names = "--plot", paramLabel = "FILE", description = "Also sweep cache sizes and draw hit ratio and p99 per strategy (.svg or .png).")
    @Nullable Path plot;

    @Option(names = "--sweep", split = ",", paramLabel = "ENTRIES",
            description = "Cache sizes of the --plot sweep (default: cache/4, cache/2, cache, 2 × cache).")
    List<Integer> sweep = new ArrayList<>();

    private final PrintStream out;
    private final PrintStream err;

    RoutingSimulator(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs the simulator; exits 0 on success, 1 if the simulator and the router disagree, 2 on bad options. */
    public static void main(String[] args) {
        int code = new CommandLine(new RoutingSimulator(System.out, System.err)).execute(args);
        System.exit(code);
    }

    @Override
    public Integer call() throws Exception {
        check();
        Workload workload = trace != null ? Workload.trace(trace)
                : Workload.zipf(zipf, keys, requests, sessions, seed);
        List<String> names = strategyNames();
        out.println(HEADER);
        List<Simulation.Result> results = simulate(workload, cache, names, true);
        if (plot != null) {
            List<Integer> sizes = sweep.isEmpty() ? List.of(Math.max(1, cache / 4), Math.max(1, cache / 2), cache, 2 * cache)
                    : sweep;
            List<List<Simulation.Result>> perSize = new ArrayList<>();
            for (int size : sizes) {
                perSize.add(size == cache ? results : simulate(workload, size, names, false));
            }
            Plot.draw(plot, sizes, names, perSize, describe(workload));
            err.println("plot written to " + plot);
        }
        return 0;
    }

    private String describe(Workload workload) {
        String source = trace != null ? "trace " + trace.getFileName() : String.format(Locale.ROOT, "Zipf %.2f over %d keys", zipf, keys);
        return String.format(Locale.ROOT, "%s, %d requests, %d workers × %d slots, miss %.0f× hit, load %.2f%s", source,
                workload.size(), workers, slots, missMs / hitMs, load, churn ? ", churn" : "")
                + (relays > 1 ? ", " + relays + " relays" : "");
    }

    private List<Simulation.Result> simulate(Workload workload, int cacheSize, List<String> names, boolean print) {
        Simulation.Config config = new Simulation.Config(workers, slots, cacheSize, hitMs, missMs, load, churn, seed,
                relays);
        double ideal = Simulation.idealHitRatio(workload, (long) workers * cacheSize);
        double[] moved = Simulation.moved(workload, workers);
        long[] arrivals = Simulation.arrivals(workload.size(), config, ideal);
        err.printf(Locale.ROOT, "cache %d per worker: ideal hit ratio %.4f; rendezvous owners of %.4f of the keys move"
                + " when a worker leaves, %.4f when one joins%n", cacheSize, ideal, moved[0], moved[1]);
        List<Simulation.Result> results = new ArrayList<>();
        for (String name : names) {
            long start = System.nanoTime();
            Simulation.Result r = Simulation.run(workload, config, RoutingStrategies.byName(name), arrivals, ideal, err);
            err.printf(Locale.ROOT, "%s done in %.1f s%n", name, (System.nanoTime() - start) / 1e9);
            if (print) {
                out.println(csv(r));
                out.flush();
            }
            results.add(r);
        }
        return results;
    }

    static String csv(Simulation.Result r) {
        return String.format(Locale.ROOT, "%s,%d,%.4f,%.4f,%.3f,%.2f,%.2f,%.4f,%.4f,%.4f,%.4f", r.strategy(),
                r.requests(), r.hitRatio(), r.idealHitRatio(), r.maxMeanLoad(), r.p50Ms(), r.p99Ms(),
                r.idleWhileQueued(), r.wastefulIdle(), r.agreement().coldAtOwner(), r.agreement().queuedAtWorker());
    }

    private List<String> strategyNames() {
        if (strategies.isEmpty() || strategies.size() == 1 && strategies.get(0).equalsIgnoreCase("all")) {
            return RoutingStrategies.names();
        }
        for (String s : strategies) {
            RoutingStrategies.byName(s);
        }
        return strategies;
    }

    private void check() {
        positive("--workers", workers);
        positive("--slots", slots);
        positive("--cache", cache);
        positive("--keys", keys);
        positive("--requests", requests);
        positive("--sessions", sessions);
        positive("--relays", relays);
        if (relays > MAX_RELAYS) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--relays must be at most " + MAX_RELAYS);
        }
        if (requests < 5) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--requests must be at least 5 (a fifth warms up)");
        }
        if (!(hitMs > 0) || !(missMs >= hitMs)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--hit-ms must be > 0 and --miss-ms >= --hit-ms");
        }
        if (!(load > 0) || load > 10) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--load must be in (0, 10]");
        }
        if (!(zipf >= 0)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--zipf must be >= 0");
        }
        if (churn && workers < 2) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--churn needs at least 2 workers");
        }
        if (plot != null && !plot.toString().endsWith(".svg") && !plot.toString().endsWith(".png")) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--plot takes a .svg or .png file");
        }
    }

    private void positive(String option, long value) {
        if (value < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), option + " must be strictly positive, was " + value);
        }
    }
}
