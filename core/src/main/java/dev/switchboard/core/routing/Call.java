package dev.switchboard.core.routing;

import dev.switchboard.core.Request;
import dev.switchboard.core.transport.WorkerLink.Item;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * One attempt at a request: the subscription its subscriber holds, the subscriber of the worker's
 * exchange, and the state the {@link Dispatcher} keeps for it (new, waiting, active, done; its
 * slot and times, guarded by the {@link WorkerTable}'s monitor). It asks the dispatcher for a
 * credit, subscribes to its worker's exchange once it has one, forwards the items, and gives the
 * credit back on every end (completion, error or cancellation). It reports a worker lost before
 * any item as a {@link WorkerLostException}; it must not retry (the {@link RetryPolicy} does) nor
 * choose its worker (the dispatcher does).
 */
final class Call extends Operators.DeferredSubscription implements CoreSubscriber<Item> {

    static final int NEW = 0;
    static final int WAITING = 1;
    static final int ACTIVE = 2;
    static final int DONE = 3;

    final Dispatcher dispatcher;
    final Request request;
    final CoreSubscriber<? super Item> actual;
    /** Guarded by the table's monitor. */
    int state = NEW;
    /** Guarded by the table's monitor. */
    @Nullable Slot slot;
    /** When it started waiting, by the router's clock; guarded by the table's monitor. */
    long enqueuedAt;
    /** When its worker took it, by the router's clock; guarded by the table's monitor. */
    long startedAt;
    /** When the router first admitted it, by the router's clock. */
    final long admittedAt;
    /** How long it waited for its credit; guarded by the table's monitor. */
    long waitedNanos;
    boolean emitted;
    boolean done;
    boolean failed;

    Call(Dispatcher dispatcher, Request request, CoreSubscriber<? super Item> actual) {
        this.dispatcher = dispatcher;
        this.request = request;
        this.actual = actual;
        this.admittedAt = dispatcher.clock.getAsLong();
    }

    /** The items of one attempt at {@code request}: each subscription makes a call. */
    static Flux<Item> attempt(Dispatcher dispatcher, Request request) {
        return new Attempt(dispatcher, request);
    }

    void start() {
        if (isCancelled()) {
            return;
        }
        if (dispatcher.admit(this)) {
            dispatch();
        }
    }

    void dispatch() {
        if (isCancelled()) {
            // cancelled while its credit was being handed over: cancel() already gave it back
            return;
        }
        Slot s;
        long waited;
        synchronized (dispatcher.table) {
            s = slot;
            waited = waitedNanos;
        }
        if (dispatcher.timings.active()) {
            dispatcher.timings.waited(waited);
        }
        Flux<Item> exchange;
        try {
            exchange = s.link.exchange(request);
        } catch (Throwable e) {
            onError(e);
            return;
        }
        exchange.subscribe(this);
    }

    @Override
    public Context currentContext() {
        return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
        set(s);
    }

    @Override
    public void onNext(Item item) {
        if (done) {
            Operators.onNextDropped(item, actual.currentContext());
            return;
        }
        emitted = true;
        actual.onNext(item);
    }

    @Override
    public void onError(Throwable t) {
        if (done) {
            Operators.onErrorDropped(t, actual.currentContext());
            return;
        }
        done = true;
        failed = true;
        Slot s;
        boolean lost;
        synchronized (dispatcher.table) {
            s = slot;
            lost = s != null && !s.alive;
        }
        dispatcher.release(this);
        if (lost && !emitted) {
            actual.onError(new WorkerLostException("worker " + s.id() + " left before answering"));
        } else {
            actual.onError(t);
        }
    }

    @Override
    public void onComplete() {
        if (done) {
            return;
        }
        done = true;
        dispatcher.release(this);
        actual.onComplete();
    }

    @Override
    public void cancel() {
        super.cancel();
        done = true;
        failed = true;
        dispatcher.release(this);
    }

    /** Signals that a request's worker was lost before it answered anything. */
    static final class WorkerLostException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        WorkerLostException(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Attempt extends Flux<Item> {
        final Dispatcher dispatcher;
        final Request request;

        Attempt(Dispatcher dispatcher, Request request) {
            this.dispatcher = dispatcher;
            this.request = request;
        }

        @Override
        public void subscribe(CoreSubscriber<? super Item> actual) {
            Call call = new Call(dispatcher, request, actual);
            actual.onSubscribe(call);
            call.start();
        }
    }
}
