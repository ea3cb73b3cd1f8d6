package dev.switchboard.transport.zmq.internal;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.transport.ServiceTimes;
import dev.switchboard.core.transport.WorkerLink;
import dev.switchboard.transport.zmq.ZmqGatewaySpec;
import dev.switchboard.transport.zmq.ZmqGatewayStats;
import dev.switchboard.transport.zmq.internal.Protocol.MalformedException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The gateway's agent, on its context's I/O thread ({@link LoopRunner}): owns the ROUTER socket,
 * registers workers, sends requests within their credits, delivers responses, and keeps the
 * heartbeats both ways.
 */
public final class GatewayAgent implements Agent {

    private static final Logger log = LoggerFactory.getLogger(GatewayAgent.class);
    private static final int MAX_BATCH = 1024;
    /** Most records packed into one REQUEST or RESPONSE frame; a fuller outbox is sent at once. */
    public static final int MAX_OUTBOX_RECORDS = 128;
    /** Most bytes packed into one REQUEST or RESPONSE frame, unless one record is larger alone. */
    static final int MAX_OUTBOX_BYTES = 256 * 1024;

    /**
     * Requests held for a worker that has no credit left, per unit of its capacity; with
     * {@link #PENDING_EXTRA}, the bound of its pending queue ({@link #maxPending}). A request
     * past it fails at once with {@code overloaded}.
     */
    static final int PENDING_PER_CAPACITY = 2;
    /** Requests a worker's pending queue holds beyond {@link #PENDING_PER_CAPACITY} times its capacity. */
    static final int PENDING_EXTRA = 16;

    /** Work handed to the agent. */
    public sealed interface Command permits Send, Cancel, Credit {
    }

    /** Send a request (or queue it for a credit). */
    public record Send(Exchange exchange) implements Command {
    }

    /** The subscriber cancelled a request. */
    record Cancel(Exchange exchange) implements Command {
    }

    /** Grant the worker {@code n} more response items for a request. */
    record Credit(Exchange exchange, int n) implements Command {
    }

    private final ZmqGatewaySpec spec;
    private final Membership membership;
    private final ZContext context;
    private final LoopRunner wake;
    private final RouterSocket router;
    private final CommandQueue<Command> commands;
    private final long intervalNanos;
    private final AtomicLong tags = new AtomicLong();

    final LongAdder registrations = new LongAdder();
    final LongAdder deadWorkers = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder requests = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder undeliverable = new LongAdder();
    final LongAdder unansweredCancels = new LongAdder();
    private final long cancelWaitNanos;
    private volatile List<String> workerIds = List.of();
    private volatile @org.jspecify.annotations.Nullable Thread thread;
    private volatile boolean closing;

    // I/O thread only
    private final Map<ByteBuffer, RemoteWorker> byRoute = new HashMap<>();
    private final Map<String, RemoteWorker> byName = new HashMap<>();
    /** Workers whose outbox has REQUESTs of this round. */
    private final List<RemoteWorker> unsent = new ArrayList<>();
    private boolean done;
    private long nextTick;

    public GatewayAgent(ZmqGatewaySpec spec, Membership membership, ZContext context, IoLoop loop) {
        this.spec = spec;
        this.membership = membership;
        this.context = context;
        this.wake = new LoopRunner(loop, this);
        this.router = new RouterSocket(context);
        this.commands = new CommandQueue<>(spec.commandQueueCapacity());
        this.intervalNanos = spec.heartbeatInterval().toNanos();
        this.cancelWaitNanos = spec.cancelWait().toNanos();
    }

    @Override
    public String roleName() {
        return "switchboard-zmq-gateway";
    }

    LoopRunner runner() {
        return wake;
    }

    @Override
    public void onStart() {
        thread = Thread.currentThread();
        wake.watch(router.open(spec));
        nextTick = System.nanoTime() + tickNanos();
    }

    String endpoint() {
        return router.endpoint();
    }

    /** Waits, bounded, until JeroMQ has released the endpoint: see {@link RouterSocket#awaitClosed}. */
    void awaitRouterClosed() {
        router.awaitClosed();
    }

    List<String> workerIds() {
        return workerIds;
    }

    public ZmqGatewayStats stats() {
        return new ZmqGatewayStats(workerIds.size(), registrations.sum(), deadWorkers.sum(), refused.sum(),
                malformed.sum(), requests.sum(), dropped.sum(), undeliverable.sum(), unansweredCancels.sum());
    }

    public int responseWindow() {
        return spec.responseWindow();
    }

    long nextTag() {
        return tags.incrementAndGet();
    }

    /**
     * Queues a command and wakes the agent; false (counted) when the queue is full. On the I/O
     * thread itself (a response's completion dispatching the next request) the command runs at
     * once, sparing a queue round and a wake-up; outside the agent's own round, a round follows
     * to send what it queued.
     */
    public boolean submit(Command command) {
        // inline only behind nothing queued: a command never overtakes an earlier one
        if (Thread.currentThread() == thread && !closing && commands.isEmpty()) {
            handle(command);
            if (!wake.inRun()) {
                wake.wake();
            }
            return true;
        }
        if (!commands.offer(command)) {
            dropped.increment();
            return false;
        }
        wake.wake();
        return true;
    }

    /** Asks the agent to stop. */
    void stop() {
        wake.stop();
    }

    private long tickNanos() {
        return Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(intervalNanos, cancelWaitNanos) / 4);
    }

    @Override
    public int doWork() {
        int work = 0;
        if (wake.stopRequested()) {
            done = true;
            return 1;
        }
        wake.clearPending();
        Command c;
        while (work < MAX_BATCH && (c = commands.poll()) != null) {
            handle(c);
            work++;
        }
        for (int i = 0; i < MAX_BATCH && receiveOne(); i++) {
            work++;
        }
        long now = System.nanoTime();
        if (now - nextTick >= 0) {
            tick(now);
            nextTick = now + tickNanos();
        }
        sendOutboxes();
        return work;
    }

    @Override
    public long idleMillis() {
        return TimeUnit.NANOSECONDS.toMillis(nextTick - System.nanoTime());
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public void onClose() {
        closing = true;
        for (RemoteWorker w : new ArrayList<>(byRoute.values())) {
            router.send(w.routeBytes, Protocol.DISCONNECT);
            gone(w, "left: the gateway closed");
        }
        Command c;
        while ((c = commands.poll()) != null) {
            if (c instanceof Send s) {
                s.exchange().fail(new RelayException(ErrorCode.WORKER_FAILED, "the ZeroMQ gateway closed"));
            }
        }
        ZMQ.Socket socket = router.socket();
        if (socket != null) {
            wake.unwatch(socket);
            router.close();
        }
    }

    // ---- commands

    private void handle(Command c) {
        if (c instanceof Send s) {
            send(s.exchange());
        } else if (c instanceof Cancel k) {
            cancel(k.exchange());
        } else if (c instanceof Credit cr) {
            credit(cr.exchange(), cr.n());
        }
    }

    private void send(Exchange ex) {
        RemoteWorker w = ex.worker;
        if (ex.isCancelled() || ex.isDone()) {
            return;
        }
        if (!w.isAlive() || byRoute.get(w.route) != w) {
            ex.fail(new RelayException(ErrorCode.WORKER_FAILED, "worker " + w.id() + " is gone"));
            return;
        }
        if (w.credits > 0) {
            transmit(w, ex);
        } else if (w.pending.size() < maxPending(w.capacity())) {
            w.pending.add(ex);
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
        requests.increment();
        if (w.outbox.count() > 0 && w.outbox.bytes() + 4 + record.size() > MAX_OUTBOX_BYTES) {
            // a large body goes in a frame of its own, within the receiver's message limit
            sendOutbox(w);
        }
        if (w.outbox.count() == 0) {
            unsent.add(w);
        }
        w.outbox.add(record);
        if (w.outbox.count() >= MAX_OUTBOX_RECORDS || w.outbox.bytes() >= MAX_OUTBOX_BYTES) {
            sendOutbox(w);
        }
    }

    /** Sends every outbox of this round. */
    private void sendOutboxes() {
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
            dead(w, rc == 0 ? "does not take messages" : "is unreachable");
        }
    }

    private void cancel(Exchange ex) {
        RemoteWorker w = ex.worker;
        if (!ex.sent) {
            w.pending.remove(ex);
            return;
        }
        if (w.inFlight.get(ex.tag) == ex && byRoute.get(w.route) == w) {
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

    private void credit(Exchange ex, int n) {
        RemoteWorker w = ex.worker;
        if (w.inFlight.get(ex.tag) != ex || byRoute.get(w.route) != w) {
            return;
        }
        ex.allowed += n;
        sendOutbox(w);
        int rc = router.send(w.routeBytes, Protocol.CREDIT, Protocol.u64(ex.tag), Protocol.u32(n));
        if (rc < 0) {
            dead(w, "is unreachable");
        } else if (rc == 0) {
            // the worker would wait for this credit for ever: the request ends here and is cancelled there
            undeliverable.increment();
            log.warn("could not send item credit to worker {}: request {} ends with an error", w.id(), ex.request.id());
            ex.abandoned = true;
            ex.fail(new RelayException(ErrorCode.WORKER_FAILED, "worker " + w.id() + " does not take messages"));
            sendCancel(w, ex, System.nanoTime());
        }
    }

    /**
     * Cancels at the worker each request that ended without it (a cancel or a credit the full
     * command queue refused), and takes back the credit of each whose CANCEL the worker has not
     * answered within the cancel wait.
     */
    private void cancelWaits(RemoteWorker w, long now) {
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
                unansweredCancels.increment();
                log.warn("worker {} did not answer the cancel of request {} within {} ms: its credit comes back",
                        w.id(), ex.request.id(), TimeUnit.NANOSECONDS.toMillis(cancelWaitNanos));
                finish(w, ex);
                ex.fail(new RelayException(ErrorCode.WORKER_FAILED, "worker " + w.id() + " did not answer a cancel"));
            }
        }
    }

    /** The bound of the pending queue of a worker of {@code capacity}. */
    static int maxPending(int capacity) {
        return PENDING_PER_CAPACITY * capacity + PENDING_EXTRA;
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

    // ---- inbound

    /** Reads and handles one message; false when none was waiting. */
    private boolean receiveOne() {
        List<byte[]> frames = new ArrayList<>(8);
        boolean[] fits = {true};
        byte[] route = router.receive(frames, fits);
        if (route == null) {
            return false;
        }
        try {
            if (!fits[0]) {
                throw new MalformedException("more than " + Protocol.MAX_FRAMES + " frames");
            }
            onMessage(route, frames);
        } catch (MalformedException e) {
            malformed.increment();
            if (log.isDebugEnabled()) {
                log.debug("dropped a malformed message: {}", e.getMessage());
            }
        }
        return true;
    }

    private void onMessage(byte[] route, List<byte[]> f) throws MalformedException {
        // the body of the types other than RESPONSE follows the envelope from frame 2 on, as in the tables
        int type = GatewayDecoder.type(f);
        RemoteWorker w = byRoute.get(ByteBuffer.wrap(route));
        if (type == Protocol.RESPONSE && w != null) {
            w.lastHeardNanos = System.nanoTime();
            Protocol.records(f.get(0), (frame, from, to) -> onResponse(w, frame, from, to));
            return;
        }
        if (type == Protocol.READY) {
            onReady(route, w, f);
            return;
        }
        if (w == null) {
            if (type != Protocol.DISCONNECT && type <= Protocol.CANCEL && type >= Protocol.READY) {
                // an unknown worker, for instance after a restart: ask it to register again
                router.send(route, Protocol.DISCONNECT);
                return;
            }
            throw new MalformedException("unknown message " + Protocol.typeName(type) + " from an unregistered peer");
        }
        w.lastHeardNanos = System.nanoTime();
        switch (type) {
            case Protocol.CREDIT -> {
                int n = GatewayDecoder.credit(f);
                w.credits = (int) Math.min(w.capacity() - w.inFlight.size(), (long) w.credits + n);
                pump(w);
            }
            case Protocol.HEARTBEAT -> {
                ServiceTimes times = GatewayDecoder.heartbeat(f);
                if (times != null) {
                    w.serviceTimes(times);
                }
            }
            case Protocol.CACHE -> {
                GatewayDecoder.Cache cache = GatewayDecoder.cache(f);
                for (String k : cache.keys()) {
                    w.cache(cache.cached(), k);
                }
            }
            case Protocol.DISCONNECT -> gone(w, "disconnected");
            default -> throw new MalformedException("unexpected " + Protocol.typeName(type) + " from a worker");
        }
    }

    private void onReady(byte[] route, RemoteWorker known, List<byte[]> f) throws MalformedException {
        GatewayDecoder.Ready ready = GatewayDecoder.ready(f);
        String id = ready.id();
        int capacity = ready.capacity();
        int intervalMs = ready.intervalMs();
        List<String> keys = ready.keys();
        if (known != null && known.id().equals(id) && known.capacity() == capacity) {
            // a retransmission: the worker has not seen our acknowledgement yet
            long now = System.nanoTime();
            known.lastHeardNanos = now;
            for (String k : keys) {
                known.cache(true, k);
            }
            heartbeat(known, now);
            return;
        }
        if (known != null) {
            gone(known, "registered again");
        }
        RemoteWorker sameName = byName.get(id);
        if (sameName != null) {
            gone(sameName, "was replaced by a new registration with the same id");
        }
        if (byRoute.size() >= spec.maxWorkers()) {
            refused.increment();
            log.warn("refused worker {}: the gateway already has {} workers", id, byRoute.size());
            router.send(route, Protocol.DISCONNECT);
            return;
        }
        long now = System.nanoTime();
        long interval = Math.min(intervalNanos, TimeUnit.MILLISECONDS.toNanos(intervalMs));
        RemoteWorker w = new RemoteWorker(this, id, capacity, route, interval, now);
        for (String k : keys) {
            w.cache(true, k);
        }
        byRoute.put(w.route, w);
        byName.put(id, w);
        try {
            membership.join(w);
        } catch (IllegalArgumentException e) {
            byRoute.remove(w.route);
            byName.remove(id);
            w.markGone();
            refused.increment();
            log.warn("refused worker {}: {}", id, e.getMessage());
            router.send(route, Protocol.DISCONNECT);
            return;
        }
        registrations.increment();
        refreshIds();
        log.info("worker {} registered with capacity {} and {} cached keys", id, capacity, keys.size());
        heartbeat(w, now);
    }

    /** One RESPONSE record, {@code frame[from, to)}. */
    private void onResponse(RemoteWorker w, byte[] frame, int from, int to) throws MalformedException {
        GatewayDecoder.Response r = GatewayDecoder.response(frame, from, to);
        long tag = r.tag();
        Exchange ex = w.inFlight.get(tag);
        if (ex == null) {
            throw new MalformedException("response to an unknown request");
        }
        if (r instanceof GatewayDecoder.Data d) {
            if (ex.allowed <= 0) {
                finish(w, ex);
                ex.fail(new RelayException(ErrorCode.WORKER_FAILED,
                        "worker " + w.id() + " sent more items than it was granted"));
                router.send(w.routeBytes, Protocol.CANCEL, Protocol.u64(tag));
                throw new MalformedException("items beyond the window");
            }
            ex.allowed--;
            if (d.end()) {
                finish(w, ex);
                ex.onItem(WorkerLink.Item.last(d.payload()));
                ex.complete();
            } else {
                ex.onItem(WorkerLink.Item.next(d.payload()));
            }
        } else if (r instanceof GatewayDecoder.End) {
            finish(w, ex);
            ex.complete();
        } else if (r instanceof GatewayDecoder.Failure f) {
            ErrorCode c = Protocol.errorCode(f.code());
            finish(w, ex);
            ex.fail(new RelayException(c != null ? c : ErrorCode.WORKER_FAILED, f.message()));
        }
    }

    /** The request ended: its credit returns to the worker's account, the next pending one goes. */
    private void finish(RemoteWorker w, Exchange ex) {
        w.inFlight.remove(ex.tag);
        w.credits++;
        pump(w);
    }

    // ---- timers and departures

    private void tick(long now) {
        long deadline = (long) spec.liveness();
        for (RemoteWorker w : new ArrayList<>(byRoute.values())) {
            if (now - w.lastHeardNanos > deadline * w.intervalNanos) {
                dead(w, "missed " + spec.liveness() + " heartbeats");
                continue;
            } else if (now - w.nextHeartbeatNanos >= 0) {
                heartbeat(w, now);
            }
            if (w.isAlive()) {
                cancelWaits(w, now);
            }
        }
    }

    private void heartbeat(RemoteWorker w, long now) {
        w.nextHeartbeatNanos = now + w.intervalNanos;
        int rc = router.send(w.routeBytes, Protocol.HEARTBEAT, Protocol.u32((int) TimeUnit.NANOSECONDS.toMillis(w.intervalNanos)));
        if (rc < 0) {
            dead(w, "is unreachable");
        }
    }

    private void dead(RemoteWorker w, String why) {
        if (byRoute.get(w.route) == w) {
            deadWorkers.increment();
            log.warn("worker {} {}: dropped", w.id(), why);
            gone(w, why);
        }
    }

    /**
     * Forgets {@code w}: it leaves the membership first (so the router sees it lost and retries
     * idempotent requests elsewhere), then its requests fail and its onClose completes.
     */
    private void gone(RemoteWorker w, String why) {
        if (byRoute.get(w.route) == w) {
            byRoute.remove(w.route);
        }
        if (byName.get(w.id()) == w) {
            byName.remove(w.id());
        }
        refreshIds();
        w.markGone();
        membershipLeave(w);
        RelayException failure = new RelayException(ErrorCode.WORKER_FAILED, "worker " + w.id() + " " + why);
        List<Exchange> failed = new ArrayList<>(w.inFlight.values());
        failed.addAll(w.pending);
        w.inFlight.clear();
        w.pending.clear();
        w.outbox.clear();
        for (Exchange ex : failed) {
            ex.fail(failure);
        }
        w.closed();
    }

    private void membershipLeave(RemoteWorker w) {
        for (var link : membership.members()) {
            if (link == w) {
                membership.leave(w.id());
                return;
            }
        }
    }

    private void refreshIds() {
        List<String> ids = new ArrayList<>(byRoute.size());
        for (RemoteWorker w : byRoute.values()) {
            ids.add(w.id());
        }
        workerIds = List.copyOf(ids);
    }
}
