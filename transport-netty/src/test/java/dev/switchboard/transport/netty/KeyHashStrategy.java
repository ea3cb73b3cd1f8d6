package dev.switchboard.transport.netty;

import dev.switchboard.core.Request;
import dev.switchboard.core.routing.RoutingStrategy;
import dev.switchboard.core.routing.RoutingView;

/**
 * Test-local rendezvous hashing on the request key: the core's default round robin does not
 * stick keys, and the cache-affinity strategy is not in core yet.
 */
final class KeyHashStrategy implements RoutingStrategy {

    @Override
    public String name() {
        return "test-key-hash";
    }

    @Override
    public int select(Request request, RoutingView view) {
        int best = 0;
        long bestScore = Long.MIN_VALUE;
        for (int i = 0; i < view.size(); i++) {
            long score = mix(request.key().hashCode() * 31L + view.worker(i).id().hashCode());
            if (score > bestScore) {
                bestScore = score;
                best = i;
            }
        }
        return best;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
