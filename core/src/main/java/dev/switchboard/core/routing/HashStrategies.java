package dev.switchboard.core.routing;

import dev.switchboard.core.Request;

/** The hashing strategies: plain rendezvous, and rendezvous with bounded loads. */
final class HashStrategies {

    private HashStrategies() {
    }

    /**
     * Each key to its rendezvous owner over the live workers, whatever its load: the owner's
     * requests wait for it, and idle workers never take them.
     */
    static final class RendezvousStrategy implements RoutingStrategy {

        @Override
        public String name() {
            return "rendezvous";
        }

        @Override
        public int select(Request request, RoutingView view) {
            long key = Rendezvous.hash(request.key());
            int best = 0;
            long bestWeight = Long.MIN_VALUE;
            for (int i = 0, n = view.size(); i < n; i++) {
                long w = Rendezvous.weight(key, view.worker(i).hash());
                if (i == 0 || w > bestWeight) {
                    best = i;
                    bestWeight = w;
                }
            }
            return best;
        }

        @Override
        public boolean takeWaiting(Request request, int owner, long waitedNanos, int idle, RoutingView view) {
            return false;
        }
    }

    /**
     * Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam, 2018): the first
     * worker in the key's rendezvous order whose outstanding requests are under
     * {@code ceil(c × mean)}, the mean counting the new request. Some worker is always under that
     * bound, so no worker goes above it while another is under it.
     */
    static final class BoundedLoad implements RoutingStrategy {
        private final double factor;

        BoundedLoad(double factor) {
            this.factor = factor;
        }

        @Override
        public String name() {
            return "bounded-load";
        }

        /** The bound on outstanding requests for the next request, given the view's total. */
        static long bound(double factor, long totalOutstanding, int workers) {
            return (long) Math.ceil(factor * (totalOutstanding + 1) / workers);
        }

        @Override
        public int select(Request request, RoutingView view) {
            int n = view.size();
            long total = 0;
            for (int i = 0; i < n; i++) {
                total += view.worker(i).outstanding();
            }
            long bound = bound(factor, total, n);
            long key = Rendezvous.hash(request.key());
            int best = -1;
            long bestWeight = Long.MIN_VALUE;
            for (int i = 0; i < n; i++) {
                WorkerState w = view.worker(i);
                if (w.outstanding() >= bound) {
                    continue;
                }
                long weight = Rendezvous.weight(key, w.hash());
                if (best < 0 || weight > bestWeight) {
                    best = i;
                    bestWeight = weight;
                }
            }
            // with c >= 1 the least loaded worker is always under the bound
            return Math.max(best, 0);
        }

        @Override
        public boolean takeWaiting(Request request, int owner, long waitedNanos, int idle, RoutingView view) {
            return false;
        }
    }
}
