package dev.switchboard.core;

import dev.switchboard.core.transport.Connection;
import dev.switchboard.core.transport.WorkerLink;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * One session: reads frames as room allows, routes each request, drops the requests the client
 * cancels, and hands response frames to the connection as it asks for them.
 *
 * <p>Accounting, all guarded by {@code this}: a request is <em>in flight</em> from the frame that
 * carried it until its last frame was handed to the connection or the client cancelled it; at
 * most {@code maxInFlight} are. The session asks the connection for one frame more than that
 * (frames asked for and not yet received plus requests in flight plus a request read beyond the
 * limit make {@code maxInFlight + 1}), so that a client at its limit can still be read: a cancel
 * takes no place and is answered by asking for one more frame, while a request read beyond the
 * limit waits, not started, until a request leaves. A <em>permit</em> is room for one frame in
 * the response queue; an exchange holds one before it asks its worker for the next item, so a
 * worker's item always has room, and at most {@code maxQueuedResponses} permits exist. In ORDERED
 * mode the last permit is kept for the head of the line, so it can always make progress.
 * An exchange without a permit is <em>parked</em> and waits; its worker is not asked for more.
 * Freed permits go to parked streams that already run on a worker before parked requests that
 * have not started: a running stream holds a worker credit, and a permit given to a request that
 * then waits for a credit could leave every credit held by streams waiting for permits.
 *
 * <p>No item waits for the next signal: it is queued as it arrives, carrying {@code end} when the
 * worker marked it last ({@link WorkerLink.Item#last()}); an end that comes later takes a permit
 * and a frame of its own.
 *
 * <p>Frames go to the connection through a drain loop ({@code WIP} plus {@code missed}, as in
 * reactor-core's FluxPublishOn); side effects (requests to workers and to the connection) run
 * outside the lock.
 */
final class SessionPipeline implements CoreSubscriber<Frame> {

    private static final Logger log = LoggerFactory.getLogger(SessionPipeline.class);

    private static final AtomicIntegerFieldUpdater<SessionPipeline> WIP =
            AtomicIntegerFieldUpdater.newUpdater(SessionPipeline.class, "wip");

    private final RelayImpl relay;
    private final Connection connection;
    private final Session session;
    private final Scheduler timer;
    private final boolean ordered;
    private final int maxQueued;
    private final long requestTimeoutNanos;
    private final long slowConsumerNanos;
    private final Sinks.Empty<Void> done = Sinks.empty();
    /** The session-level routing key, when the relay routes this session as a whole. */
    private final @Nullable String sessionKey;

    private volatile int wip;
    /** The connection's own thread's executor, if it has one (see {@link Connection#executor()}). */
    private final @Nullable Executor executor;
    /** The executor's thread, once a task told it; null until then. */
    private volatile @Nullable Thread executorThread;

    // guarded by this
    private @Nullable Subscription inbound;
    private final ArrayDeque<Exchange> exchanges = new ArrayDeque<>();
    private final ArrayDeque<Exchange> ready = new ArrayDeque<>();
    /** Parked exchanges that run on a worker (begun), and those not yet routed. */
    private final ArrayDeque<Exchange> paused = new ArrayDeque<>();
    private final ArrayDeque<Exchange> starved = new ArrayDeque<>();
    /**
     * Requests read while {@code maxInFlight} were in flight; they join when one leaves. At most
     * one while the connection honours demand.
     */
    private final ArrayDeque<Exchange> beyondLimit = new ArrayDeque<>(1);
    private int permits;
    private int queuedFrames;
    private long demand;
    /** Whether a frame the client could take waits while it asks for none, and since when. */
    private boolean stalled;
    private long stalledSinceNanos;
    private boolean terminated;
    private boolean outboundDone;
    private @Nullable CoreSubscriber<? super Frame> out;
    private @Nullable List<Exchange> actions;
    private int framesToRequest;
    private long routedCount;

    private Disposable sweeper = () -> { };
    private Disposable sendWatch = () -> { };
    private Disposable closeWatch = () -> { };

    SessionPipeline(RelayImpl relay, Connection connection, Session session, Scheduler timer) {
        this.relay = relay;
        this.connection = connection;
        this.session = session;
        this.timer = timer;
        this.ordered = session.ordering() == Ordering.ORDERED;
        this.sessionKey = relay.sessionRoutingKey == null ? null : session.attributes().get(relay.sessionRoutingKey);
        this.maxQueued = session.maxQueuedResponses();
        this.requestTimeoutNanos = relay.requestTimeout.toNanos();
        this.slowConsumerNanos = relay.slowConsumerTimeout.toNanos();
        this.executor = connection.executor().orElse(null);
    }

    Mono<Void> start() {
        relay.sessions.incrementAndGet();
        if (executor != null) {
            hop(() -> executorThread = Thread.currentThread());
        }
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10),
                Math.min(requestTimeoutNanos, slowConsumerNanos) / 4);
        sweeper = timer.schedulePeriodically(this::sweep, period, period, TimeUnit.NANOSECONDS);
        sendWatch = connection.send(new Outbound()).subscribe(null,
                e -> terminate(CloseStatus.INTERNAL_ERROR.withReason("send failed")));
        closeWatch = connection.onClose().subscribe(s -> terminate(null), e -> terminate(null),
                () -> terminate(null));
        connection.receive().subscribe(this);
        return done.asMono().doOnCancel(() -> terminate(CloseStatus.GOING_AWAY));
    }

    Session session() {
        return session;
    }

    // ---- inbound frames

    @Override
    public void onSubscribe(Subscription s) {
        synchronized (this) {
            if (terminated || inbound != null) {
                s.cancel();
                return;
            }
            inbound = s;
        }
        // one frame beyond the limit, so that a cancel can arrive while the session is at it
        s.request(session.maxInFlight() + 1L);
    }

    @Override
    public void onNext(Frame frame) {
        ClientMessage message = null;
        Response bad = null;
        try {
            message = java.util.Objects.requireNonNull(relay.codec.decode(frame, session),
                    "the codec returned null");
        } catch (CodecException e) {
            bad = Response.error(e.requestId().orElse(null), ErrorCode.BAD_REQUEST, e.getMessage());
        } catch (RuntimeException e) {
            bad = Response.error(null, ErrorCode.BAD_REQUEST, "undecodable frame");
        }
        if (message instanceof Cancel cancel) {
            cancel(cancel.id());
            return;
        }
        relay.requests.increment();
        Request request = (Request) message;
        if (request != null && sessionKey != null) {
            request = request.toBuilder().key(sessionKey).build();
        }
        if (request != null && bad == null) {
            // whatever codec built it: a request over a limit never reaches a worker
            var violation = Limits.violation(request);
            if (violation.isPresent()) {
                bad = Response.error(request.id(), ErrorCode.BAD_REQUEST, violation.get());
            }
        }
        if (bad != null) {
            relay.countError(ErrorCode.BAD_REQUEST);
            if (log.isDebugEnabled()) {
                log.debug("{}: bad request: {}", session, bad.message());
            }
        }
        Exchange ex = new Exchange(request, bad);
        boolean go;
        synchronized (this) {
            if (terminated) {
                return;
            }
            if (!beyondLimit.isEmpty() || exchanges.size() >= session.maxInFlight()) {
                beyondLimit.add(ex);
                return;
            }
            enter(ex);
            go = grant(ex);
        }
        if (go) {
            ex.proceed();
        }
        drain();
    }

    /**
     * The client cancelled its request {@code id}: each exchange of a request with that id
     * leaves at once, its undelivered frames dropped and its worker's exchange cancelled, which
     * returns the worker's credit. An id not in flight (unknown, or answered already: the answer
     * and the cancel crossed) is ignored. The cancel frame takes no place, so one more frame may
     * be read.
     */
    private void cancel(RequestId id) {
        List<Exchange> withdrawn = null;
        synchronized (this) {
            if (terminated) {
                return;
            }
            framesToRequest++;
            for (Iterator<Exchange> it = exchanges.iterator(); it.hasNext();) {
                Exchange ex = it.next();
                // an error answer to a bad frame goes out regardless
                if (ex.request != null && ex.id.equals(id)) {
                    it.remove();
                    withdraw(ex);
                    if (withdrawn == null) {
                        withdrawn = new ArrayList<>(1);
                    }
                    withdrawn.add(ex);
                }
            }
            if (withdrawn != null) {
                grantStarved();
            }
        }
        if (withdrawn != null) {
            cancelNewestFirst(withdrawn);
        } else if (log.isDebugEnabled()) {
            log.debug("{}: cancel of request {} ignored: not in flight", session, id);
        }
        drain();
    }

    // ---- requests in flight (call under the lock)

    /** {@code ex} joins the requests in flight. */
    private void enter(Exchange ex) {
        exchanges.add(ex);
        relay.inFlight.increment();
        ex.lastActivityNanos = now();
    }

    /**
     * A request left the requests in flight: the request read beyond the limit, if any, takes
     * its place (parked, so that the freed permits go by {@link #nextParked()}), and one more
     * frame may be read.
     */
    private void vacate() {
        relay.inFlight.decrement();
        framesToRequest++;
        Exchange next = beyondLimit.poll();
        if (next != null) {
            enter(next);
            park(next);
        }
    }

    /**
     * Takes a cancelled exchange, already removed from {@code exchanges}, out of every queue and
     * returns its permits: one per queued frame, plus the one it holds for its next step unless
     * it is parked or finished.
     */
    private void withdraw(Exchange ex) {
        int queued = ex.frames.size();
        permits -= queued + (ex.parked || ex.finished ? 0 : 1);
        queuedFrames -= queued;
        relay.queued.add(-queued);
        ex.frames.clear();
        if (ex.parked) {
            unpark(ex);
        }
        if (!ordered) {
            ready.removeIf(r -> r == ex);
        }
        ex.withdrawn = true;
        ex.finished = true;
        ex.pendingTerminal = null;
        vacate();
    }

    @Override
    public void onError(Throwable t) {
        log.debug("{}: inbound failed", session, t);
        terminate(CloseStatus.INTERNAL_ERROR.withReason("transport error"));
    }

    @Override
    public void onComplete() {
        terminate(CloseStatus.NORMAL);
    }

    // ---- permits (call under the lock)

    private boolean canGrant(Exchange ex) {
        return permits < maxQueued && (!ordered || permits < maxQueued - 1 || ex == exchanges.peekFirst());
    }

    /** Takes a permit for {@code ex}'s next step, or parks it. Returns whether it may proceed. */
    private boolean grant(Exchange ex) {
        if (canGrant(ex)) {
            permits++;
            return true;
        }
        park(ex);
        return false;
    }

    private void park(Exchange ex) {
        ex.parked = true;
        (ex.begun ? paused : starved).add(ex);
    }

    private void unpark(Exchange ex) {
        ex.parked = false;
        (ex.begun ? paused : starved).remove(ex);
    }

    /** The parked exchange that gets the next permit: the head (ORDERED), a running stream, the oldest. */
    private @Nullable Exchange nextParked() {
        if (ordered) {
            Exchange head = exchanges.peekFirst();
            if (head != null && head.parked) {
                return head;
            }
        }
        Exchange p = paused.peekFirst();
        return p != null ? p : starved.peekFirst();
    }

    /** Hands freed permits to parked exchanges (see {@link #nextParked()}). */
    private void grantStarved() {
        for (;;) {
            Exchange candidate = nextParked();
            if (candidate == null || !canGrant(candidate)) {
                return;
            }
            unpark(candidate);
            permits++;
            candidate.lastActivityNanos = now();
            if (candidate.pendingTerminal != null) {
                enqueue(candidate, frame(candidate.pendingTerminal));
                candidate.pendingTerminal = null;
                candidate.finished = true;
            } else {
                if (actions == null) {
                    actions = new ArrayList<>(4);
                }
                actions.add(candidate);
            }
        }
    }

    /**
     * Encodes one response item. A codec that throws breaks its contract; the client gets a
     * {@code worker_failed} frame in its place rather than the session losing the item's permit.
     */
    private Frame frame(Response response) {
        try {
            return relay.codec.encode(response);
        } catch (RuntimeException e) {
            log.warn("{}: the codec could not encode {}", session, response, e);
            return relay.codec.encode(Response.error(response.idOrNull(), ErrorCode.WORKER_FAILED,
                    "the response could not be encoded"));
        }
    }

    /** Queues a frame of {@code ex}, using the permit it holds. */
    private void enqueue(Exchange ex, Frame f) {
        queuedFrames++;
        relay.queued.increment();
        ex.frames.add(f);
        if (!ordered) {
            ready.add(ex);
        }
    }

    // ---- outbound frames

    private final class Outbound extends Flux<Frame> implements Subscription {
        @Override
        public void subscribe(CoreSubscriber<? super Frame> actual) {
            synchronized (SessionPipeline.this) {
                if (out != null) {
                    Operators.error(actual, new IllegalStateException("the outbound frames allow one subscriber"));
                    return;
                }
                out = actual;
            }
            actual.onSubscribe(this);
            drain();
        }

        @Override
        public void request(long n) {
            if (Operators.validate(n)) {
                synchronized (SessionPipeline.this) {
                    demand = Operators.addCap(demand, n);
                }
                drain();
            }
        }

        @Override
        public void cancel() {
            terminate(null);
        }
    }

    void drain() {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            for (;;) {
                CoreSubscriber<? super Frame> o;
                Frame f = null;
                boolean complete = false;
                List<Exchange> todo;
                int toRequest;
                Subscription in;
                synchronized (this) {
                    o = out;
                    if (o == null) {
                        watchStall(false);
                        break;
                    }
                    if (terminated) {
                        if (!outboundDone) {
                            outboundDone = true;
                            complete = true;
                        }
                    } else if (demand > 0) {
                        f = poll();
                        if (f != null) {
                            demand--;
                        }
                    }
                    watchStall(f != null);
                    // a cancel frees permits and places with no frame going out: act on them all the same
                    todo = actions;
                    actions = null;
                    toRequest = terminated ? 0 : framesToRequest;
                    framesToRequest = 0;
                    in = inbound;
                }
                if (complete) {
                    o.onComplete();
                    break;
                }
                if (f != null) {
                    relay.frames.increment();
                    o.onNext(f);
                }
                if (todo != null) {
                    for (Exchange ex : todo) {
                        ex.proceed();
                    }
                }
                if (toRequest > 0 && in != null) {
                    in.request(toRequest);
                }
                if (f == null) {
                    break;
                }
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                break;
            }
        }
    }

    /**
     * Tracks how long the client has left a frame it could take unread: the slow-consumer clock
     * runs only while a frame is deliverable and the client asks for none. A frame that waits
     * behind a slow head of the line (ORDERED) does not count against the client. Under the lock.
     */
    private void watchStall(boolean delivered) {
        if (delivered || terminated) {
            stalled = false;
            return;
        }
        Exchange next = ordered ? exchanges.peekFirst() : ready.peekFirst();
        boolean deliverable = next != null && !next.frames.isEmpty();
        if (!deliverable) {
            stalled = false;
        } else if (!stalled) {
            stalled = true;
            stalledSinceNanos = now();
        }
    }

    /** The next frame for the client, releasing its permit. Under the lock. */
    private @Nullable Frame poll() {
        Exchange ex = ordered ? exchanges.peekFirst() : ready.poll();
        if (ex == null) {
            return null;
        }
        Frame f = ex.frames.poll();
        if (f == null) {
            return null;
        }
        if (relay.timings.active()) {
            ex.timeFrame(now());
        }
        queuedFrames--;
        relay.queued.decrement();
        permits--;
        if (ex.finished && ex.frames.isEmpty()) {
            if (ordered) {
                exchanges.pollFirst();
            } else {
                exchanges.remove(ex);
            }
            vacate();
        }
        grantStarved();
        return f;
    }

    // ---- the connection's thread

    /**
     * Runs {@code task} on the connection's thread when a worker's answer arrives on another:
     * returns false, having done nothing, when there is no such thread, this is it, or it refuses
     * the task (the transport is shutting down), and the caller goes on where it is.
     */
    private boolean hop(Runnable task) {
        Executor e = executor;
        if (e == null || Thread.currentThread() == executorThread) {
            return false;
        }
        try {
            e.execute(task);
            return true;
        } catch (RejectedExecutionException refused) {
            return false;
        }
    }

    // ---- timers

    private long now() {
        return timer.now(TimeUnit.NANOSECONDS);
    }

    private void sweep() {
        List<Exchange> expired = null;
        boolean slow;
        synchronized (this) {
            if (terminated) {
                return;
            }
            long now = now();
            slow = stalled && now - stalledSinceNanos >= slowConsumerNanos;
            if (!slow) {
                for (Exchange ex : exchanges) {
                    if (!ex.finished && ex.pendingTerminal == null && ex.begun && !ex.parked
                            && now - ex.lastActivityNanos >= requestTimeoutNanos) {
                        if (expired == null) {
                            expired = new ArrayList<>();
                        }
                        expired.add(ex);
                    }
                }
            }
        }
        if (slow) {
            relay.slowConsumersClosed.increment();
            log.debug("{}: closing a client that does not read its responses", session);
            terminate(CloseStatus.POLICY_VIOLATION.withReason("slow consumer"));
            return;
        }
        if (expired != null) {
            cancelNewestFirst(expired);
            for (Exchange ex : expired) {
                ex.fail(new RelayException(ErrorCode.TIMEOUT, "no response within "
                        + relay.requestTimeout.toMillis() + " ms"));
            }
        }
    }

    /**
     * Cancels the exchanges, newest routed first. Cancelling a request that holds a credit lets
     * the router hand that credit to a waiting request at once; the waiting ones of this session
     * were routed after those holding credits, so cancelling them first keeps them from reaching
     * a worker only to be cancelled.
     */
    private static void cancelNewestFirst(List<Exchange> toCancel) {
        toCancel.sort((a, b) -> Long.compare(b.routedSeq, a.routedSeq));
        for (Exchange ex : toCancel) {
            ex.cancelUpstream();
        }
    }

    // ---- the end

    void terminate(@Nullable CloseStatus status) {
        List<Exchange> open;
        Subscription in;
        synchronized (this) {
            if (terminated) {
                return;
            }
            terminated = true;
            open = new ArrayList<>(exchanges);
            exchanges.clear();
            beyondLimit.clear();
            ready.clear();
            starved.clear();
            paused.clear();
            relay.queued.add(-queuedFrames);
            relay.inFlight.add(-open.size());
            queuedFrames = 0;
            permits = 0;
            in = inbound;
        }
        if (in != null) {
            in.cancel();
        }
        cancelNewestFirst(open);
        sweeper.dispose();
        drain();
        if (status != null) {
            connection.close(status).subscribe(null, e -> log.debug("{}: close failed", session, e));
        }
        relay.sessions.decrementAndGet();
        closeWatch.dispose();
        done.tryEmitEmpty();
    }

    // ---- one request

    private final class Exchange implements CoreSubscriber<WorkerLink.Item> {
        final @Nullable Request request;
        final RequestId id;
        final ArrayDeque<Frame> frames = new ArrayDeque<>(2);
        // guarded by the pipeline's lock
        @Nullable Response pendingTerminal;
        boolean finished;
        boolean begun;
        /** Waits in {@code paused} or {@code starved} for a permit. */
        boolean parked;
        /** The client cancelled it; it left the session's queues. */
        boolean withdrawn;
        /** When it was routed, in this session's routing order (0 if never). */
        long routedSeq;
        /** When it was read, by the session's timer; guarded by the pipeline's lock. */
        final long readNanos = now();
        /** When its first frame went to the client (0: not yet); guarded by the pipeline's lock. */
        long firstFrameNanos;
        long lastActivityNanos;
        // the worker's side
        volatile @Nullable Subscription upstream;
        volatile boolean cancelled;

        Exchange(@Nullable Request request, @Nullable Response bad) {
            this.request = request;
            if (bad != null) {
                this.pendingTerminal = bad;
                this.id = bad.idOrNull() != null ? bad.idOrNull() : RequestId.of("");
            } else {
                this.id = java.util.Objects.requireNonNull(request).id();
            }
        }

        /** A frame of it goes to the client at {@code nanos}: reports its timings after its last. */
        void timeFrame(long nanos) {
            if (firstFrameNanos == 0) {
                firstFrameNanos = Math.max(1, nanos);
            }
            if (finished && frames.isEmpty()) {
                relay.timings.answered(firstFrameNanos - readNanos, nanos - readNanos);
            }
        }

        /** Runs after a permit was granted: begin, or ask the worker for the next item. */
        void proceed() {
            boolean first;
            synchronized (SessionPipeline.this) {
                if (terminated || withdrawn) {
                    return;
                }
                if (!begun && pendingTerminal != null) {
                    begun = true;
                    finished = true;
                    enqueue(this, frame(pendingTerminal));
                    pendingTerminal = null;
                    first = false;
                } else {
                    first = !begun;
                    begun = true;
                    if (first) {
                        routedSeq = ++routedCount;
                    }
                }
            }
            if (first) {
                relay.router.exchange(java.util.Objects.requireNonNull(request)).subscribe(this);
            } else {
                Subscription s = upstream;
                if (s != null) {
                    s.request(1);
                }
            }
            drain();
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
            if (!hop(() -> onNextHere(item))) {
                onNextHere(item);
            }
        }

        /**
         * An item goes to the client at once, with the worker's last-item mark; the next item (or
         * the end, when the item was not marked last) needs a permit of its own.
         */
        private void onNextHere(WorkerLink.Item item) {
            boolean more;
            synchronized (SessionPipeline.this) {
                if (finished || terminated || pendingTerminal != null) {
                    return;
                }
                lastActivityNanos = now();
                enqueue(this, frame(Response.data(id, item.payload(), item.last())));
                if (item.last()) {
                    finished = true;
                    more = false;
                } else {
                    more = grant(this);
                }
            }
            if (more) {
                Subscription s = upstream;
                if (s != null) {
                    s.request(1);
                }
            }
            drain();
        }

        @Override
        public void onComplete() {
            if (!hop(this::onCompleteHere)) {
                onCompleteHere();
            }
        }

        private void onCompleteHere() {
            synchronized (SessionPipeline.this) {
                if (finished || terminated || pendingTerminal != null) {
                    return;
                }
                Response end = Response.end(id);
                if (parked) {
                    // a stream may complete without further demand: its end waits for a permit
                    pendingTerminal = end;
                    return;
                }
                enqueue(this, frame(end));
                finished = true;
            }
            drain();
        }

        @Override
        public void onError(Throwable t) {
            if (cancelled) {
                return;
            }
            if (!hop(() -> fail(t))) {
                fail(t);
            }
        }

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
                log.debug("{}: request {} failed: {}", session, id, message, t);
            }
            Response error = Response.error(id, code, message == null ? code.wireName() : message);
            synchronized (SessionPipeline.this) {
                if (finished || terminated || pendingTerminal != null) {
                    return;
                }
                relay.countError(code);
                if (parked) {
                    // no permit held: the error waits for one
                    pendingTerminal = error;
                    return;
                }
                enqueue(this, frame(error));
                finished = true;
            }
            drain();
        }

        void cancelUpstream() {
            cancelled = true;
            Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
        }

        @Override
        public reactor.util.context.Context currentContext() {
            return reactor.util.context.Context.empty();
        }
    }
}
