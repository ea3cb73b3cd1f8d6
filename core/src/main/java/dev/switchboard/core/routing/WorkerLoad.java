package dev.switchboard.core.routing;

/**
 * A snapshot of one worker's load as the router sees it.
 *
 * <p>How it may grow: new counters may be added as new components in a minor release, which changes
 * the canonical constructor. Read it through its accessors; the relay builds it, applications need
 * not.
 *
 * @param id       the worker's id
 * @param capacity its credits
 * @param active   requests it serves now
 * @param waiting  requests waiting in the relay for it
 * @param served   requests it has been given since it joined
 * @param cachedKeys how many keys it reported as cached
 */
public record WorkerLoad(String id, int capacity, int active, int waiting, long served, int cachedKeys) {
}
