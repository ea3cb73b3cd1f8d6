package dev.switchboard.core.worker;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import reactor.core.publisher.Flux;

/**
 * What an application writes to be a worker: the response items of one request. The same
 * handler runs in-process ({@link LocalWorker}) or in a remote worker process.
 *
 * <p>An error (thrown or signalled) fails that request only, with {@code worker_failed} unless
 * it is a {@link dev.switchboard.core.RelayException}. Cancellation MUST stop the work. A handler
 * that blocks MUST be run by a worker configured with a blocking scheduler.
 */
@FunctionalInterface
public interface WorkerHandler {

    /**
     * The response items of {@code request}; an empty Flux answers with {@code end} alone.
     *
     * @param request the request
     * @param context the worker serving it: its id and whether the key was cached
     * @return the response items of {@code request}; an empty Flux answers with {@code end} alone
     */
    Flux<Payload> handle(Request request, WorkerContext context);
}
