package dev.switchboard.core.worker;

/** What a {@link WorkerHandler} knows of the worker that runs it. */
public interface WorkerContext {

    /**
     * The worker's id.
     *
     * @return the worker's id
     */
    String workerId();

    /**
     * Whether the request's key was in the worker's resource cache when the request started
     * (always false for a worker without a cache).
     *
     * @return whether the key was cached when the request started
     */
    boolean cachedAtStart();
}
