package dev.switchboard.transport.zmq.internal;

import dev.switchboard.core.Payload;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.transport.CacheEvent;
import dev.switchboard.core.transport.ServiceTimes;
import dev.switchboard.core.transport.WorkerLink;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.transport.zmq.CurveKeyPair;
import dev.switchboard.transport.zmq.ZmqWorkerSpec;
import dev.switchboard.transport.zmq.internal.Protocol.MalformedException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import reactor.core.CoreSubscriber;

/**
 * One worker's connection to one gateway, on its context's I/O thread ({@link LoopRunner}): owns the DEALER socket,
 * registers (READY, then CREDIT), serves REQUESTs through the shared {@link LocalWorker}, and
 * registers again when the gateway stops answering or asks it to.
 */
final class WorkerAgent implements Agent {

    private static final Logger log = LoggerFactory.getLogger(WorkerAgent.class);
    private static final int MAX_BATCH = 1024;
    /** Longest ZMTP handshake before the connection is dropped and retried, in milliseconds. */
    static final int HANDSHAKE_IVL_MS = 500;
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** First wait before the DEALER reconnects to a gateway it lost, in milliseconds (ZMQ_RECONNECT_IVL). */
    static final int RECONNECT_IVL_MS = 100;
    /** Longest wait between reconnect attempts, in milliseconds (ZMQ_RECONNECT_IVL_MAX): a restarted gateway is found within it. */
    static final int RECONNECT_IVL_MAX_MS = 500;
    /** How long a replaced connection may still deliver its last DISCONNECT, in milliseconds. */
    private static final int RECONNECT_LINGER_MS = 100;

    /** Work handed to the agent. */
    sealed interface Command permits Item, Done, Failed, Cache {
    }

    record Item(Serving serving, WorkerLink.Item item) implements Command {
    }

    record Done(Serving serving) implements Command {
    }

    record Failed(Serving serving, Throwable error) implements Command {
    }

    record Cache(CacheEvent event) implements Command {
    }

    private final String roleName;
    private final ZmqWorkerSpec spec;
    private final String endpoint;
    private final ZContext context;
    private final LocalWorker local;
    private final Supplier<Set<String>> cachedKeys;
    private final LoopRunner wake;
    private final CommandQueue<Command> commands;
    private final WorkerImpl.Counters counters;
    private final long ownIntervalNanos;

    private volatile boolean registered;
    /** Some request's item or end met the full command queue: see {@link #failUndeliverable}. */
    private volatile boolean undeliverable;
    private volatile @Nullable Thread thread;

    // I/O thread only
    private ZMQ.Socket dealer;
    private final Map<Long, Serving> serving = new HashMap<>();
    /** RESPONSEs of this round, sent together as one frame when the round ends. */
    private final Batch outbox = new Batch(Protocol.RESPONSE);
    private boolean done;
    private boolean readyOut;
    private long gatewayIntervalNanos;
    private long lastHeardNanos;
    private long nextHeartbeatNanos;
    private long nextReadyNanos;
    private long lastReadyNanos;
    private long unregisteredSinceNanos;
    private boolean warnedSilent;

    WorkerAgent(int index, ZmqWorkerSpec spec, String endpoint, ZContext context, IoLoop loop, LocalWorker local,
                Supplier<Set<String>> cachedKeys, WorkerImpl.Counters counters) {
        this.roleName = "switchboard-zmq-worker-" + index;
        this.spec = spec;
        this.endpoint = endpoint;
        this.context = context;
        this.local = local;
        this.cachedKeys = cachedKeys;
        this.counters = counters;
        this.wake = new LoopRunner(loop, this);
        this.commands = new CommandQueue<>(spec.commandQueueCapacity());
        this.ownIntervalNanos = spec.heartbeatInterval().toNanos();
        this.gatewayIntervalNanos = ownIntervalNanos;
    }

    @Override
    public String roleName() {
        return roleName;
    }

    LoopRunner runner() {
        return wake;
    }

    @Override
    public void onStart() {
        thread = Thread.currentThread();
        openDealer();
        long now = System.nanoTime();
        nextReadyNanos = now;
        unregisteredSinceNanos = now;
    }

    /** Creates the DEALER socket, connects it to the gateway and lets the runner watch it. */
    private void openDealer() {
        dealer = context.createSocket(SocketType.DEALER);
        dealer.setLinger(0);
        // a message to a gateway that is not connected is dropped, not queued for a later one
        dealer.setImmediate(true);
        // JeroMQ 0.6.0 sometimes stalls a fresh connection's handshake until a timer wakes its
        // I/O thread; a short handshake deadline makes it reconnect instead of waiting 30 s
        dealer.setHandshakeIvl(HANDSHAKE_IVL_MS);
        dealer.setReconnectIVL(RECONNECT_IVL_MS);
        dealer.setReconnectIVLMax(RECONNECT_IVL_MAX_MS);
        dealer.setMaxMsgSize(spec.maxMessageBytes());
        if (spec.curveKeys().isPresent() && spec.curveServerKey().isPresent()) {
            CurveKeyPair keys = spec.curveKeys().get();
            dealer.setCurveServerKey(ZMQ.Curve.z85Decode(spec.curveServerKey().get()));
            dealer.setCurvePublicKey(ZMQ.Curve.z85Decode(keys.publicKey()));
            dealer.setCurveSecretKey(ZMQ.Curve.z85Decode(keys.secretKey()));
        }
        dealer.connect(endpoint);
        wake.watch(dealer);
    }

    /**
     * Replaces the connection with a fresh one. Whatever the gateway queued for the old
     * registration (requests sent before it declared this worker dead) is dropped with the old
     * socket instead of being served after the new READY, where it would take the slots that the
     * new registration's credits promised to the gateway.
     */
    private void reconnect() {
        // responses to the old registration: the gateway has failed those requests already
        outbox.clear();
        wake.unwatch(dealer);
        // long enough for the DISCONNECT just queued to leave; closing never blocks this thread
        dealer.setLinger(RECONNECT_LINGER_MS);
        // close() (unlike ZContext.destroySocket) keeps that linger, and leaves the context's list
        dealer.close();
        openDealer();
    }

    boolean isRegistered() {
        return registered;
    }

    /**
     * Hands {@code c} to the agent; on the I/O thread (a handler that answers at once) it is
     * handled right away, sparing a queue round and a wake-up; outside the agent's own round, a
     * round follows to send what it queued.
     */
    boolean submit(Command c) {
        // inline only behind nothing queued: a command never overtakes an earlier one
        if (Thread.currentThread() == thread && commands.isEmpty()) {
            handle(c);
            if (!wake.inRun()) {
                wake.wake();
            }
            return true;
        }
        if (!commands.offer(c)) {
            counters.dropped.increment();
            return false;
        }
        wake.wake();
        return true;
    }

    void stop() {
        wake.stop();
    }

    @Override
    public int doWork() {
        if (wake.stopRequested()) {
            done = true;
            return 1;
        }
        wake.clearPending();
        int work = 0;
        Command c;
        while (work < MAX_BATCH && (c = commands.poll()) != null) {
            handle(c);
            work++;
        }
        if (undeliverable) {
            failUndeliverable();
        }
        // timers first: a worker resumed after a freeze (SIGSTOP, a long GC) must see that it missed
        // the gateway's deadline and register afresh before it reads what queued up meanwhile
        timers(System.nanoTime());
        for (int i = 0; i < MAX_BATCH && receiveOne(); i++) {
            work++;
        }
        sendOutbox();
        return work;
    }

    @Override
    public long idleMillis() {
        long now = System.nanoTime();
        long next = registered ? Math.min(nextHeartbeatNanos, lastHeardNanos + deadlineNanos()) : nextReadyNanos;
        long waitMs = TimeUnit.NANOSECONDS.toMillis(next - now);
        return Math.min(waitMs, TimeUnit.NANOSECONDS.toMillis(ownIntervalNanos));
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public void onClose() {
        if (dealer != null) {
            if (registered) {
                send(Protocol.DISCONNECT);
            }
            cancelAll();
        }
        registered = false;
        if (dealer != null) {
            wake.unwatch(dealer);
            context.destroySocket(dealer);
        }
    }

    private long deadlineNanos() {
        return spec.liveness() * gatewayIntervalNanos;
    }

    private long heartbeatNanos() {
        return Math.min(ownIntervalNanos, gatewayIntervalNanos);
    }

    // ---- timers

    private void timers(long now) {
        if (registered) {
            if (now - lastHeardNanos > deadlineNanos()) {
                log.warn("gateway {} missed {} heartbeats: registering again", endpoint, spec.liveness());
                // so that a gateway that still knows us fails what it sent us before we register again
                send(Protocol.DISCONNECT);
                unregister(now);
                reconnect();
                nextReadyNanos = now;
            } else if (now - nextHeartbeatNanos >= 0) {
                ServiceTimes t = local.serviceTimes();
                send(Protocol.HEARTBEAT, Protocol.u64((long) t.hitNanos()), Protocol.u64((long) t.missNanos()));
                nextHeartbeatNanos = now + heartbeatNanos();
            }
        }
        if (!registered && now - nextReadyNanos >= 0) {
            sendReady(now);
        }
        if (!registered && !warnedSilent && now - unregisteredSinceNanos > 10 * ownIntervalNanos) {
            warnedSilent = true;
            log.warn("worker {} has not registered with gateway {} for {} ms: is it running, and under CURVE "
                    + "is the server key right and this worker's key allowed?", spec.id(), endpoint,
                    TimeUnit.NANOSECONDS.toMillis(now - unregisteredSinceNanos));
        }
    }

    private void sendReady(long now) {
        List<byte[]> body = new ArrayList<>();
        body.add(Protocol.utf8(spec.id()));
        body.add(Protocol.u32(spec.capacity()));
        body.add(Protocol.u32((int) Math.max(1, spec.heartbeatInterval().toMillis())));
        for (String k : cachedKeys.get()) {
            if (body.size() - 3 >= Protocol.MAX_READY_KEYS) {
                break;
            }
            body.add(Protocol.utf8(k));
        }
        boolean ok = send(Protocol.READY, body.toArray(new byte[0][])) && send(Protocol.CREDIT, Protocol.u32(spec.capacity()));
        if (log.isDebugEnabled()) {
            log.debug("worker {} sent READY to {}: {}", spec.id(), endpoint, ok);
        }
        if (ok) {
            readyOut = true;
            lastReadyNanos = now;
            nextReadyNanos = now + ownIntervalNanos;
        } else {
            // not connected yet: try again soon
            nextReadyNanos = now + Math.min(RETRY_NANOS, ownIntervalNanos);
        }
    }

    private void unregister(long now) {
        if (registered) {
            unregisteredSinceNanos = now;
            warnedSilent = false;
        }
        registered = false;
        readyOut = false;
        cancelAll();
    }

    private void cancelAll() {
        for (Serving s : new ArrayList<>(serving.values())) {
            s.cancel();
            counters.cancelled.increment();
        }
        counters.ended(serving.size());
        serving.clear();
    }

    // ---- commands from handler threads

    /**
     * A command of {@code s} met the full command queue: the request is broken (the gateway
     * would get a stream missing an item, or no end). The handler is cancelled at once; the
     * I/O thread answers the gateway with an error in its next round.
     */
    void undeliverable(Serving s) {
        s.broken = true;
        s.cancel();
        undeliverable = true;
        wake.wake();
    }

    /** Ends each broken request with {@code worker_failed}, so that the gateway gets its credit back. */
    private void failUndeliverable() {
        undeliverable = false;
        List<Serving> broken = null;
        for (Serving s : serving.values()) {
            if (s.broken) {
                if (broken == null) {
                    broken = new ArrayList<>();
                }
                broken.add(s);
            }
        }
        if (broken == null) {
            return;
        }
        for (Serving s : broken) {
            if (serving.remove(s.tag, s)) {
                counters.ended(1);
            }
            counters.undeliverable.increment();
            counters.served.increment();
            log.warn("worker {}: a response of request {} met a full command queue (capacity {}): the request "
                    + "ends with an error", spec.id(), s.tag, spec.commandQueueCapacity());
            sendFrame(Protocol.responseError(s.tag, "worker_failed", "the worker failed"));
        }
    }

    private void handle(Command c) {
        if (c instanceof Item i) {
            // each item goes as it comes: with the end in one record when the worker marked it last
            Serving s = i.serving();
            if (s.broken) {
                return;
            }
            if (i.item().last()) {
                if (serving.remove(s.tag, s)) {
                    counters.ended(1);
                    sendData(s, i.item().payload(), Protocol.DATA_END);
                    counters.served.increment();
                }
            } else if (serving.get(s.tag) == s) {
                sendData(s, i.item().payload(), Protocol.DATA);
                s.allowed--;
            }
        } else if (c instanceof Done d) {
            Serving s = d.serving();
            if (!s.broken && serving.remove(s.tag, s)) {
                counters.ended(1);
                sendFrame(Protocol.responseEnd(s.tag));
                counters.served.increment();
            }
        } else if (c instanceof Failed f) {
            Serving s = f.serving();
            if (!s.broken && serving.remove(s.tag, s)) {
                counters.ended(1);
                // only a RelayException is addressed to the client; the local worker logged any other
                Throwable t = f.error();
                String code = t instanceof RelayException r ? r.code().wireName() : "worker_failed";
                String message = t instanceof RelayException && t.getMessage() != null ? t.getMessage()
                        : RelayException.WORKER_FAILED_MESSAGE;
                sendFrame(Protocol.responseError(s.tag, code, message));
                counters.served.increment();
            }
        } else if (c instanceof Cache ce && registered) {
            CacheEvent e = ce.event();
            send(Protocol.CACHE, Protocol.u8(e.type() == CacheEvent.Type.CACHED ? Protocol.CACHED : Protocol.EVICTED),
                    Protocol.utf8(e.key()));
        }
    }

    private void sendData(Serving s, Payload p, byte status) {
        DataRecord record = new DataRecord(s.tag, status, p);
        makeRoom(4 + record.size());
        outbox.add(record);
        sendIfFull();
    }

    // ---- inbound

    private boolean receiveOne() {
        byte[] first = dealer.recv(ZMQ.DONTWAIT);
        if (first == null) {
            return false;
        }
        List<byte[]> frames = new ArrayList<>(10);
        frames.add(first);
        boolean fits = Protocol.readRest(dealer, frames);
        try {
            if (!fits) {
                throw new MalformedException("more than " + Protocol.MAX_FRAMES + " frames");
            }
            onMessage(frames);
        } catch (MalformedException e) {
            counters.malformed.increment();
            if (log.isDebugEnabled()) {
                log.debug("dropped a malformed message from {}: {}", endpoint, e.getMessage());
            }
        }
        return true;
    }

    private void onMessage(List<byte[]> f) throws MalformedException {
        // the body of the types other than REQUEST follows the envelope from frame 2 on, as in the tables
        int type = WorkerDecoder.type(f);
        long now = System.nanoTime();
        switch (type) {
            case Protocol.HEARTBEAT -> {
                int ms = WorkerDecoder.heartbeatIntervalMs(f);
                if (ms >= 1) {
                    gatewayIntervalNanos = TimeUnit.MILLISECONDS.toNanos(ms);
                }
                acknowledge(now);
            }
            case Protocol.REQUEST -> {
                acknowledge(now);
                Protocol.records(f.get(0), this::onRequest);
            }
            case Protocol.CREDIT -> {
                WorkerDecoder.expect(f, 4, "CREDIT");
                lastHeardNanos = now;
                WorkerDecoder.Credit credit = WorkerDecoder.credit(f);
                Serving s = serving.get(credit.tag());
                int n = credit.n();
                if (s != null && n > 0) {
                    s.allowed = (int) Math.min(Integer.MAX_VALUE, (long) s.allowed + n);
                    s.request(n);
                }
            }
            case Protocol.CANCEL -> {
                WorkerDecoder.expect(f, 3, "CANCEL");
                lastHeardNanos = now;
                long tag = WorkerDecoder.cancel(f);
                Serving s = serving.remove(tag);
                if (s != null) {
                    counters.ended(1);
                    s.cancel();
                    counters.cancelled.increment();
                    sendFrame(Protocol.responseEnd(tag));
                }
            }
            case Protocol.DISCONNECT -> {
                if (readyOut && !registered) {
                    // READY is out and not yet acknowledged: this DISCONNECT answers a message sent
                    // before it (a gateway that restarted meets the old registration's last
                    // messages first). Acting on it would drop the registration the gateway is
                    // making now, and the gateway would take the next READY for a retransmission.
                    // Nothing is served yet; READY goes again at the interval anyway.
                    return;
                }
                if (registered) {
                    log.info("gateway {} asked worker {} to register again", endpoint, spec.id());
                }
                unregister(now);
                nextReadyNanos = Math.max(now, lastReadyNanos + ownIntervalNanos);
                if (now - lastReadyNanos > ownIntervalNanos) {
                    nextReadyNanos = now;
                }
            }
            default -> throw new MalformedException("unexpected " + Protocol.typeName(type) + " from a gateway");
        }
    }

    /** Any sign of life from the gateway after READY means it registered us. */
    private void acknowledge(long now) {
        lastHeardNanos = now;
        if (!registered && readyOut) {
            registered = true;
            counters.registrations.increment();
            nextHeartbeatNanos = now + heartbeatNanos();
            log.info("worker {} registered with gateway {}", spec.id(), endpoint);
        }
    }

    /**
     * One REQUEST record, {@code frame[from, to)}. A record whose tag can be read is always
     * answered: one that cannot be served (malformed, a field over its limit) with
     * {@code bad_request}, so that the gateway gets its credit back.
     */
    private void onRequest(byte[] frame, int from, int to) throws MalformedException {
        long tag = WorkerDecoder.requestTag(frame, from, to);
        WorkerDecoder.Incoming incoming;
        try {
            incoming = WorkerDecoder.request(frame, from, to);
        } catch (MalformedException e) {
            sendFrame(Protocol.responseError(tag, "bad_request", "the worker cannot read the request: "
                    + e.getMessage()));
            throw e;
        }
        int window = incoming.window();
        // one capacity over every gateway: each was granted all of it, so the worker turns away
        // at once what would go beyond it, and the answer gives that gateway its credit back
        if (!registered || serving.containsKey(tag) || !counters.tryStart(spec.capacity())) {
            sendFrame(Protocol.responseError(tag, "overloaded", "worker " + spec.id() + " has no credit for this request"));
            return;
        }
        Serving s = new Serving(this, tag, window);
        serving.put(tag, s);
        local.exchange(incoming.request()).subscribe(s);
    }

    // ---- outbound

    private boolean send(byte type, byte[]... body) {
        // RESPONSEs of this round go first, in order
        sendOutbox();
        try {
            if (!dealer.send(Protocol.envelope(type), (body.length > 0 ? ZMQ.SNDMORE : 0) | ZMQ.DONTWAIT)) {
                counters.dropped.increment();
                return false;
            }
            for (int i = 0; i < body.length; i++) {
                dealer.send(body[i], (i < body.length - 1 ? ZMQ.SNDMORE : 0) | ZMQ.DONTWAIT);
            }
            return true;
        } catch (ZMQException e) {
            counters.dropped.increment();
            return false;
        }
    }

    /**
     * Puts a RESPONSE in the outbox. The outbox goes out as one frame at the end of the round
     * (or when it is full): the responses to the requests of one batch travel back together,
     * which spares the I/O threads a wake-up, a system call and a ZeroMQ frame per response.
     */
    private void sendFrame(byte[] standalone) {
        makeRoom(standalone.length);
        outbox.add(standalone);
        sendIfFull();
    }

    /** Sends the outbox first if a record of {@code bytes} would take it past its limit. */
    private void makeRoom(int bytes) {
        if (outbox.count() > 0 && outbox.bytes() + bytes > GatewayAgent.MAX_OUTBOX_BYTES) {
            // a large item goes in a frame of its own, within the gateway's message limit
            sendOutbox();
        }
    }

    private void sendIfFull() {
        if (outbox.count() >= GatewayAgent.MAX_OUTBOX_RECORDS || outbox.bytes() >= GatewayAgent.MAX_OUTBOX_BYTES) {
            sendOutbox();
        }
    }

    /** Sends the outbox as one RESPONSE frame; what cannot be sent is counted as dropped. */
    private void sendOutbox() {
        int n = outbox.count();
        if (n == 0) {
            return;
        }
        try {
            if (!dealer.send(outbox.take(), ZMQ.DONTWAIT)) {
                counters.dropped.add(n);
            }
        } catch (ZMQException e) {
            counters.dropped.add(n);
        }
    }

    /**
     * One request being served: subscribes to the worker's items with the granted window. An
     * item marked last travels with the end in one record; no item waits for the next signal.
     */
    static final class Serving implements CoreSubscriber<WorkerLink.Item> {
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
            if (!broken && !agent.submit(new Item(this, item))) {
                agent.undeliverable(this);
            }
        }

        @Override
        public void onError(Throwable t) {
            if (!broken && !agent.submit(new Failed(this, t))) {
                agent.undeliverable(this);
            }
        }

        @Override
        public void onComplete() {
            if (!broken && !agent.submit(new Done(this))) {
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
}
