package dev.switchboard.core.routing;

import dev.switchboard.core.transport.ServiceTimes;

/**
 * What a {@link RoutingStrategy} sees of one worker when it chooses: a read-only view, valid
 * only during the call to the strategy.
 */
public interface WorkerState {

    /**
     * The worker's id.
     *
     * @return the worker's id
     */
    String id();

    /**
     * How many requests it serves at once (its credits).
     *
     * @return how many requests it serves at once (its credits)
     */
    int capacity();

    /**
     * Requests it is serving now (credits taken), at most {@link #capacity()}.
     *
     * @return the requests it is serving now
     */
    int active();

    /**
     * Requests waiting in the relay for this worker's credits.
     *
     * @return the requests waiting for its credits
     */
    int waiting();

    /**
     * Active plus waiting.
     *
     * @return its active plus its waiting requests
     */
    default int outstanding() {
        return active() + waiting();
    }

    /**
     * Whether the worker has a free credit.
     *
     * @return whether the worker has a free credit
     */
    default boolean hasFreeSlot() {
        return active() < capacity();
    }

    /**
     * Whether the worker reported {@code key} as cached.
     *
     * @param key the key
     * @return whether the worker reported {@code key} as cached
     */
    boolean holds(String key);

    /**
     * The worker's reported hit and miss service times.
     *
     * @return the worker's reported hit and miss service times
     */
    ServiceTimes serviceTimes();

    /**
     * The worker's {@link Rendezvous#hash} of its id. Implementations should cache it: strategies
     * call it for every worker on every decision.
     *
     * @return the worker's {@link Rendezvous#hash} of its id
     */
    default long hash() {
        return Rendezvous.hash(id());
    }

    /**
     * The moving average of the time from handing the worker a request to its end, as the router
     * measured it, in nanoseconds; 0 until a request ended.
     *
     * @return the mean service time in nanoseconds, 0 until a request ended
     */
    default double meanServiceNanos() {
        return 0;
    }

    /**
     * How many keys the worker reports as cached.
     *
     * @return how many keys the worker reports as cached
     */
    default int cachedKeys() {
        return 0;
    }
}
