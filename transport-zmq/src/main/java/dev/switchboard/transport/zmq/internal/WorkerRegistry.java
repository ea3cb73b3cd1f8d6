package dev.switchboard.transport.zmq.internal;

import dev.switchboard.core.routing.Membership;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's registered workers, by ROUTER identity and by id, and the list of their ids that
 * any thread may read ({@link #workerIds}). It owns the two maps and the membership's view of
 * them: adding a worker joins it, removing one marks it gone and makes it leave. It must not touch
 * the socket, a worker's credits or its requests (failing those is the caller's, after
 * {@link #remove}); its maps are the I/O thread's alone.
 */
final class WorkerRegistry {

    private final Membership membership;
    private final int maxWorkers;
    private volatile List<String> workerIds = List.of();

    // I/O thread only
    private final Map<ByteBuffer, RemoteWorker> byRoute = new HashMap<>();
    private final Map<String, RemoteWorker> byName = new HashMap<>();

    WorkerRegistry(Membership membership, int maxWorkers) {
        this.membership = membership;
        this.maxWorkers = maxWorkers;
    }

    /** The ids of the registered workers; any thread. */
    List<String> workerIds() {
        return workerIds;
    }

    @Nullable RemoteWorker byRoute(byte[] route) {
        return byRoute.get(ByteBuffer.wrap(route));
    }

    @Nullable RemoteWorker byName(String id) {
        return byName.get(id);
    }

    /** True while {@code w} is the worker registered at its route (not replaced, not gone). */
    boolean isCurrent(RemoteWorker w) {
        return byRoute.get(w.route) == w;
    }

    int size() {
        return byRoute.size();
    }

    boolean isFull() {
        return byRoute.size() >= maxWorkers;
    }

    /** A copy, safe to iterate while workers are removed. */
    List<RemoteWorker> snapshot() {
        return new ArrayList<>(byRoute.values());
    }

    /**
     * Registers {@code w} and joins it to the membership.
     *
     * @throws IllegalArgumentException when the membership refuses it; then it is gone, and not
     *     registered
     */
    void add(RemoteWorker w) {
        byRoute.put(w.route, w);
        byName.put(w.id(), w);
        try {
            membership.join(w);
        } catch (IllegalArgumentException e) {
            byRoute.remove(w.route);
            byName.remove(w.id());
            w.markGone();
            throw e;
        }
        refreshIds();
    }

    /**
     * Forgets {@code w}, marks it gone and makes it leave the membership (so the router sees it
     * lost before its requests fail, and retries idempotent ones elsewhere).
     */
    void remove(RemoteWorker w) {
        if (byRoute.get(w.route) == w) {
            byRoute.remove(w.route);
        }
        if (byName.get(w.id()) == w) {
            byName.remove(w.id());
        }
        refreshIds();
        w.markGone();
        for (var link : membership.members()) {
            if (link == w) {
                membership.leave(w.id());
                return;
            }
        }
    }

    private void refreshIds() {
        List<String> ids = new ArrayList<>(byRoute.size());
        for (RemoteWorker w : byRoute.values()) {
            ids.add(w.id());
        }
        workerIds = List.copyOf(ids);
    }
}
