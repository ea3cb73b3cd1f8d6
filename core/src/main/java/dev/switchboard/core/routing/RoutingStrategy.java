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

    /**
     * The name the strategy is selected by, for example {@code "round-robin"}.
     *
     * @return the name the strategy is selected by, for example {@code "round-robin"}
     */
    String name();

    /**
     * The index in {@code view} of the worker that takes {@code request}.
     *
     * @param request the request to place
     * @param view the live workers, at least one
     * @return the index in {@code view} of the worker that takes {@code request}
     */
    int select(Request request, RoutingView view);

    /**
     * Whether worker {@code idle}, which has a free credit and no request of its own waiting,
     * takes {@code request}, which waits for worker {@code owner} and has waited
     * {@code waitedNanos}. The router asks, oldest first, about the longest-waiting request of each
     * other worker whenever a request arrives or ends while a worker idles and requests wait.
     *
     * <p>The default answers yes: no worker idles while a request waits (strict work
     * conservation). Cache-aware strategies answer yes only once waiting costs more than a miss.
     *
     * @param request the waiting request
     * @param owner the index of the worker it waits for
     * @param waitedNanos how long it has waited, in nanoseconds
     * @param idle the index of the idle worker
     * @param view the live workers
     * @return whether {@code idle} takes {@code request} now
     */
    default boolean takeWaiting(Request request, int owner, long waitedNanos, int idle, RoutingView view) {
        return true;
    }
}
