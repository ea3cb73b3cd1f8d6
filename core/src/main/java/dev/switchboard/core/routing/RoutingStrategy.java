package dev.switchboard.core.routing;

import dev.switchboard.core.Request;

/**
 * Chooses the worker for a request. The router calls it under its lock with a consistent view;
 * implementations MUST be fast, MUST NOT block and MUST return a valid index. If the chosen
 * worker has no free credit the request waits for one in the router's bounded queue.
 *
 * <p>Strategies may keep state (a rotation, a hot-key sketch); the router serializes calls.
 * A strategy instance belongs to one router.
 */
public interface RoutingStrategy {

    /** The name the strategy is selected by, for example {@code "round-robin"}. */
    String name();

    /** The index in {@code view} of the worker that takes {@code request}. */
    int select(Request request, RoutingView view);
}
