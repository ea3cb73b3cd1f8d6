package dev.switchboard.core.routing;

/** The live workers as a {@link RoutingStrategy} sees them; valid only during the call. */
public interface RoutingView {

    /** How many workers are live, at least 1 when a strategy is called. */
    int size();

    /** The worker at {@code index}, 0 ≤ index &lt; {@link #size()}, in join order. */
    WorkerState worker(int index);

    /** The router's clock, in nanoseconds (a simulated clock in the simulator). */
    long nanoTime();
}
