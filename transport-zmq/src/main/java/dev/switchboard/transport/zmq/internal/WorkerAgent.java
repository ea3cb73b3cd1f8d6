package dev.switchboard.transport.zmq.internal;

import dev.switchboard.core.Payload;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.transport.CacheEvent;
import dev.switchboard.core.transport.WorkerLink;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.transport.zmq.ZmqWorkerSpec;
import dev.switchboard.transport.zmq.internal.Protocol.MalformedException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

/**
 * One worker's connection to one gateway, on its context's I/O thread ({@link LoopRunner}): runs
 * the rounds (commands, timers, inbound messages, the outbox), dispatches each message, and serves
 * REQUESTs through the shared {@link LocalWorker}, each as a {@link Serving}. Its parts own the
 * rest: {@link DealerSocket} the socket and the outbox, {@link Registration} READY, the heartbeats
 * and registering again when the gateway stops answering or asks it to.
 */
final class WorkerAgent implements Agent {

    private static final Logger log = LoggerFactory.getLogger(WorkerAgent.class);
    private static final int MAX_BATCH = 1024;

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
    private final LocalWorker local;
    private final LoopRunner wake;
    private final CommandQueue<Command> commands;
    private final Consumer<Command> handler = this::handle;
    private final WorkerImpl.Counters counters;
    private final DealerSocket dealer;
    private final Registration registration;
    /** This gateway's share of the worker's capacity. */
    private final PoolShare share;

    /** Some request's item or end met the full command queue: see {@link #failUndeliverable}. */
    private volatile boolean undeliverable;
    private volatile @Nullable Thread thread;

    // I/O thread only
    private final Map<Long, Serving> serving = new HashMap<>();
    private boolean done;

    WorkerAgent(int index, ZmqWorkerSpec spec, String endpoint, ZContext context, IoLoop loop, LocalWorker local,
                Supplier<Set<String>> cachedKeys, WorkerImpl.Counters counters, CreditPool pool) {
        this.roleName = "switchboard-zmq-worker-" + index;
        this.spec = spec;
        this.endpoint = endpoint;
        this.local = local;
        this.counters = counters;
        this.share = new PoolShare(pool);
        this.wake = new LoopRunner(loop, this);
        this.commands = new CommandQueue<>(spec.commandQueueCapacity());
        this.dealer = new DealerSocket(context, spec, endpoint, wake, counters.dropped);
        this.registration = new Registration(spec, endpoint, dealer, local, cachedKeys, counters.registrations,
                this::cancelAll, share::onRegistered, share::onReady);
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
        share.join(wake::wake);
        dealer.open();
        registration.start(System.nanoTime());
    }

    boolean isRegistered() {
        return registration.isRegistered();
    }

    /**
     * Hands {@code c} to the agent; on the I/O thread (a handler that answers at once) it is
     * handled right away, sparing a queue round and a wake-up; outside the agent's own round, a
     * round follows to send what it queued.
     */
    boolean submit(Command c) {
        return commands.submit(c, Thread.currentThread() == thread, handler, wake, counters.dropped);
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
        registration.timers(System.nanoTime());
        for (int i = 0; i < MAX_BATCH && receiveOne(); i++) {
            work++;
        }
        share.sendCredits(dealer, registration.isRegistered());
        dealer.sendOutbox();
        return work;
    }

    @Override
    public long idleMillis() {
        return registration.idleMillis(System.nanoTime());
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public void onClose() {
        registration.close();
        if (dealer.isOpen()) {
            cancelAll();
        }
        dealer.close();
        share.leave();
    }

    /** Ends every request served, the registration being lost or the agent closing. */
    private void cancelAll() {
        for (Serving s : new ArrayList<>(serving.values())) {
            s.cancel();
            counters.cancelled.increment();
        }
        serving.clear();
        share.onLost();
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
            boolean kept = serving.remove(s.tag, s) && share.end();
            counters.undeliverable.increment();
            counters.served.increment();
            log.warn("worker {}: a response of request {} met a full command queue (capacity {}): the request "
                    + "ends with an error", spec.id(), s.tag, spec.commandQueueCapacity());
            sendFrame(Protocol.responseError(s.tag, "worker_failed", "the worker failed", kept));
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
                    sendData(s, i.item().payload(), Protocol.status(Protocol.DATA_END, share.end()));
                    counters.served.increment();
                }
            } else if (serving.get(s.tag) == s) {
                sendData(s, i.item().payload(), Protocol.DATA);
                s.allowed--;
            }
        } else if (c instanceof Done d) {
            Serving s = d.serving();
            if (!s.broken && serving.remove(s.tag, s)) {
                sendFrame(Protocol.responseEnd(s.tag, share.end()));
                counters.served.increment();
            }
        } else if (c instanceof Failed f) {
            Serving s = f.serving();
            if (!s.broken && serving.remove(s.tag, s)) {
                boolean kept = share.end();
                // only a RelayException is addressed to the client; the local worker logged any other
                Throwable t = f.error();
                String code = t instanceof RelayException r ? r.code().wireName() : "worker_failed";
                String message = t instanceof RelayException && t.getMessage() != null ? t.getMessage()
                        : RelayException.WORKER_FAILED_MESSAGE;
                sendFrame(Protocol.responseError(s.tag, code, message, kept));
                counters.served.increment();
            }
        } else if (c instanceof Cache ce && registration.isRegistered()) {
            CacheEvent e = ce.event();
            dealer.send(Protocol.CACHE, Protocol.u8(e.type() == CacheEvent.Type.CACHED ? Protocol.CACHED : Protocol.EVICTED),
                    Protocol.utf8(e.key()));
        }
    }

    private void sendData(Serving s, Payload p, byte status) {
        dealer.sendData(new DataRecord(s.tag, status, p));
    }

    // ---- inbound

    private boolean receiveOne() {
        boolean[] fits = {true};
        List<byte[]> frames = dealer.receive(fits);
        if (frames == null) {
            return false;
        }
        try {
            if (!fits[0]) {
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
                int waiting = WorkerDecoder.heartbeatWaiting(f);
                registration.onHeartbeat(ms, now);
                if (waiting >= 0 && registration.isRegistered()) {
                    share.onWaiting(waiting);
                }
            }
            case Protocol.REQUEST -> {
                registration.acknowledge(now);
                Protocol.records(f.get(0), this::onRequest);
            }
            case Protocol.CREDIT -> {
                if (f.size() == 3) {
                    // the gateway hands back unused request credits, answering RECLAIM
                    int n = WorkerDecoder.returned(f);
                    registration.heard(now);
                    if (!share.onReturned(n)) {
                        throw new MalformedException("the gateway handed back more credits than it was granted");
                    }
                    return;
                }
                WorkerDecoder.expect(f, 4, "CREDIT");
                registration.heard(now);
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
                registration.heard(now);
                long tag = WorkerDecoder.cancel(f);
                Serving s = serving.remove(tag);
                if (s != null) {
                    s.cancel();
                    counters.cancelled.increment();
                    sendFrame(Protocol.responseEnd(tag, share.end()));
                }
            }
            case Protocol.DISCONNECT -> registration.onDisconnect(now);
            default -> throw new MalformedException("unexpected " + Protocol.typeName(type) + " from a gateway");
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
        // one capacity over every gateway, granted by the pool: a gateway that sends beyond its
        // credits meets this guard, and the answer gives it its credit back
        if (!registration.isRegistered() || serving.containsKey(tag)
                || share.admit() == CreditPool.Admission.REFUSED) {
            sendFrame(Protocol.responseError(tag, "overloaded", "worker " + spec.id() + " has no credit for this request"));
            return;
        }
        Serving s = new Serving(this, tag, window);
        serving.put(tag, s);
        if (log.isDebugEnabled()) {
            // the worker's own log of runs: a request a gateway gave up and sent elsewhere shows here once
            log.debug("worker {} runs request {} (tag {}) for gateway {}", spec.id(), incoming.request().id(), tag,
                    endpoint);
        }
        try {
            local.exchange(incoming.request()).subscribe(s);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            // an Error that Reactor lets through (BlockHound's, an assertion) in an inline
            // handler's Flux: the request fails, the agent (every gateway's socket) goes on
            log.warn("worker {}: request {} failed while its handler was subscribed", spec.id(), tag, e);
            s.onError(e);
        }
    }

    private void sendFrame(byte[] standalone) {
        dealer.sendFrame(standalone);
    }
}
