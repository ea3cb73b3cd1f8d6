package dev.switchboard.core;

import dev.switchboard.core.transport.WorkerLink;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * One request of a session, from the frame that carried it to its last answer: the subscriber to
 * its worker's items. It owns the request's state (begun, parked, finished, withdrawn, the answer
 * that waits for a permit), its undelivered frames, its timings, and the one rule that every
 * request gets exactly one terminal answer (the worker's last item, its end, its error, a timeout
 * or a bad-request error) and nothing after it. It asks its worker for one item at a time, only
 * while it holds a permit, and hops onto the connection's thread before it touches the session.
 * It must not touch the session's queues or counters itself: its state is guarded by the
 * {@link SessionPipeline}'s lock, and permits, frames and demand go through the pipeline.
 */
final class Exchange implements CoreSubscriber<WorkerLink.Item> {

    private static final Logger log = LoggerFactory.getLogger(Exchange.class);

    private final SessionPipeline pipeline;
    final @Nullable Request request;
    final RequestId id;
    /** Frames encoded and waiting for the client; each holds one permit. */
    final ArrayDeque<Payload> frames = new ArrayDeque<>(2);
    /** When it was read, by the session's timer. */
    final long readNanos;
    // guarded by the pipeline's lock
    /** An answer that waits for a permit: a bad-request error, or the end or error of a parked stream. */
    @Nullable Response pendingTerminal;
    boolean finished;
    boolean begun;
    /** Waits in the ledger for a permit. */
    boolean parked;
    /** The client cancelled it; it left the session's queues. */
    boolean withdrawn;
    /** When it was routed, in this session's routing order (0 if never). */
    long routedSeq;
    /** When its first frame went to the client (0: not yet). */
    long firstFrameNanos;
    long lastActivityNanos;
    // the worker's side
    private volatile @Nullable Subscription upstream;
    private volatile boolean cancelled;

    /** A request ({@code bad} null) or the error answer to a bad frame ({@code request} possibly null). */
    Exchange(SessionPipeline pipeline, @Nullable Request request, @Nullable Response bad, long readNanos) {
        this.pipeline = pipeline;
        this.request = request;
        this.readNanos = readNanos;
        if (bad != null) {
            this.pendingTerminal = bad;
            this.id = bad.idOrNull() != null ? bad.idOrNull() : RequestId.of("");
        } else {
            this.id = java.util.Objects.requireNonNull(request).id();
        }
    }

    /**
     * Cancels the exchanges, newest routed first. Cancelling a request that holds a credit lets
     * the router hand that credit to a waiting request at once; the waiting ones of this session
     * were routed after those holding credits, so cancelling them first keeps them from reaching
     * a worker only to be cancelled.
     */
    static void cancelNewestFirst(List<Exchange> toCancel) {
        toCancel.sort((a, b) -> Long.compare(b.routedSeq, a.routedSeq));
        for (Exchange ex : toCancel) {
            ex.cancelUpstream();
        }
    }

    /** A frame of it goes to the client at {@code nanos}: reports its timings after its last. Under the lock. */
    void timeFrame(long nanos) {
        if (firstFrameNanos == 0) {
            firstFrameNanos = Math.max(1, nanos);
        }
        if (finished && frames.isEmpty()) {
            pipeline.relay.timings.answered(firstFrameNanos - readNanos, nanos - readNanos);
        }
    }

    /** Runs after a permit was granted: begin, or ask the worker for the next item. */
    void proceed() {
        boolean first;
        synchronized (pipeline) {
            if (pipeline.isTerminated() || withdrawn) {
                return;
            }
            if (!begun && pendingTerminal != null) {
                begun = true;
                finished = true;
                pipeline.enqueue(this, frame(pendingTerminal));
                pendingTerminal = null;
                first = false;
            } else {
                first = !begun;
                begun = true;
                if (first) {
                    routedSeq = pipeline.nextRoutedSeq();
                }
            }
        }
        if (first) {
            pipeline.relay.router.exchange(java.util.Objects.requireNonNull(request)).subscribe(this);
        } else {
            requestNext();
        }
        pipeline.drain();
    }

    private void requestNext() {
        Subscription s = upstream;
        if (s != null) {
            s.request(1);
        }
    }

    @Override
    public void onSubscribe(Subscription s) {
        if (Operators.validate(upstream, s)) {
            upstream = s;
            if (cancelled) {
                s.cancel();
            } else {
                s.request(1);
            }
        }
    }

    @Override
    public void onNext(WorkerLink.Item item) {
        if (!pipeline.thread.hop(() -> onNextHere(item))) {
            onNextHere(item);
        }
    }

    /**
     * An item goes to the client at once, with the worker's last-item mark; the next item (or
     * the end, when the item was not marked last) needs a permit of its own.
     */
    private void onNextHere(WorkerLink.Item item) {
        boolean more;
        synchronized (pipeline) {
            if (answered()) {
                return;
            }
            lastActivityNanos = pipeline.now();
            pipeline.enqueue(this, frame(Response.data(id, item.payload(), item.last())));
            if (item.last()) {
                finished = true;
                more = false;
            } else {
                more = pipeline.grant(this);
            }
        }
        if (more) {
            requestNext();
        }
        pipeline.drain();
    }

    @Override
    public void onComplete() {
        if (!pipeline.thread.hop(this::onCompleteHere)) {
            onCompleteHere();
        }
    }

    private void onCompleteHere() {
        synchronized (pipeline) {
            if (answered()) {
                return;
            }
            // a stream may complete without further demand: its end then waits for a permit
            if (!answer(Response.end(id))) {
                return;
            }
        }
        pipeline.drain();
    }

    @Override
    public void onError(Throwable t) {
        if (cancelled) {
            return;
        }
        if (!pipeline.thread.hop(() -> fail(t))) {
            fail(t);
        }
    }

    /** Answers with the error {@code t} stands for, unless it was answered already. */
    void fail(Throwable t) {
        ErrorCode code;
        String message;
        if (t instanceof RelayException re) {
            code = re.code();
            message = re.getMessage();
        } else if (t instanceof TimeoutException) {
            code = ErrorCode.TIMEOUT;
            message = "no response in time";
        } else {
            // the exception's text stays in the server's log: it may describe internals
            code = ErrorCode.WORKER_FAILED;
            message = RelayException.WORKER_FAILED_MESSAGE;
        }
        if (log.isDebugEnabled()) {
            log.debug("{}: request {} failed: {}", pipeline.session(), id, message, t);
        }
        Response error = Response.error(id, code, message == null ? code.wireName() : message);
        synchronized (pipeline) {
            if (answered()) {
                return;
            }
            pipeline.relay.countError(code);
            if (!answer(error)) {
                return;
            }
        }
        pipeline.drain();
    }

    /** Whether its terminal answer is queued, waiting for a permit, or moot. Under the lock. */
    private boolean answered() {
        return finished || pipeline.isTerminated() || pendingTerminal != null;
    }

    /**
     * Queues the terminal {@code answer} with the permit it holds, or, parked and holding none,
     * keeps it until a permit comes. Returns whether it was queued. Under the lock.
     */
    private boolean answer(Response answer) {
        if (parked) {
            pendingTerminal = answer;
            return false;
        }
        pipeline.enqueue(this, frame(answer));
        finished = true;
        return true;
    }

    /**
     * It was parked and got a permit: an answer that waited for one is queued now, and it is
     * finished. Returns whether it must {@link #proceed()}. Under the lock.
     */
    boolean resume(long now) {
        lastActivityNanos = now;
        Response answer = pendingTerminal;
        if (answer == null) {
            return true;
        }
        pipeline.enqueue(this, frame(answer));
        pendingTerminal = null;
        finished = true;
        return false;
    }

    /**
     * Encodes one answer. A codec that throws breaks its contract; the client gets a
     * {@code worker_failed} frame in its place rather than the session losing the item's permit.
     */
    private Payload frame(Response response) {
        Codec codec = pipeline.relay.codec;
        try {
            return codec.encode(response);
        } catch (RuntimeException e) {
            log.warn("{}: the codec could not encode {}", pipeline.session(), response, e);
            return codec.encode(Response.error(response.idOrNull(), ErrorCode.WORKER_FAILED,
                    "the response could not be encoded"));
        }
    }

    /** Cancels its worker's exchange, now or as soon as it subscribes, which returns the credit. */
    void cancelUpstream() {
        cancelled = true;
        Subscription s = upstream;
        if (s != null) {
            s.cancel();
        }
    }

    @Override
    public Context currentContext() {
        return Context.empty();
    }
}
