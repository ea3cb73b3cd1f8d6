package dev.switchboard.core.worker;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.transport.WorkerLink.Item;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * One request on a blocking {@link LocalWorker}, from the caller's subscription to its end. It
 * holds one of the worker's credits from the start and gives it back before its end reaches the
 * caller (who may hand it to the next request from within {@code onComplete}).
 *
 * <p>Its steps run on the worker's {@link BlockingLanes}: the first calls the handler and
 * subscribes to its items; each later one passes the caller's demand on, since a handler's
 * publisher may block when asked for an item. A drain ({@code WIP} plus {@code missed}, as in
 * reactor-core's FluxPublishOn) keeps its steps from overlapping and puts it in the queue at most
 * once. Demand that arrives once the items have ended needs no step, so a one-item answer costs
 * one trip to a lane.
 *
 * <p>Cancelling a call that waits in the queue takes it out: its handler never runs. Cancelling
 * a running one cancels its items' subscription from the cancelling thread (as
 * {@code subscribeOn} does) and does not interrupt the lane's thread: an interrupt closes any
 * {@code FileChannel} the handler reads ({@code ClosedByInterruptException}), and cached readers
 * are shared by every request of their key. Either way the credit is free when cancel returns.
 */
final class BlockingCall implements Subscription, CoreSubscriber<Item>, Runnable {

    private static final Logger log = LoggerFactory.getLogger(BlockingCall.class);

    private static final AtomicIntegerFieldUpdater<BlockingCall> WIP =
            AtomicIntegerFieldUpdater.newUpdater(BlockingCall.class, "wip");
    private static final AtomicLongFieldUpdater<BlockingCall> REQUESTED =
            AtomicLongFieldUpdater.newUpdater(BlockingCall.class, "requested");
    private static final AtomicReferenceFieldUpdater<BlockingCall, Subscription> UPSTREAM =
            AtomicReferenceFieldUpdater.newUpdater(BlockingCall.class, Subscription.class, "upstream");
    private static final AtomicIntegerFieldUpdater<BlockingCall> DONE =
            AtomicIntegerFieldUpdater.newUpdater(BlockingCall.class, "done");
    private static final AtomicIntegerFieldUpdater<BlockingCall> RELEASED =
            AtomicIntegerFieldUpdater.newUpdater(BlockingCall.class, "released");

    private final LocalWorker worker;
    private final BlockingLanes lanes;
    private final Request request;
    private final CoreSubscriber<? super Item> actual;
    private final long spareDelayNanos;

    private volatile int wip;
    private volatile long requested;
    private volatile @Nullable Subscription upstream;
    /** 1 once the items ended, or the call was answered with an error of its own. */
    private volatile int done;
    private volatile int released;
    private volatile boolean cancelled;
    /** Whether it waits in the lanes' queue; written under the lanes' lock. */
    volatile boolean queued;
    /** When it last joined the lanes' queue ({@link System#nanoTime()}); guarded by the lanes' lock. */
    long queuedAt;
    /** When, waiting still, it gets a spare lane; guarded by the lanes' lock. */
    long spareAt;

    // written by the first step, before the items are subscribed to
    private boolean begun;
    private boolean hit;
    private long start;

    BlockingCall(LocalWorker worker, BlockingLanes lanes, Request request, CoreSubscriber<? super Item> actual,
            long spareDelayNanos) {
        this.worker = worker;
        this.lanes = lanes;
        this.request = request;
        this.actual = actual;
        this.spareDelayNanos = spareDelayNanos;
    }

    /** Hands the subscription to the caller and queues the first step. The credit is held. */
    void start() {
        actual.onSubscribe(this);
        if (wip == 0) {
            // the caller asked for nothing yet: begin all the same
            schedule();
        }
    }

    /** Whether nothing more is to be done for it (the lanes do not queue it then). */
    boolean ended() {
        return done != 0 || cancelled;
    }

    private void schedule() {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        RelayException refused = lanes.submit(this, worker.id(), spareDelayNanos);
        if (refused != null) {
            fail(refused);
        }
    }

    // ---- the caller's side

    @Override
    public void request(long n) {
        if (!Operators.validate(n) || ended()) {
            return;
        }
        Operators.addCap(REQUESTED, this, n);
        schedule();
    }

    @Override
    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        release();
        // paired with BlockingLanes.submit: it writes queued and then reads cancelled
        if (queued) {
            lanes.remove(this);
        }
        cancelUpstream();
    }

    // ---- a step, on a lane

    @Override
    public void run() {
        int missed = 1;
        for (;;) {
            if (!ended()) {
                if (!begun) {
                    begun = true;
                    begin();
                } else {
                    Subscription s = upstream;
                    if (s != null && s != Operators.cancelledSubscription()) {
                        long r = REQUESTED.getAndSet(this, 0);
                        if (r > 0) {
                            s.request(r);
                        }
                    }
                }
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private void begin() {
        hit = worker.cachedAtStart(request);
        start = worker.now();
        worker.items(request, hit).subscribe(this);
    }

    /** A step threw past the handler's publisher: the lane survives, the call fails. */
    void crashed(Throwable e) {
        log.error("worker {}: request {} failed outside its handler's items", worker.id(), request.id(), e);
        fail(e);
    }

    /** The lanes could not take or keep it (closed, or no thread could run it). */
    void refused(String message) {
        fail(new RelayException(ErrorCode.WORKER_FAILED, "worker " + worker.id() + ": " + message));
    }

    private void fail(Throwable e) {
        if (!DONE.compareAndSet(this, 0, 1)) {
            return;
        }
        cancelUpstream();
        release();
        forget();
        if (!cancelled) {
            actual.onError(e);
        }
    }

    // ---- the handler's items

    @Override
    public Context currentContext() {
        return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
        if (!UPSTREAM.compareAndSet(this, null, s)) {
            s.cancel();
            if (upstream != Operators.cancelledSubscription()) {
                Operators.reportSubscriptionSet();
            }
            return;
        }
        long r = REQUESTED.getAndSet(this, 0);
        if (r > 0) {
            s.request(r);
        }
    }

    @Override
    public void onNext(Item p) {
        if (done != 0 || cancelled) {
            Operators.onDiscard(p, actual.currentContext());
            return;
        }
        actual.onNext(p);
    }

    @Override
    public void onError(Throwable t) {
        if (!DONE.compareAndSet(this, 0, 1)) {
            Operators.onErrorDropped(t, actual.currentContext());
            return;
        }
        release();
        forget();
        if (cancelled) {
            log.debug("worker {}: request {} failed after its cancellation", worker.id(), request.id(), t);
            return;
        }
        actual.onError(t);
    }

    @Override
    public void onComplete() {
        if (!DONE.compareAndSet(this, 0, 1)) {
            return;
        }
        release();
        forget();
        if (cancelled) {
            return;
        }
        worker.record(hit, worker.now() - start);
        actual.onComplete();
    }

    // ----

    private void release() {
        if (RELEASED.compareAndSet(this, 0, 1)) {
            worker.release();
        }
    }

    /** Leaves the queue if it waits there, once it ended. */
    private void forget() {
        // paired with BlockingLanes.submit: it writes queued and then reads done
        if (queued) {
            lanes.remove(this);
        }
    }

    private void cancelUpstream() {
        Subscription s = UPSTREAM.getAndSet(this, Operators.cancelledSubscription());
        if (s != null && s != Operators.cancelledSubscription()) {
            s.cancel();
        }
    }

    @Override
    public String toString() {
        return "BlockingCall[" + worker.id() + ", " + request.id() + "]";
    }
}
