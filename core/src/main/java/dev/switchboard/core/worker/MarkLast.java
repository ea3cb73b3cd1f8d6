package dev.switchboard.core.worker;

import dev.switchboard.core.Payload;
import dev.switchboard.core.transport.WorkerLink.Item;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * Gives a handler's items their last-item mark without waiting for a later signal.
 *
 * <p>The rule: an item the source emits inside a call this operator made to it (its
 * {@code subscribe}, or a {@code request}) is held until that call returns, and goes on marked
 * last if the source completed meanwhile; any other item (emitted later, from another thread)
 * goes on at once, unmarked, and a completion that follows it goes on alone. So
 * {@code Flux.just(x)}, {@code Mono.just(x).flux()}, {@code Mono.fromCallable(..).flux()} and
 * {@code Flux.fromIterable(list)} end with a marked item, and no item ever waits longer than the
 * source's own call that produced it.
 *
 * <p>Downstream signals are serialized by the subscriber's monitor, because the caller's thread
 * hands on its held item after its call returned while the source may already emit on another.
 * Demand that downstream signals from inside such a call is passed on when the call returns, so
 * a long synchronous stream loops instead of recursing.
 *
 * <p>Its subscriber is the one place that passes a handler's signals and the caller's demand and
 * cancellation on: a non-blocking worker's {@link DirectCall} extends it, through its two hooks,
 * rather than wrapping it in a subscriber of its own.
 */
final class MarkLast extends Flux<Item> {

    private final Publisher<Payload> source;

    MarkLast(Publisher<Payload> source) {
        this.source = source;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Item> actual) {
        new MarkLastSubscriber(actual).subscribeTo(source);
    }

    /**
     * The marking subscriber. A subclass may hook the end and the caller's cancel ({@link
     * #ending}, {@link #cancelling}); it must not signal the caller itself.
     */
    static class MarkLastSubscriber implements CoreSubscriber<Payload>, Subscription {
        private static final AtomicReferenceFieldUpdater<MarkLastSubscriber, Thread> CALLER =
                AtomicReferenceFieldUpdater.newUpdater(MarkLastSubscriber.class, Thread.class, "caller");

        private final CoreSubscriber<? super Item> actual;
        /**
         * The thread inside a call this operator made to the source, or handing on an item; null
         * between calls. Set by compare-and-set, cleared by that thread only.
         */
        private volatile @Nullable Thread caller;
        /** Demand signalled from inside such a call; only the caller's thread touches it. */
        private long deferred;
        private volatile @Nullable Subscription upstream;
        private volatile boolean cancelled;
        // guarded by this
        private @Nullable Payload held;
        private boolean done;
        private @Nullable Throwable error;
        private boolean terminated;

        MarkLastSubscriber(CoreSubscriber<? super Item> actual) {
            this.actual = actual;
        }

        void subscribeTo(Publisher<Payload> source) {
            caller = Thread.currentThread();
            try {
                source.subscribe(this);
            } catch (Throwable e) {
                caller = null;
                throw e;
            }
            afterCall();
        }

        @Override
        public reactor.util.context.Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                actual.onSubscribe(this);
            }
        }

        @Override
        public void onNext(Payload p) {
            Thread t = Thread.currentThread();
            if (caller == t) {
                synchronized (this) {
                    if (terminated || cancelled) {
                        return;
                    }
                    Payload previous = held;
                    held = p;
                    if (previous != null) {
                        actual.onNext(Item.next(previous));
                    }
                }
                return;
            }
            boolean own = enter(t);
            synchronized (this) {
                if (!terminated && !cancelled) {
                    Payload previous = held;
                    held = null;
                    if (previous != null) {
                        actual.onNext(Item.next(previous));
                    }
                    actual.onNext(Item.next(p));
                }
            }
            if (own) {
                afterCall();
            }
        }

        @Override
        public void onError(Throwable t) {
            terminal(t);
        }

        @Override
        public void onComplete() {
            terminal(null);
        }

        private void terminal(@Nullable Throwable t) {
            synchronized (this) {
                if (done) {
                    if (t != null) {
                        Operators.onErrorDropped(t, actual.currentContext());
                    }
                    return;
                }
                done = true;
                error = t;
                if (caller != Thread.currentThread()) {
                    flush();
                }
                // else the caller hands it on when its call returns
            }
        }

        @Override
        public void request(long n) {
            if (!Operators.validate(n)) {
                return;
            }
            Thread t = Thread.currentThread();
            if (caller == t) {
                deferred = Operators.addCap(deferred, n);
                return;
            }
            boolean own = enter(t);
            Subscription s = upstream;
            if (s != null) {
                s.request(n);
            }
            if (own) {
                afterCall();
            }
        }

        @Override
        public void cancel() {
            cancelling();
            cancelled = true;
            Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
        }

        /** Makes {@code t} the caller unless another thread is in a call; returns whether it did. */
        private boolean enter(Thread t) {
            return CALLER.compareAndSet(this, null, t);
        }

        /** The caller's call returned: hands on what it held, then passes on deferred demand. */
        private void afterCall() {
            for (;;) {
                synchronized (this) {
                    flush();
                }
                long r = deferred;
                deferred = 0;
                Subscription s = upstream;
                if (r == 0 || cancelled || s == null) {
                    break;
                }
                s.request(r);
            }
            caller = null;
        }

        /** Hands on the held item, marked if the source completed, then the end. Under the monitor. */
        private void flush() {
            if (terminated) {
                return;
            }
            if (cancelled) {
                held = null;
                return;
            }
            Payload p = held;
            held = null;
            if (p != null) {
                actual.onNext(new Item(p, done && error == null));
            }
            if (done) {
                terminated = true;
                Throwable e = error;
                ending(e);
                if (e != null) {
                    actual.onError(e);
                } else {
                    actual.onComplete();
                }
            }
        }

        /**
         * Called at most once, under the monitor, just before the end ({@code error}, or the
         * completion when null) goes on to the caller; a cancel may come before it (from within the
         * last item's {@code onNext}, or from another thread). Does nothing here.
         */
        void ending(@Nullable Throwable error) {
        }

        /** Called first whenever the caller cancels (maybe more than once, maybe after the end). Does nothing here. */
        void cancelling() {
        }
    }
}
