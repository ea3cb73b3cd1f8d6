package dev.switchboard.transport.zmq.internal;

import dev.switchboard.core.transport.WorkerLink;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/**
 * One request a worker is serving: subscribes to the local worker's items with the granted
 * window and hands each signal to its {@link WorkerAgent} as a command. It owns the subscription
 * and the request's item window; it must not touch the socket or the agent's map of requests (the
 * agent's I/O thread does both), and an item marked last travels with the end in one record, so no
 * item waits here for the next signal.
 */
final class Serving implements CoreSubscriber<WorkerLink.Item> {
    final WorkerAgent agent;
    final long tag;
    final int window;
    private volatile @Nullable Subscription subscription;
    private volatile boolean cancelled;
    /** An item or the end of it met the full command queue; it ends with an error. */
    volatile boolean broken;
    // I/O thread only
    int allowed;

    Serving(WorkerAgent agent, long tag, int window) {
        this.agent = agent;
        this.tag = tag;
        this.window = window;
        this.allowed = window;
    }

    @Override
    public void onSubscribe(Subscription s) {
        subscription = s;
        if (cancelled) {
            s.cancel();
        } else {
            s.request(window);
        }
    }

    @Override
    public void onNext(WorkerLink.Item item) {
        if (!broken && !agent.submit(new WorkerAgent.Item(this, item))) {
            agent.undeliverable(this);
        }
    }

    @Override
    public void onError(Throwable t) {
        if (!broken && !agent.submit(new WorkerAgent.Failed(this, t))) {
            agent.undeliverable(this);
        }
    }

    @Override
    public void onComplete() {
        if (!broken && !agent.submit(new WorkerAgent.Done(this))) {
            agent.undeliverable(this);
        }
    }

    void request(long n) {
        Subscription s = subscription;
        if (s != null) {
            s.request(n);
        }
    }

    void cancel() {
        cancelled = true;
        Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
