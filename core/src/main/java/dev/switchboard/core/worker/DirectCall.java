package dev.switchboard.core.worker;

import dev.switchboard.core.Payload;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.transport.WorkerLink.Item;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

/**
 * A request to a non-blocking {@link LocalWorker}, admitted and running on the thread that
 * subscribes: the handler's items, marked by {@link MarkLast}'s subscriber (which its own
 * subscriber extends, so one subscriber serves the request), plus what a credit asks for. It owns
 * giving back the credit the worker took for it, exactly once, before the end reaches the caller
 * (who may hand the credit to the next request from within {@code onComplete} or {@code onError})
 * or as the caller cancels; timing a completed request for the worker's service times; and
 * logging a failure the client will only see as a code. It must not take credits (the worker
 * admits), signal the caller itself or hold items (the marking subscriber does both), nor touch
 * the blocking lanes, which serve {@link BlockingCall}s only.
 */
final class DirectCall extends Flux<Item> {

    /** The worker's log: a request's failure is the worker's. */
    private static final Logger log = LoggerFactory.getLogger(LocalWorker.class);

    private final LocalWorker worker;
    private final Publisher<Payload> items;
    private final boolean hit;
    private final long start;

    /**
     * @param items the handler's items, or its failure
     * @param hit whether the request's key was cached as it began
     * @param start when it began, by the worker's clock
     */
    DirectCall(LocalWorker worker, Publisher<Payload> items, boolean hit, long start) {
        this.worker = worker;
        this.items = items;
        this.hit = hit;
        this.start = start;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Item> actual) {
        new Tracked(actual, this).subscribeTo(items);
    }

    private static final class Tracked extends MarkLast.MarkLastSubscriber {
        private static final AtomicIntegerFieldUpdater<Tracked> RELEASED =
                AtomicIntegerFieldUpdater.newUpdater(Tracked.class, "released");

        private final DirectCall call;
        private volatile int released;

        Tracked(CoreSubscriber<? super Item> actual, DirectCall call) {
            super(actual);
            this.call = call;
        }

        private void release() {
            if (RELEASED.compareAndSet(this, 0, 1)) {
                call.worker.release();
            }
        }

        @Override
        void ending(@Nullable Throwable error) {
            release();
            if (error == null) {
                call.worker.record(call.hit, call.worker.now() - call.start);
            } else if (!(error instanceof RelayException)) {
                // the client gets only the code: the detail stays here, in-process or in a remote worker
                log.warn("worker {}: a request failed", call.worker.id(), error);
            }
        }

        @Override
        void cancelling() {
            release();
        }
    }
}
