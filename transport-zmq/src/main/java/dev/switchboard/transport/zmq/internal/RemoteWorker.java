package dev.switchboard.transport.zmq.internal;

import dev.switchboard.core.Request;
import dev.switchboard.core.transport.CacheEvent;
import dev.switchboard.core.transport.ServiceTimes;
import dev.switchboard.core.transport.WorkerLink;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A registered remote worker as a {@link WorkerLink}. Its request state belongs to the
 * gateway's agent on the ZeroMQ I/O thread; its cache view and service times are read by the router from any
 * thread.
 */
public final class RemoteWorker implements WorkerLink {

    /**
     * Most keys the gateway keeps as cached per worker (65,536, in {@code PROTOCOL.md}); further
     * CACHED reports are ignored. A worker lists at most {@link Protocol#MAX_READY_KEYS} in READY.
     */
    static final int MAX_CACHED_KEYS = 1 << 16;

    private final GatewayAgent agent;
    private final String id;
    private final int capacity;
    final ByteBuffer route;
    final byte[] routeBytes;
    /** The worker's heartbeat interval as the gateway holds it to, in nanoseconds. */
    final long intervalNanos;
    /**
     * The registration's number, from 1 in the order the gateway accepted them (its epoch): a
     * worker that registers again, on the same connection or another, is a new registration.
     */
    final long epoch;
    /**
     * The last tag the gateway had issued when it accepted this registration: every request of
     * this registration has a greater tag (tags are never reused), so an answer to a tag at most
     * this one is an earlier registration's, which the gateway gave up.
     */
    final long tagFloor;
    private final Sinks.Empty<Void> closed = Sinks.empty();
    private final Set<String> cached = new HashSet<>();
    private final List<FluxSink<CacheEvent>> listeners = new ArrayList<>();
    private volatile ServiceTimes serviceTimes = ServiceTimes.UNKNOWN;
    private volatile boolean alive = true;

    // I/O thread only
    /**
     * Request credits the gateway may spend; below 0 while it owes the worker credits that late
     * answers kept ({@link CreditLedger#onResponse}), and then it sends nothing until they are paid.
     */
    int credits;
    final Map<Long, Exchange> inFlight = new HashMap<>();
    final ArrayDeque<Exchange> pending = new ArrayDeque<>();
    /**
     * Tags of requests the gateway ended without the worker's answer and took the credit of, oldest
     * first, at most {@link CreditLedger#MAX_GIVEN_UP}: the worker may still answer them.
     */
    final LinkedHashSet<Long> givenUp = new LinkedHashSet<>();
    /** REQUESTs of this round, sent together as one frame when the round ends. */
    final Batch outbox = new Batch(Protocol.REQUEST);
    long lastHeardNanos;
    long nextHeartbeatNanos;
    /** Its waiting count is to be reported at the end of this round ({@link CreditLedger#takeReports}). */
    boolean reportDue;

    public RemoteWorker(GatewayAgent agent, String id, int capacity, byte[] route, long intervalNanos, long now,
            long epoch, long tagFloor) {
        this.agent = agent;
        this.epoch = epoch;
        this.tagFloor = tagFloor;
        this.id = id;
        this.capacity = capacity;
        this.routeBytes = route;
        this.route = ByteBuffer.wrap(route);
        this.intervalNanos = intervalNanos;
        this.lastHeardNanos = now;
        this.nextHeartbeatNanos = now;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public Flux<Item> exchange(Request request) {
        return Exchange.flux(agent, this, request);
    }

    /** The cached keys it reported, then each change, from subscription on. */
    @Override
    public Flux<CacheEvent> cacheEvents() {
        return Flux.create(sink -> {
            synchronized (this) {
                for (String k : cached) {
                    sink.next(CacheEvent.cached(k));
                }
                if (!alive) {
                    sink.complete();
                    return;
                }
                listeners.add(sink);
            }
            sink.onDispose(() -> {
                synchronized (this) {
                    listeners.remove(sink);
                }
            });
        }, FluxSink.OverflowStrategy.ERROR);
    }

    @Override
    public ServiceTimes serviceTimes() {
        return serviceTimes;
    }

    @Override
    public Mono<Void> onClose() {
        return closed.asMono();
    }

    /** Requests routed to it that wait here for a credit, as HEARTBEAT reports them. I/O thread only. */
    int waiting() {
        return pending.size();
    }

    boolean isAlive() {
        return alive;
    }

    void serviceTimes(ServiceTimes times) {
        this.serviceTimes = times;
    }

    /** Applies a cache report. */
    synchronized void cache(boolean isCached, String key) {
        if (!alive) {
            return;
        }
        if (isCached) {
            if (cached.size() >= MAX_CACHED_KEYS || !cached.add(key)) {
                return;
            }
            for (FluxSink<CacheEvent> l : listeners) {
                l.next(CacheEvent.cached(key));
            }
        } else if (cached.remove(key)) {
            for (FluxSink<CacheEvent> l : listeners) {
                l.next(CacheEvent.evicted(key));
            }
        }
    }

    synchronized int cachedCount() {
        return cached.size();
    }

    /** Marks it gone and completes its cache events; the caller fails its requests. */
    void markGone() {
        List<FluxSink<CacheEvent>> ls;
        synchronized (this) {
            alive = false;
            cached.clear();
            ls = new ArrayList<>(listeners);
            listeners.clear();
        }
        for (FluxSink<CacheEvent> l : ls) {
            l.complete();
        }
    }

    /** Completes {@link #onClose()}. */
    void closed() {
        closed.tryEmitEmpty();
    }

    @Override
    public String toString() {
        return "RemoteWorker[" + id + ", capacity " + capacity + ", registration " + epoch + "]";
    }
}
