package dev.switchboard.examples.echo;

import dev.switchboard.core.Request;
import dev.switchboard.core.routing.RoutingStrategy;
import dev.switchboard.core.routing.RoutingView;

/**
 * Rendezvous hashing on the request key: each key goes to the live worker with the highest
 * hash of (key, worker id), so a key sticks to one worker and keys spread over all of them.
 * The example's default until core ships its cache-affinity strategy.
 */
final class KeyHashStrategy implements RoutingStrategy {

    static final String NAME = "key-hash";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int select(Request request, RoutingView view) {
        int best = 0;
        long bestScore = Long.MIN_VALUE;
        long keyHash = request.key().hashCode();
        for (int i = 0; i < view.size(); i++) {
            long score = mix(keyHash * 0x9E3779B97F4A7C15L + view.worker(i).id().hashCode());
            if (score > bestScore) {
                bestScore = score;
                best = i;
            }
        }
        return best;
    }

    /** The finalizer of SplitMix64: neighbouring inputs give unrelated scores. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
