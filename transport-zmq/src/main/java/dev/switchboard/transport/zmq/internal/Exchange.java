package dev.switchboard.transport.zmq.internal;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Limits;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.transport.WorkerLink.Item;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * One request sent to a remote worker, as the router sees it: a Flux of the worker's items,
 * each marked last when the worker sent it with the end in one record ({@code DATA_END}).
 *
 * <p>The I/O thread pushes items (at most the window the worker was granted, so the queue is
 * bounded by it) and the terminal signal; the subscriber's demand drains them in a loop shaped
 * like {@code FluxPublishOn}'s (a {@code wip} counter and {@code missed}), on whichever thread
 * gets there. Consumed items are granted back to the worker as CREDIT.
 */
public final class Exchange implements Subscription {

    final GatewayAgent agent;
    final RemoteWorker worker;
    final Request request;
    final long tag;
    private final CoreSubscriber<? super Item> actual;
    private final ConcurrentLinkedQueue<Item> items = new ConcurrentLinkedQueue<>();
    private final AtomicLong requested = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private final int window;
    private @Nullable Throwable error;
    private volatile boolean done;
    private volatile boolean cancelled;
    private boolean terminated;
    private int consumed;

    /**
     * Set when a command for this request (a CREDIT) could not be queued for the agent: the
     * request ended for the client, and the agent cancels it at the worker.
     */
    public volatile boolean abandoned;

    /** Items the worker may still send; I/O thread only. */
    int allowed;
    /** Whether the REQUEST went out and its credit is held; I/O thread only. */
    boolean sent;
    /** When the agent first tried to cancel it at the worker, 0 if it did not; I/O thread only. */
    long cancelSinceNanos;
    /** Whether its CANCEL went out; I/O thread only. */
    boolean cancelSent;

    public Exchange(GatewayAgent agent, RemoteWorker worker, Request request, long tag,
             CoreSubscriber<? super Item> actual, int window) {
        this.agent = agent;
        this.worker = worker;
        this.request = request;
        this.tag = tag;
        this.actual = actual;
        this.window = window;
        this.allowed = window;
    }

    /** The Flux the link returns for one request. */
    static Flux<Item> flux(GatewayAgent agent, RemoteWorker worker, Request request) {
        return new Flux<>() {
            @Override
            public void subscribe(CoreSubscriber<? super Item> actual) {
                Exchange ex = new Exchange(agent, worker, request, agent.nextTag(), actual, agent.responseWindow());
                actual.onSubscribe(ex);
                var violation = Limits.violation(request);
                if (violation.isPresent()) {
                    // the worker holds a request to the same limits: sent, it could not be served
                    ex.fail(new RelayException(ErrorCode.BAD_REQUEST, violation.get()));
                    return;
                }
                if (!agent.submit(new GatewayAgent.Send(ex))) {
                    ex.fail(new RelayException(ErrorCode.OVERLOADED, "the ZeroMQ gateway's queue is full"));
                }
            }
        };
    }

    int window() {
        return window;
    }

    boolean isCancelled() {
        return cancelled;
    }

    boolean isDone() {
        return done;
    }

    // ---- from the I/O thread

    public void onItem(Item item) {
        if (done) {
            return;
        }
        if (wip.get() == 0 && wip.compareAndSet(0, 1)) {
            // the common case, nothing queued and demand waiting: the item goes straight through
            if (!cancelled && requested.get() != 0 && items.isEmpty()) {
                actual.onNext(item);
                if (requested.get() != Long.MAX_VALUE) {
                    requested.decrementAndGet();
                }
                replenish(1);
            } else {
                items.offer(item);
            }
            if (wip.decrementAndGet() != 0) {
                drainLoop();
            }
            return;
        }
        items.offer(item);
        drain();
    }

    void complete() {
        if (done) {
            return;
        }
        done = true;
        drain();
    }

    void fail(Throwable t) {
        if (done) {
            return;
        }
        error = t;
        done = true;
        drain();
    }

    // ---- from the subscriber

    @Override
    public void request(long n) {
        if (Operators.validate(n)) {
            for (;;) {
                long r = requested.get();
                if (r == Long.MAX_VALUE || requested.compareAndSet(r, Operators.addCap(r, n))) {
                    break;
                }
            }
            drain();
        }
    }

    @Override
    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        if (!done) {
            // refused (counted): the agent's timer finds the request cancelled and cancels it at the worker
            agent.submit(new GatewayAgent.Cancel(this));
        }
        if (wip.getAndIncrement() == 0) {
            items.clear();
        }
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        drainLoop();
    }

    /** Emits what the demand allows; call holding the {@code wip} count (it is above 0). */
    private void drainLoop() {
        int missed = 1;
        for (;;) {
            long r = requested.get();
            long e = 0;
            while (e != r) {
                if (cancelled) {
                    items.clear();
                    return;
                }
                boolean d = done;
                Item p = items.poll();
                if (p == null) {
                    if (d) {
                        terminate();
                        return;
                    }
                    break;
                }
                actual.onNext(p);
                e++;
            }
            if (cancelled) {
                items.clear();
                return;
            }
            if (e == r && done && items.isEmpty()) {
                terminate();
                return;
            }
            if (e != 0) {
                if (r != Long.MAX_VALUE) {
                    requested.addAndGet(-e);
                }
                replenish(e);
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                break;
            }
        }
    }

    private void replenish(long e) {
        consumed += (int) e;
        if (!done && consumed >= Math.max(1, window / 2)) {
            int n = consumed;
            consumed = 0;
            if (!agent.submit(new GatewayAgent.Credit(this, n))) {
                // without the credit the worker would wait for ever: end here, the agent cancels it there
                abandoned = true;
                fail(new RelayException(ErrorCode.WORKER_FAILED, "the ZeroMQ gateway's queue is full"));
            }
        }
    }

    private void terminate() {
        if (terminated) {
            return;
        }
        terminated = true;
        Throwable t = error;
        if (t != null) {
            actual.onError(t);
        } else {
            actual.onComplete();
        }
    }
}
