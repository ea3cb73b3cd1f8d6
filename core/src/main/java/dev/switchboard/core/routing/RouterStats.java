package dev.switchboard.core.routing;

/**
 * Counters of a {@link Router} since it was built.
 *
 * <p>How it may grow: new counters may be added as new components in a minor release, which changes
 * the canonical constructor. Read it through its accessors; the relay builds it, applications need
 * not.
 *
 * @param routed       requests given to a worker (retries included)
 * @param affinityHits of those, requests given to a worker that reported their key cached
 * @param waiting      requests waiting for a credit now
 * @param rejected     requests refused because the waiting queue was full ({@code overloaded})
 * @param noWorkers    requests refused because no worker was live ({@code no_workers})
 * @param retried      requests sent again after their worker was lost
 * @param maxWaiting   how many requests may wait at once (the router's bound)
 * @param liveWorkers  workers in the router now
 */
public record RouterStats(long routed, long affinityHits, int waiting, long rejected, long noWorkers, long retried,
                          int maxWaiting, int liveWorkers) {
}
