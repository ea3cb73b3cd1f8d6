package dev.switchboard.core;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * The session's response frames as the connection sees them: the one publisher handed to
 * {@link dev.switchboard.core.transport.Connection#send}, and the subscription through which the
 * connection asks for frames (into the {@link OutboundQueue}'s demand) or cancels (which ends the
 * session). It owns its one subscriber and whether that subscriber was completed; it must not
 * emit on its own: the pipeline's drain loop hands frames and the completion over, and the queue
 * holds the frames. Its state is guarded by the pipeline's lock.
 */
final class OutboundFrames extends Flux<Payload> implements Subscription {

    private final SessionPipeline pipeline;
    private final OutboundQueue queue;
    private @Nullable CoreSubscriber<? super Payload> subscriber;
    private boolean completed;

    OutboundFrames(SessionPipeline pipeline, OutboundQueue queue) {
        this.pipeline = pipeline;
        this.queue = queue;
    }

    /** The connection's subscriber, once it subscribed. Under the pipeline's lock. */
    @Nullable CoreSubscriber<? super Payload> subscriber() {
        return subscriber;
    }

    /** Whether the subscriber is to be completed now: true once, the first time. Under the pipeline's lock. */
    boolean completeOnce() {
        if (completed) {
            return false;
        }
        completed = true;
        return true;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Payload> actual) {
        synchronized (pipeline) {
            if (subscriber != null) {
                Operators.error(actual, new IllegalStateException("the outbound frames allow one subscriber"));
                return;
            }
            subscriber = actual;
        }
        actual.onSubscribe(this);
        pipeline.drain();
    }

    @Override
    public void request(long n) {
        if (Operators.validate(n)) {
            synchronized (pipeline) {
                queue.request(n);
            }
            pipeline.drain();
        }
    }

    @Override
    public void cancel() {
        pipeline.terminate(null);
    }
}
