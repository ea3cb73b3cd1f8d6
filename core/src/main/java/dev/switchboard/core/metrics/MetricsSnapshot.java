package dev.switchboard.core.metrics;

import dev.switchboard.core.routing.WorkerLoad;
import java.util.List;
import java.util.Map;

/**
 * What a relay holds now and has done since it was built.
 *
 * <p>How it may grow: new counters may be added as new components in a minor release, which changes
 * the canonical constructor. Read it through its accessors; the relay builds it, applications need
 * not.
 *
 * @param sessions        open sessions
 * @param inFlight        requests read from clients, admitted within their session's limit, and not
 *                        yet fully answered or cancelled
 * @param queuedResponses response frames waiting for their clients
 * @param waiting         requests waiting in the router for a worker's credit
 * @param requests        requests read since start (undecodable frames included, cancels not)
 * @param frames          response frames handed to clients since start
 * @param routed          requests given to workers since start
 * @param affinityHits    of those, requests given to a worker that reported their key cached
 * @param errors          error responses since start, by wire code
 * @param slowConsumersClosed sessions closed because their client did not read
 * @param workers         each live worker's load
 */
public record MetricsSnapshot(int sessions, long inFlight, long queuedResponses, int waiting, long requests,
                              long frames, long routed, long affinityHits, Map<String, Long> errors,
                              long slowConsumersClosed, List<WorkerLoad> workers) {

    /**
     * Copies the collections.
     *
     * @param sessions        open sessions
     * @param inFlight        requests admitted and not yet fully answered or cancelled
     * @param queuedResponses response frames waiting for their clients
     * @param waiting         requests waiting in the router for a worker's credit
     * @param requests        requests read since start
     * @param frames          response frames handed to clients since start
     * @param routed          requests given to workers since start
     * @param affinityHits    of those, requests given to a worker that reported their key cached
     * @param errors          error responses since start, by wire code (copied)
     * @param slowConsumersClosed sessions closed because their client did not read
     * @param workers         each live worker's load (copied)
     */
    public MetricsSnapshot {
        errors = Map.copyOf(errors);
        workers = List.copyOf(workers);
    }

    /**
     * Affinity hits over routed requests, or 0 before any.
     *
     * @return affinity hits over routed requests, 0 to 1
     */
    public double affinityHitRatio() {
        return routed == 0 ? 0 : (double) affinityHits / routed;
    }
}
