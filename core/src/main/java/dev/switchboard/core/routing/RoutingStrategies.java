package dev.switchboard.core.routing;

import dev.switchboard.core.Request;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The built-in strategies, and lookup by name. Each call returns a new instance.
 *
 * <p>{@link #roundRobin()} and {@link #leastLoaded()} ignore keys; {@link #rendezvous()} and
 * {@link #boundedLoad()} place keys by {@link Rendezvous} hashing; {@link #cacheAffinity()}, the
 * default of {@link Router#builder()}, sends each request where it is expected to finish
 * soonest. Every one is a pure function of the router's view and of the keys it has seen, so two
 * routers that saw the same make the same choices.
 */
public final class RoutingStrategies {

    /** Default balance factor c of {@link #boundedLoad()}: a worker takes at most ceil(c × mean). */
    public static final double DEFAULT_BALANCE_FACTOR = 1.25;

    private static final List<String> NAMES =
            List.of("round-robin", "least-loaded", "rendezvous", "bounded-load", "cache-affinity");

    private RoutingStrategies() {
    }

    /**
     * The names {@link #byName} accepts.
     *
     * @return the names {@link #byName} accepts
     */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * The strategy called {@code name}; see {@link #names()}.
     *
     * @param name a name from {@link #names()}, in any case
     * @return the strategy called {@code name}; see {@link #names()}
     */
    public static RoutingStrategy byName(String name) {
        Supplier<RoutingStrategy> s = switch (name.toLowerCase(Locale.ROOT)) {
            case "round-robin" -> RoutingStrategies::roundRobin;
            case "least-loaded" -> RoutingStrategies::leastLoaded;
            case "rendezvous" -> RoutingStrategies::rendezvous;
            case "bounded-load" -> RoutingStrategies::boundedLoad;
            case "cache-affinity" -> RoutingStrategies::cacheAffinity;
            default -> throw new IllegalArgumentException(
                    "unknown routing strategy '" + name + "'; known: " + String.join(", ", NAMES));
        };
        return s.get();
    }

    /**
     * Rotates over the workers, skipping those without a free credit while any has one.
     *
     * @return a new round-robin strategy
     */
    public static RoutingStrategy roundRobin() {
        return new RoundRobin();
    }

    /**
     * The worker with the fewest outstanding requests; ties go round robin.
     *
     * @return the worker with the fewest outstanding requests; ties go round robin
     */
    public static RoutingStrategy leastLoaded() {
        return new LeastLoaded();
    }

    /**
     * Rendezvous (HRW) hashing: each key to its {@link Rendezvous} owner over the live workers,
     * whatever its load. Requests wait for their owner; idle workers never take them.
     *
     * @return a new rendezvous strategy
     */
    public static RoutingStrategy rendezvous() {
        return new HashStrategies.RendezvousStrategy();
    }

    /**
     * Consistent hashing with bounded loads at the {@linkplain #DEFAULT_BALANCE_FACTOR default}
     * balance factor; see {@link #boundedLoad(double)}.
     *
     * @return a new bounded-load strategy
     */
    public static RoutingStrategy boundedLoad() {
        return boundedLoad(DEFAULT_BALANCE_FACTOR);
    }

    /**
     * Consistent hashing with bounded loads (Mirrokni et al. 2018; HAProxy's
     * {@code hash-balance-factor}): walks the key's rendezvous order and takes the first worker
     * whose outstanding requests are under {@code ceil(c × mean)}, the mean counting the new
     * request. No worker goes above the bound while another is under it.
     *
     * @return a new bounded-load strategy
     * @param balanceFactor c, at least 1
     */
    public static RoutingStrategy boundedLoad(double balanceFactor) {
        if (!(balanceFactor >= 1) || Double.isInfinite(balanceFactor)) {
            throw new IllegalArgumentException("balanceFactor must be finite and at least 1, was " + balanceFactor);
        }
        return new HashStrategies.BoundedLoad(balanceFactor);
    }

    /**
     * Cache affinity by expected completion time, the default. A request's score on a worker is
     * its expected wait there (from the worker's outstanding requests, credits and mean service
     * time) plus t_hit if the worker reports the key cached, else t_miss (the times each worker
     * reports; 1 ms and 10 ms until it has).
     * <ul>
     *   <li>Hot keys, the top min(2 × workers, a quarter of one worker's cache) of a decaying
     *       count-min sketch, go to the worker with the lowest score (ties to the one with fewer
     *       outstanding requests), so they end up cached on several workers that share them.</li>
     *   <li>Other keys choose among the workers that hold them and their rendezvous owner: the
     *       lowest score wins, ties by rendezvous order.</li>
     *   <li>Spill by score: if the winner's score exceeds t_miss while a worker that does not hold
     *       the key has a free credit, the request goes there (the first such in rendezvous
     *       order), since a miss there finishes sooner.</li>
     *   <li>A worker with {@code ceil(1.25 × mean) + credits} outstanding requests is no
     *       candidate, a safety valve only.</li>
     *   <li>An idle worker takes a request waiting for another one only if it holds its key or the
     *       request has waited longer than t_miss − t_hit.</li>
     * </ul>
     *
     * @return a new cache-affinity strategy
     */
    public static RoutingStrategy cacheAffinity() {
        return new CacheAffinity();
    }

    private static final class RoundRobin implements RoutingStrategy {
        private int next;

        @Override
        public String name() {
            return "round-robin";
        }

        @Override
        public int select(Request request, RoutingView view) {
            int n = view.size();
            int start = Math.floorMod(next, n);
            for (int i = 0; i < n; i++) {
                int idx = (start + i) % n;
                if (view.worker(idx).hasFreeSlot()) {
                    next = idx + 1;
                    return idx;
                }
            }
            next = start + 1;
            return start;
        }
    }

    private static final class LeastLoaded implements RoutingStrategy {
        private int next;

        @Override
        public String name() {
            return "least-loaded";
        }

        @Override
        public int select(Request request, RoutingView view) {
            int n = view.size();
            int start = Math.floorMod(next++, n);
            int best = start;
            double bestLoad = Double.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                int idx = (start + i) % n;
                WorkerState w = view.worker(idx);
                double load = (double) w.outstanding() / w.capacity();
                if (load < bestLoad) {
                    bestLoad = load;
                    best = idx;
                }
            }
            return best;
        }
    }
}
