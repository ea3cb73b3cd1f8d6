package dev.switchboard.core.routing;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.routing.Call.WorkerLostException;
import dev.switchboard.core.transport.WorkerLink.Item;
import reactor.core.publisher.Flux;

/**
 * When a request is sent again: only when its worker was lost before it produced any item
 * ({@link WorkerLostException}), only when it is {@linkplain Request#idempotent() idempotent},
 * and only once; the lost worker has left the table by then, so the second attempt goes to
 * another. Any other loss ends the request with {@code worker_failed}; every other error passes
 * unchanged. It composes attempts and counts retries; it must not choose workers or touch
 * credits and queues (the {@link Dispatcher}'s).
 */
final class RetryPolicy {

    private final Dispatcher dispatcher;

    RetryPolicy(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    /** The items of {@code request}, sent once more if the rules above allow. */
    Flux<Item> exchange(Request request) {
        Flux<Item> first = Call.attempt(dispatcher, request);
        if (!request.idempotent()) {
            return first.onErrorMap(WorkerLostException.class, RetryPolicy::lost);
        }
        return first.onErrorResume(WorkerLostException.class, e -> {
            dispatcher.countRetry();
            return Call.attempt(dispatcher, request).onErrorMap(WorkerLostException.class, RetryPolicy::lost);
        });
    }

    private static Throwable lost(Throwable e) {
        return new RelayException(ErrorCode.WORKER_FAILED, "worker lost: " + e.getMessage());
    }
}
