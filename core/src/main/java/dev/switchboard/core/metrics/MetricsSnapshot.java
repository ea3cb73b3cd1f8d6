package dev.switchboard.core.metrics;

import dev.switchboard.core.routing.WorkerLoad;
import java.util.List;
import java.util.Map;

/**
 * What a relay holds now and has done since it was built.
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

    /** Copies the collections. */
    public MetricsSnapshot {
        errors = Map.copyOf(errors);
        workers = List.copyOf(workers);
    }

    /** Affinity hits over routed requests, or 0 before any. */
    public double affinityHitRatio() {
        return routed == 0 ? 0 : (double) affinityHits / routed;
    }
}
