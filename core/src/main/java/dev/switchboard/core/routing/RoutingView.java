package dev.switchboard.core.routing;

/** The live workers as a {@link RoutingStrategy} sees them; valid only during the call. */
public interface RoutingView {

    /**
     * How many workers are live, at least 1 when a strategy is called.
     *
     * @return how many workers are live, at least 1 when a strategy is called
     */
    int size();

    /**
     * The worker at {@code index}, 0 ≤ index &lt; {@link #size()}, in join order.
     *
     * @param index the index, in join order
     * @return the worker at {@code index}, 0 ≤ index &lt; {@link #size()}, in join order
     */
    WorkerState worker(int index);

    /**
     * The router's clock, in nanoseconds (a simulated clock in the simulator).
     *
     * @return the router's clock, in nanoseconds (a simulated clock in the simulator)
     */
    long nanoTime();

    /**
     * Writes into {@code into} the indexes of the workers that report {@code key} as cached, in
     * no particular order, and returns how many there are. {@code into} MUST have room for
     * {@link #size()} indexes. The default asks every worker; the router answers from an index.
     *
     * @param key the key
     * @param into where the indexes are written, with room for {@link #size()} of them
     * @return how many indexes were written
     */
    default int holders(String key, int[] into) {
        int n = 0;
        for (int i = 0, size = size(); i < size; i++) {
            if (worker(i).holds(key)) {
                into[n++] = i;
            }
        }
        return n;
    }
}
