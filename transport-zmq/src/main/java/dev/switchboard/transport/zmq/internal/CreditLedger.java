package dev.switchboard.transport.zmq.internal;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.transport.WorkerLink;
import dev.switchboard.transport.zmq.internal.Protocol.MalformedException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's per-worker credit ledger: each worker's credits, its requests in flight and
 * pending, its outbox of REQUESTs, the item windows of its requests, and the cancels that keep a
 * credit until the worker answers or the cancel wait passes. It owns that bookkeeping (held in
 * each {@link RemoteWorker}'s I/O-thread fields) and the REQUEST, CANCEL and CREDIT it sends; it
 * must not register or remove a worker (a lost one goes to {@code onDead}), nor send heartbeats
 * (it names the workers that must hear of their waiting count: {@link #takeReports}).
 * I/O thread only.
 */
final class CreditLedger {

    private static final Logger log = LoggerFactory.getLogger(CreditLedger.class);

    /**
     * Most tags of given-up requests a worker's ledger remembers for their late answer (see
     * {@link #giveUp}); beyond, the oldest is forgotten, and its answer, if it ever comes, counts
     * as malformed and settles nothing. A worker that answers its CANCELs leaves none there for
     * long; only one that never answers them fills it.
     */
    static final int MAX_GIVEN_UP = 1024;

    private final RouterSocket router;
    private final WorkerRegistry registry;
    private final GatewayCounters counters;
    private final long cancelWaitNanos;
    private final BiConsumer<RemoteWorker, String> onDead;
    /** Workers whose outbox has REQUESTs of this round. */
    private final List<RemoteWorker> unsent = new ArrayList<>();
    /** Workers that must hear of their waiting count at the end of this round ({@link #takeReports}). */
    private final List<RemoteWorker> reports = new ArrayList<>();

    CreditLedger(RouterSocket router, WorkerRegistry registry, GatewayCounters counters, long cancelWaitNanos,
            BiConsumer<RemoteWorker, String> onDead) {
        this.router = router;
        this.registry = registry;
        this.counters = counters;
        this.cancelWaitNanos = cancelWaitNanos;
        this.onDead = onDead;
    }

    /** The bound of the pending queue of a worker of {@code capacity}. */
    static int maxPending(int capacity) {
        return GatewayAgent.PENDING_PER_CAPACITY * capacity + GatewayAgent.PENDING_EXTRA;
    }

    /** Sends a request within its worker's credits, holds it for one, or fails it {@code overloaded}. */
    void send(Exchange ex) {
        RemoteWorker w = ex.worker;
        if (ex.isCancelled() || ex.isDone()) {
            return;
        }
        if (!w.isAlive() || !registry.isCurrent(w)) {
            ex.fail(new RelayException(ErrorCode.WORKER_FAILED, "worker " + w.id() + " is gone"));
            return;
        }
        if (w.credits > 0) {
            transmit(w, ex);
        } else if (w.pending.size() < maxPending(w.capacity())) {
            w.pending.add(ex);
            if (w.pending.size() == 1) {
                // the worker grants a gateway of several by what waits there: tell it now
                reportWaiting(w);
            }
        } else {
            ex.fail(new RelayException(ErrorCode.OVERLOADED, "worker " + w.id() + " has no credit left"));
        }
    }

    /**
     * Spends a credit on {@code ex} and puts its REQUEST in the worker's outbox. The outboxes go
     * out at the end of the round, each as one message: a round that reads several responses
     * sends the requests they let through together, which spares the I/O threads a wake-up and
     * a system call per request.
     */
    private void transmit(RemoteWorker w, Exchange ex) {
        Request r = ex.request;
        RequestRecord record = new RequestRecord(ex.tag, ex.window(), r.key(), r.payload(),
                r.sessionId(), r.id(), r.principal().orElse(null));
        w.credits--;
        ex.sent = true;
        w.inFlight.put(ex.tag, ex);
        counters.requests.increment();
        if (w.outbox.count() > 0 && w.outbox.bytes() + 4 + record.size() > GatewayAgent.MAX_OUTBOX_BYTES) {
            // a large body goes in a frame of its own, within the receiver's message limit
            sendOutbox(w);
        }
        if (w.outbox.count() == 0) {
            unsent.add(w);
        }
        w.outbox.add(record);
        if (w.outbox.count() >= GatewayAgent.MAX_OUTBOX_RECORDS || w.outbox.bytes() >= GatewayAgent.MAX_OUTBOX_BYTES) {
            sendOutbox(w);
        }
    }

    /** Sends every outbox of this round. */
    void sendOutboxes() {
        for (int i = 0; i < unsent.size(); i++) {
            sendOutbox(unsent.get(i));
        }
        unsent.clear();
    }

    /**
     * Sends {@code w}'s outbox as one REQUEST frame. Failing that, the worker is lost: EAGAIN
     * with credits spent means its pipe is terminating (or hopelessly full), and its requests
     * fail with it, which lets the router retry them elsewhere.
     */
    private void sendOutbox(RemoteWorker w) {
        if (w.outbox.count() == 0) {
            return;
        }
        if (!w.isAlive()) {
            w.outbox.clear();
            return;
        }
        int rc = router.sendFrame(w.routeBytes, w.outbox.take());
        if (rc <= 0) {
            onDead.accept(w, rc == 0 ? "does not take messages" : "is unreachable");
        }
    }

    /** The subscriber cancelled {@code ex}: forgotten if still pending, else cancelled at the worker. */
    void cancel(Exchange ex) {
        RemoteWorker w = ex.worker;
        if (!ex.sent) {
            w.pending.remove(ex);
            return;
        }
        if (w.inFlight.get(ex.tag) == ex && registry.isCurrent(w)) {
            sendCancel(w, ex, System.nanoTime());
        }
    }

    /**
     * Sends CANCEL for {@code ex}, which keeps its credit until the worker answers, or until the
     * cancel wait has passed since the first try ({@link #cancelWaits}); a CANCEL that cannot go
     * now is tried again at the next tick.
     */
    private void sendCancel(RemoteWorker w, Exchange ex, long now) {
        if (ex.cancelSinceNanos == 0) {
            ex.cancelSinceNanos = now == 0 ? 1 : now;
        }
        if (ex.cancelSent) {
            return;
        }
        // the REQUEST may still be in the outbox: it must reach the worker first
        sendOutbox(w);
        ex.cancelSent = router.send(w.routeBytes, Protocol.CANCEL, Protocol.u64(ex.tag)) == 1;
    }

    /** Grants the worker {@code n} more items for {@code ex}. */
    void credit(Exchange ex, int n) {
        RemoteWorker w = ex.worker;
        if (w.inFlight.get(ex.tag) != ex || !registry.isCurrent(w)) {
            return;
        }
        ex.allowed += n;
        sendOutbox(w);
        int rc = router.send(w.routeBytes, Protocol.CREDIT, Protocol.u64(ex.tag), Protocol.u32(n));
        if (rc < 0) {
            onDead.accept(w, "is unreachable");
        } else if (rc == 0) {
            // the worker would wait for this credit for ever: the request ends here and is cancelled there
            counters.undeliverable.increment();
            log.warn("could not send item credit to worker {}: request {} ends with an error", w.id(), ex.request.id());
            ex.abandoned = true;
            ex.fail(new RelayException(ErrorCode.WORKER_FAILED, "worker " + w.id() + " does not take messages"));
            sendCancel(w, ex, System.nanoTime());
        }
    }

    /** The worker granted {@code n} more requests, within its capacity. */
    void workerCredit(RemoteWorker w, int n) {
        w.credits = (int) Math.min(w.capacity() - w.inFlight.size(), (long) w.credits + n);
        pump(w);
        if (!w.pending.isEmpty()) {
            // still waiting after a grant: the worker hears of it again, once per grant
            reportWaiting(w);
        }
    }

    /**
     * The worker asks back up to {@code n} unused credits (RECLAIM): the gateway hands back what
     * it holds, up to that, in a CREDIT of one field, which it sends even for 0 so that the
     * worker's accounts agree with its own. Only unused credits: a request waiting here would
     * have spent one.
     */
    void reclaim(RemoteWorker w, int n) {
        // a ledger in debt (a late answer kept a credit it had spent) has nothing unused
        int back = Math.max(0, Math.min(n, w.credits));
        // the REQUESTs already spent must reach the worker before the count it hands back
        sendOutbox(w);
        int rc = router.send(w.routeBytes, Protocol.CREDIT, Protocol.u32(back));
        if (rc < 0) {
            onDead.accept(w, "is unreachable");
        } else if (rc == 1) {
            w.credits -= back;
        }
    }

    private void reportWaiting(RemoteWorker w) {
        if (!w.reportDue) {
            w.reportDue = true;
            reports.add(w);
        }
    }

    /** The workers to tell their waiting count now, each once, in a HEARTBEAT; cleared for the next round. */
    List<RemoteWorker> takeReports() {
        if (reports.isEmpty()) {
            return List.of();
        }
        List<RemoteWorker> due = new ArrayList<>(reports);
        reports.clear();
        for (RemoteWorker w : due) {
            w.reportDue = false;
        }
        return due;
    }

    /**
     * Cancels at the worker each request that ended without it (a cancel or a credit the full
     * command queue refused), and takes back the credit of each whose CANCEL the worker has not
     * answered within the cancel wait.
     */
    void cancelWaits(RemoteWorker w, long now) {
        List<Exchange> expired = null;
        for (Exchange ex : w.inFlight.values()) {
            if (!ex.isCancelled() && !ex.abandoned) {
                continue;
            }
            sendCancel(w, ex, now);
            if (now - ex.cancelSinceNanos > cancelWaitNanos) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(ex);
            }
        }
        if (expired != null) {
            for (Exchange ex : expired) {
                counters.unansweredCancels.increment();
                log.warn("worker {} did not answer the cancel of request {} within {} ms: its credit comes back",
                        w.id(), ex.request.id(), TimeUnit.NANOSECONDS.toMillis(cancelWaitNanos));
                giveUp(w, ex);
                ex.fail(new RelayException(ErrorCode.WORKER_FAILED, "worker " + w.id() + " did not answer a cancel"));
            }
        }
    }

    private void pump(RemoteWorker w) {
        while (w.credits > 0 && w.isAlive()) {
            Exchange next = w.pending.poll();
            if (next == null) {
                return;
            }
            if (!next.isCancelled()) {
                transmit(w, next);
            }
        }
    }

    /** One RESPONSE record, {@code frame[from, to)}, spent against its request's window. */
    void onResponse(RemoteWorker w, byte[] frame, int from, int to) throws MalformedException {
        long tag = GatewayDecoder.responseTag(frame, from, to);
        Exchange ex = w.inFlight.get(tag);
        if (ex == null) {
            if (w.givenUp.contains(tag)) {
                lateAnswer(w, tag, frame, from, to);
                return;
            }
            if (tag <= w.tagFloor) {
                // sent to an earlier registration of this worker, which the gateway gave up: it ended then
                counters.fencedAnswers.increment();
                return;
            }
            throw new MalformedException("response to an unknown request");
        }
        GatewayDecoder.Response r = GatewayDecoder.response(frame, from, to);
        if (r instanceof GatewayDecoder.Data d) {
            if (ex.allowed <= 0) {
                giveUp(w, ex);
                ex.fail(new RelayException(ErrorCode.WORKER_FAILED,
                        "worker " + w.id() + " sent more items than it was granted"));
                router.send(w.routeBytes, Protocol.CANCEL, Protocol.u64(tag));
                throw new MalformedException("items beyond the window");
            }
            ex.allowed--;
            if (d.end()) {
                finish(w, ex, d.kept());
                ex.onItem(WorkerLink.Item.last(d.payload()));
                ex.complete();
            } else {
                ex.onItem(WorkerLink.Item.next(d.payload()));
            }
        } else if (r instanceof GatewayDecoder.End e) {
            finish(w, ex, e.kept());
            ex.complete();
        } else if (r instanceof GatewayDecoder.Failure f) {
            ErrorCode c = Protocol.errorCode(f.code());
            finish(w, ex, f.kept());
            ex.fail(new RelayException(c != null ? c : ErrorCode.WORKER_FAILED, f.message()));
        }
    }

    /**
     * Ends {@code ex} without the worker's answer (it did not answer the CANCEL within the cancel
     * wait, or sent items beyond its window, and was sent a CANCEL): its credit returns now, and its
     * tag is remembered for the answer the worker still owes ({@link #lateAnswer}).
     */
    private void giveUp(RemoteWorker w, Exchange ex) {
        if (w.givenUp.size() >= MAX_GIVEN_UP) {
            Iterator<Long> oldest = w.givenUp.iterator();
            long forgotten = oldest.next();
            oldest.remove();
            log.warn("worker {} left {} given-up requests unanswered: tag {} is forgotten", w.id(), MAX_GIVEN_UP,
                    forgotten);
        }
        w.givenUp.add(ex.tag);
        finish(w, ex, false);
    }

    /**
     * The answer of a request given up earlier ({@link #giveUp}), which took its credit back then.
     * Only its terminal record settles anything: one that keeps its credit takes that credit back
     * again, as a debt if it was spent (the worker granted the slot to another gateway, and counts
     * it no longer here); one without the flag adds nothing (the gateway has it already). Items are
     * dropped: the request has ended for its client.
     */
    private void lateAnswer(RemoteWorker w, long tag, byte[] frame, int from, int to) throws MalformedException {
        GatewayDecoder.Response r = GatewayDecoder.response(frame, from, to);
        counters.lateAnswers.increment();
        boolean kept;
        if (r instanceof GatewayDecoder.Data d) {
            if (!d.end()) {
                return;
            }
            kept = d.kept();
        } else if (r instanceof GatewayDecoder.End e) {
            kept = e.kept();
        } else {
            kept = ((GatewayDecoder.Failure) r).kept();
        }
        w.givenUp.remove(tag);
        if (kept) {
            w.credits--;
        }
    }

    /**
     * The request ended: its credit returns to the worker's account, unless the worker {@code kept}
     * it (to grant it to another gateway); the next pending one goes.
     */
    private void finish(RemoteWorker w, Exchange ex, boolean kept) {
        w.inFlight.remove(ex.tag);
        if (!kept) {
            w.credits++;
            pump(w);
        }
    }

    /** Fails every request of {@code w}, which is gone, and drops its outbox. */
    void failAll(RemoteWorker w, RelayException failure) {
        List<Exchange> failed = new ArrayList<>(w.inFlight.values());
        failed.addAll(w.pending);
        w.inFlight.clear();
        w.pending.clear();
        w.outbox.clear();
        for (Exchange ex : failed) {
            ex.fail(failure);
        }
    }
}
