package dev.switchboard.core.routing;

import dev.switchboard.core.Request;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** The built-in strategies, and lookup by name. Each call returns a new instance. */
public final class RoutingStrategies {

    private static final List<String> NAMES = List.of("round-robin", "least-loaded");

    private RoutingStrategies() {
    }

    /** The names {@link #byName} accepts. */
    public static List<String> names() {
        return NAMES;
    }

    /** The strategy called {@code name}; see {@link #names()}. */
    public static RoutingStrategy byName(String name) {
        Supplier<RoutingStrategy> s = switch (name.toLowerCase(Locale.ROOT)) {
            case "round-robin" -> RoutingStrategies::roundRobin;
            case "least-loaded" -> RoutingStrategies::leastLoaded;
            default -> throw new IllegalArgumentException(
                    "unknown routing strategy '" + name + "'; known: " + String.join(", ", NAMES));
        };
        return s.get();
    }

    /** Rotates over the workers, skipping those without a free credit while any has one. */
    public static RoutingStrategy roundRobin() {
        return new RoundRobin();
    }

    /** The worker with the fewest outstanding requests; ties go round robin. */
    public static RoutingStrategy leastLoaded() {
        return new LeastLoaded();
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
