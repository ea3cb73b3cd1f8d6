package dev.switchboard.transport.zmq.internal;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.transport.ServiceTimes;
import dev.switchboard.transport.zmq.ZmqGatewaySpec;
import dev.switchboard.transport.zmq.ZmqGatewayStats;
import dev.switchboard.transport.zmq.internal.Protocol.MalformedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The gateway's agent, on its context's I/O thread ({@link LoopRunner}): runs the rounds (commands,
 * inbound messages, the tick, the outboxes), dispatches each message, registers workers and lets
 * them go. Its parts own the rest: {@link RouterSocket} the socket, {@link WorkerRegistry} the
 * workers, {@link CreditLedger} their credits and requests, {@link Heartbeats} the liveness tick,
 * {@link GatewayCounters} the counters.
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
     * {@link #PENDING_EXTRA}, the bound of its pending queue ({@link CreditLedger#maxPending}). A request
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
    private final LoopRunner wake;
    private final RouterSocket router;
    private final CommandQueue<Command> commands;
    private final Consumer<Command> handler = this::handle;
    private final AtomicLong tags = new AtomicLong();
    final GatewayCounters counters = new GatewayCounters();
    private final WorkerRegistry registry;
    private final CreditLedger ledger;
    private final Heartbeats heartbeats;
    private volatile @Nullable Thread thread;
    private volatile boolean closing;

    // I/O thread only
    private boolean done;
    /** Registrations accepted, the last one's {@link RemoteWorker#epoch}. */
    private long epochs;

    public GatewayAgent(ZmqGatewaySpec spec, Membership membership, ZContext context, IoLoop loop) {
        this.spec = spec;
        this.wake = new LoopRunner(loop, this);
        this.router = new RouterSocket(context);
        this.commands = new CommandQueue<>(spec.commandQueueCapacity());
        this.registry = new WorkerRegistry(membership, spec.maxWorkers());
        long cancelWaitNanos = spec.cancelWait().toNanos();
        this.ledger = new CreditLedger(router, registry, counters, cancelWaitNanos, this::dead);
        this.heartbeats = new Heartbeats(router, spec.heartbeatInterval().toNanos(), spec.liveness(), cancelWaitNanos,
                this::dead);
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
        heartbeats.start(System.nanoTime());
    }

    String endpoint() {
        return router.endpoint();
    }

    /** Waits, bounded, until JeroMQ has released the endpoint: see {@link RouterSocket#awaitClosed}. */
    void awaitRouterClosed() {
        router.awaitClosed();
    }

    List<String> workerIds() {
        return registry.workerIds();
    }

    public ZmqGatewayStats stats() {
        return counters.stats(registry.workerIds().size());
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
        return commands.submit(command, Thread.currentThread() == thread && !closing, handler, wake,
                counters.dropped);
    }

    /** Asks the agent to stop. */
    void stop() {
        wake.stop();
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
        if (heartbeats.due(now)) {
            tick(now);
        }
        ledger.sendOutboxes();
        for (RemoteWorker w : ledger.takeReports()) {
            if (w.isAlive() && registry.isCurrent(w)) {
                heartbeats.beat(w, now);
            }
        }
        return work;
    }

    @Override
    public long idleMillis() {
        return heartbeats.idleMillis(System.nanoTime());
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public void onClose() {
        closing = true;
        for (RemoteWorker w : registry.snapshot()) {
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

    private void handle(Command c) {
        if (c instanceof Send s) {
            ledger.send(s.exchange());
        } else if (c instanceof Cancel k) {
            ledger.cancel(k.exchange());
        } else if (c instanceof Credit cr) {
            ledger.credit(cr.exchange(), cr.n());
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
            counters.malformed.increment();
            if (log.isDebugEnabled()) {
                log.debug("dropped a malformed message: {}", e.getMessage());
            }
        }
        return true;
    }

    private void onMessage(byte[] route, List<byte[]> f) throws MalformedException {
        // the body of the types other than RESPONSE follows the envelope from frame 2 on, as in the tables
        int type = GatewayDecoder.type(f);
        RemoteWorker w = registry.byRoute(route);
        if (type == Protocol.RESPONSE) {
            if (w == null) {
                fence(route, f.get(0));
            } else {
                w.lastHeardNanos = System.nanoTime();
                Protocol.records(f.get(0), (frame, from, to) -> ledger.onResponse(w, frame, from, to));
            }
            return;
        }
        if (type == Protocol.READY) {
            onReady(route, w, f);
            return;
        }
        if (w == null) {
            if (type == Protocol.DISCONNECT) {
                // the goodbye of a registration given up already (a worker that found itself frozen
                // past our deadline says it before it registers again): nothing left to end
                return;
            }
            if (type <= Protocol.RECLAIM && type >= Protocol.READY) {
                // an unknown worker, for instance after a restart: ask it to register again
                router.send(route, Protocol.DISCONNECT);
                return;
            }
            throw new MalformedException("unknown message " + Protocol.typeName(type) + " from an unregistered peer");
        }
        w.lastHeardNanos = System.nanoTime();
        switch (type) {
            case Protocol.CREDIT -> ledger.workerCredit(w, GatewayDecoder.credit(f));
            case Protocol.RECLAIM -> ledger.reclaim(w, GatewayDecoder.reclaim(f));
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

    /**
     * A RESPONSE from a connection with no registration: the answers of a registration this
     * gateway gave up (declared dead, replaced, gone) or never made (it restarted). Their requests
     * ended when it was given up; the answers are dropped and counted, and the worker is told to
     * register again.
     */
    private void fence(byte[] route, byte[] frame) throws MalformedException {
        router.send(route, Protocol.DISCONNECT);
        long[] records = {0};
        try {
            Protocol.records(frame, (fr, from, to) -> records[0]++);
        } finally {
            counters.fencedAnswers.add(records[0]);
            if (log.isDebugEnabled()) {
                log.debug("fenced {} answers from a connection with no registration", records[0]);
            }
        }
    }

    private void onReady(byte[] route, @Nullable RemoteWorker known, List<byte[]> f) throws MalformedException {
        GatewayDecoder.Ready ready = GatewayDecoder.ready(f);
        String id = ready.id();
        int capacity = ready.capacity();
        List<String> keys = ready.keys();
        if (known != null && known.id().equals(id) && known.capacity() == capacity) {
            // a retransmission: the worker has not seen our acknowledgement yet
            long now = System.nanoTime();
            known.lastHeardNanos = now;
            for (String k : keys) {
                known.cache(true, k);
            }
            heartbeats.beat(known, now);
            return;
        }
        if (known != null) {
            gone(known, "registered again");
        }
        RemoteWorker sameName = registry.byName(id);
        if (sameName != null) {
            gone(sameName, "was replaced by a new registration with the same id");
        }
        if (registry.isFull()) {
            counters.refused.increment();
            log.warn("refused worker {}: the gateway already has {} workers", id, registry.size());
            router.send(route, Protocol.DISCONNECT);
            return;
        }
        long now = System.nanoTime();
        // tags are issued from one counter and never reused: this registration's are all above tags.get()
        RemoteWorker w = new RemoteWorker(this, id, capacity, route, heartbeats.intervalFor(ready.intervalMs()), now,
                ++epochs, tags.get());
        for (String k : keys) {
            w.cache(true, k);
        }
        try {
            registry.add(w);
        } catch (IllegalArgumentException e) {
            counters.refused.increment();
            log.warn("refused worker {}: {}", id, e.getMessage());
            router.send(route, Protocol.DISCONNECT);
            return;
        }
        counters.registrations.increment();
        log.info("worker {} registered (registration {}) with capacity {} and {} cached keys", id, w.epoch, capacity,
                keys.size());
        heartbeats.beat(w, now);
    }

    // ---- timers and departures

    private void tick(long now) {
        for (RemoteWorker w : registry.snapshot()) {
            if (heartbeats.check(w, now) && w.isAlive()) {
                ledger.cancelWaits(w, now);
            }
        }
    }

    private void dead(RemoteWorker w, String why) {
        if (registry.isCurrent(w)) {
            counters.deadWorkers.increment();
            log.warn("worker {} {}: registration {} given up", w.id(), why, w.epoch);
            gone(w, why);
        }
    }

    /**
     * Forgets {@code w}: it leaves the membership first (so the router sees it lost and retries
     * idempotent requests elsewhere), then its requests fail and its onClose completes.
     */
    private void gone(RemoteWorker w, String why) {
        registry.remove(w);
        ledger.failAll(w, new RelayException(ErrorCode.WORKER_FAILED, "worker " + w.id() + " " + why));
        w.closed();
    }
}
