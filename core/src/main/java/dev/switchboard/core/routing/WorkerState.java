package dev.switchboard.core.routing;

import dev.switchboard.core.transport.ServiceTimes;

/**
 * What a {@link RoutingStrategy} sees of one worker when it chooses: a read-only view, valid
 * only during the call to the strategy.
 */
public interface WorkerState {

    /** The worker's id. */
    String id();

    /** How many requests it serves at once (its credits). */
    int capacity();

    /** Requests it is serving now (credits taken), at most {@link #capacity()}. */
    int active();

    /** Requests waiting in the relay for this worker's credits. */
    int waiting();

    /** Active plus waiting. */
    default int outstanding() {
        return active() + waiting();
    }

    /** Whether the worker has a free credit. */
    default boolean hasFreeSlot() {
        return active() < capacity();
    }

    /** Whether the worker reported {@code key} as cached. */
    boolean holds(String key);

    /** The worker's reported hit and miss service times. */
    ServiceTimes serviceTimes();
}
