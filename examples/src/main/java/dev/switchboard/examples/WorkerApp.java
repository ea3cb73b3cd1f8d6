package dev.switchboard.examples;

import dev.switchboard.core.worker.ResourceCache;
import dev.switchboard.core.worker.WorkerHandler;
import java.util.Objects;

/**
 * An example application as a worker runs it, in-process or remote: its handler, the resource
 * cache the handler uses (keyed by request key, reported for cache-affinity routing) and
 * whether the handler blocks. Closing it closes the cache.
 *
 * @param handler  the handler
 * @param cache    the handler's resource cache
 * @param blocking whether the handler blocks and must run on a bounded scheduler
 */
public record WorkerApp(WorkerHandler handler, ResourceCache<String, ?> cache, boolean blocking)
        implements AutoCloseable {

    /** Checks the fields. */
    public WorkerApp {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(cache, "cache");
    }

    /** Closes the cache and every resource it holds. */
    @Override
    public void close() {
        cache.close();
    }
}
