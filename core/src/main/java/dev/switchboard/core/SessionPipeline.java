package dev.switchboard.core;

import dev.switchboard.core.transport.Connection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * One session: reads frames as room allows, routes each request, drops the requests the client
 * cancels, and hands response frames to the connection as it asks for them. It conducts, and
 * one lock, this object's, guards all of it: {@link InboundFrames} decodes the client's frames,
 * each request is an {@link Exchange}, the {@link PermitLedger} says which exchange may take its
 * next step, the {@link OutboundQueue} holds the frames and the stall clock, the
 * {@link SessionTimers} give time and the sweep, the {@link ConnectionThread} the thread hops.
 *
 * <p>A request is <em>in flight</em> from the frame that carried it until its last frame was
 * handed to the connection or the client cancelled it; at most {@code maxInFlight} are, in the
 * <em>line</em>, oldest first. Frames asked for and not yet received plus requests in flight plus
 * a request read beyond the limit make {@code maxInFlight + 1}: a cancel takes no place and is
 * answered by asking for one more frame, while a request read beyond the limit waits, not
 * started, until a request leaves.
 *
 * <p>No item waits for the next signal: it is queued as it arrives, carrying {@code end} when the
 * worker marked it last; an end that comes later takes a permit and a frame of its own. Frames
 * go to the connection through a drain loop ({@code WIP} plus {@code missed}, as in reactor-core's
 * FluxPublishOn); side effects (requests to workers and to the connection) run outside the lock.
 */
final class SessionPipeline {

    private static final Logger log = LoggerFactory.getLogger(SessionPipeline.class);

    private static final AtomicIntegerFieldUpdater<SessionPipeline> WIP =
            AtomicIntegerFieldUpdater.newUpdater(SessionPipeline.class, "wip");

    final RelayImpl relay;
    private final Connection connection;
    private final Session session;
    private final Sinks.Empty<Void> done = Sinks.empty();
    private final SessionTimers timers;
    final ConnectionThread thread;
    private final InboundFrames inbound;

    private volatile int wip;

    // guarded by this
    private final ArrayDeque<Exchange> line = new ArrayDeque<>();
    private final PermitLedger ledger;
    private final OutboundQueue outbound;
    private final OutboundFrames outboundFrames;
    /**
     * Requests read while {@code maxInFlight} were in flight; they join when one leaves. At most
     * one while the connection honours demand.
     */
    private final ArrayDeque<Exchange> beyondLimit = new ArrayDeque<>(1);
    private boolean terminated;
    private @Nullable List<Exchange> actions;
    private int framesToRequest;
    private long routedCount;

    private Disposable closeWatch = () -> { };

    SessionPipeline(RelayImpl relay, Connection connection, Session session, Scheduler timer) {
        this.relay = relay;
        this.connection = connection;
        this.session = session;
        boolean ordered = session.ordering() == Ordering.ORDERED;
        this.timers = new SessionTimers(timer, relay.requestTimeout, relay.slowConsumerTimeout);
        this.ledger = new PermitLedger(session.maxQueuedResponses(), ordered, line);
        this.outbound = new OutboundQueue(ordered, line, relay.queued, timers);
        this.outboundFrames = new OutboundFrames(this, outbound);
        this.thread = new ConnectionThread(connection.executor().orElse(null));
        this.inbound = new InboundFrames(this, relay, session);
    }

    Mono<Void> start() {
        relay.sessions.incrementAndGet();
        thread.learnThread();
        timers.start(this::sweep);
        connection.send(outboundFrames).subscribe(null,
                e -> terminate(CloseStatus.INTERNAL_ERROR.withReason("send failed")));
        closeWatch = connection.onClose().subscribe(s -> terminate(null), e -> terminate(null),
                () -> terminate(null));
        connection.receive().subscribe(inbound);
        return done.asMono().doOnCancel(() -> terminate(CloseStatus.GOING_AWAY));
    }

    Session session() {
        return session;
    }

    // ---- inbound frames

    /** A request read from the client joins the line, or waits beyond the limit. */
    void admit(Exchange ex) {
        boolean go;
        synchronized (this) {
            if (terminated) {
                return;
            }
            if (!beyondLimit.isEmpty() || line.size() >= session.maxInFlight()) {
                beyondLimit.add(ex);
                return;
            }
            enter(ex);
            go = ledger.grant(ex);
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
    void cancel(RequestId id) {
        List<Exchange> withdrawn = null;
        synchronized (this) {
            if (terminated) {
                return;
            }
            framesToRequest++;
            for (Iterator<Exchange> it = line.iterator(); it.hasNext();) {
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
            Exchange.cancelNewestFirst(withdrawn);
        } else if (log.isDebugEnabled()) {
            log.debug("{}: cancel of request {} ignored: not in flight", session, id);
        }
        drain();
    }

    // ---- requests in flight (call under the lock)

    /** {@code ex} joins the requests in flight. */
    private void enter(Exchange ex) {
        line.add(ex);
        relay.inFlight.increment();
        ex.lastActivityNanos = timers.now();
    }

    /**
     * A request left the requests in flight: the request read beyond the limit, if any, takes
     * its place (parked, so that the freed permits go to it in its turn), and one more frame may
     * be read.
     */
    private void vacate() {
        relay.inFlight.decrement();
        framesToRequest++;
        Exchange next = beyondLimit.poll();
        if (next != null) {
            enter(next);
            ledger.park(next);
        }
    }

    /** Takes a cancelled exchange, already out of the line, out of every queue and returns its permits. */
    private void withdraw(Exchange ex) {
        ledger.withdraw(ex, outbound.withdraw(ex));
        ex.withdrawn = true;
        ex.finished = true;
        ex.pendingTerminal = null;
        vacate();
    }

    /** Hands freed permits to parked exchanges, in the ledger's order. */
    private void grantStarved() {
        for (Exchange ex; (ex = ledger.grantNext()) != null;) {
            if (ex.resume(timers.now())) {
                if (actions == null) {
                    actions = new ArrayList<>(4);
                }
                actions.add(ex);
            }
        }
    }

    // ---- what an exchange asks of its session (call under the lock)

    boolean isTerminated() {
        return terminated;
    }

    long now() {
        return timers.now();
    }

    long nextRoutedSeq() {
        return ++routedCount;
    }

    /** Takes a permit for {@code ex}'s next step, or parks it. Returns whether it may proceed. */
    boolean grant(Exchange ex) {
        return ledger.grant(ex);
    }

    /** Queues a frame of {@code ex}, using the permit it holds. */
    void enqueue(Exchange ex, Payload f) {
        outbound.enqueue(ex, f);
    }

    // ---- outbound frames

    void drain() {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            for (;;) {
                CoreSubscriber<? super Payload> o;
                Payload f = null;
                boolean complete = false;
                List<Exchange> todo;
                int toRequest;
                Subscription in;
                synchronized (this) {
                    o = outboundFrames.subscriber();
                    if (o == null) {
                        outbound.watchStall(terminated);
                        break;
                    }
                    if (terminated) {
                        complete = outboundFrames.completeOnce();
                    } else if (outbound.wanted()) {
                        f = poll();
                    }
                    outbound.watchStall(f != null || terminated);
                    // a cancel frees permits and places with no frame going out: act on them all the same
                    todo = actions;
                    actions = null;
                    toRequest = terminated ? 0 : framesToRequest;
                    framesToRequest = 0;
                    in = inbound.subscription();
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

    /** The next frame for the client, releasing its permit. Under the lock. */
    private @Nullable Payload poll() {
        Exchange ex = outbound.next();
        if (ex == null) {
            return null;
        }
        Payload f = outbound.take(ex);
        if (f == null) {
            return null;
        }
        if (relay.timings.active()) {
            ex.timeFrame(timers.now());
        }
        ledger.release();
        if (ex.finished && ex.frames.isEmpty()) {
            if (line.peekFirst() == ex) {
                line.pollFirst();
            } else {
                line.remove(ex);
            }
            vacate();
        }
        grantStarved();
        return f;
    }

    // ---- timers

    private void sweep() {
        List<Exchange> expired = null;
        boolean slow;
        synchronized (this) {
            if (terminated) {
                return;
            }
            long now = timers.now();
            slow = outbound.slow(now);
            if (!slow) {
                expired = timers.expired(line, now);
            }
        }
        if (slow) {
            relay.slowConsumersClosed.increment();
            log.debug("{}: closing a client that does not read its responses", session);
            terminate(CloseStatus.POLICY_VIOLATION.withReason("slow consumer"));
            return;
        }
        if (expired != null) {
            Exchange.cancelNewestFirst(expired);
            for (Exchange ex : expired) {
                ex.fail(timers.timeout());
            }
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
            open = new ArrayList<>(line);
            line.clear();
            beyondLimit.clear();
            outbound.clear();
            ledger.clear();
            relay.inFlight.add(-open.size());
            in = inbound.subscription();
        }
        if (in != null) {
            in.cancel();
        }
        Exchange.cancelNewestFirst(open);
        timers.stop();
        drain();
        if (status != null) {
            connection.close(status).subscribe(null, e -> log.debug("{}: close failed", session, e));
        }
        relay.sessions.decrementAndGet();
        closeWatch.dispose();
        done.tryEmitEmpty();
    }
}
