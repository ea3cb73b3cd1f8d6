package dev.switchboard.transport.zmq.internal;

import dev.switchboard.core.transport.CacheEvent;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.core.worker.ResourceCache;
import dev.switchboard.core.worker.WorkerHandler;
import dev.switchboard.transport.zmq.ZmqWorker;
import dev.switchboard.transport.zmq.ZmqWorkerSpec;
import dev.switchboard.transport.zmq.ZmqWorkerStats;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The {@link ZmqWorker}: the process's {@link SharedContext}, a {@link LocalWorker} running the handler, one agent
 * per gateway ({@link Gateways}), and the lookups of the names it follows ({@link NameFollower}).
 */
public final class WorkerImpl implements ZmqWorker {

    private static final Logger log = LoggerFactory.getLogger(WorkerImpl.class);

    /** Counters shared by the agents. */
    static final class Counters {
        final LongAdder registrations = new LongAdder();
        final LongAdder served = new LongAdder();
        final LongAdder cancelled = new LongAdder();
        final LongAdder malformed = new LongAdder();
        final LongAdder dropped = new LongAdder();
        final LongAdder undeliverable = new LongAdder();
        final LongAdder gatewaysOverLimit = new LongAdder();
        final LongAdder failedLookups = new LongAdder();
    }

    private final ZmqWorkerSpec spec;
    private final ZContext context;
    private final LocalWorker local;
    private final Counters counters = new Counters();
    /** The capacity, one budget over every gateway; its agents share it on the I/O thread. */
    private final CreditPool pool;
    private final AtomicInteger agentIndex = new AtomicInteger();
    private final Gateways gateways;
    private final NameFollower follower;
    private final AtomicBoolean disposed = new AtomicBoolean();
    private final Sinks.Empty<Void> onDispose = Sinks.empty();
    private Disposable cacheWatch = () -> { };

    private WorkerImpl(ZmqWorkerSpec spec, WorkerHandler handler) {
        this.spec = spec;
        this.pool = new CreditPool(spec.capacity());
        // the agents hold their gateways together to the capacity; the local worker only runs the
        // handler, times it and follows the cache. Its own count drops after a response has gone
        // out (in doFinally), so it must not refuse the request that the returned credit allows.
        LocalWorker.Builder b = LocalWorker.builder(handler).id(spec.id()).capacity(Integer.MAX_VALUE);
        spec.cache().ifPresent(b::cache);
        spec.handlerScheduler().ifPresent(b::blocking);
        this.local = b.build();
        this.context = SharedContext.acquire();
        IoLoop loop = SharedContext.loop(context);
        ResourceCache<String, ?> cache = spec.cache().orElse(null);
        java.util.function.Supplier<Set<String>> keys = cache == null ? Set::of : cache::keys;
        this.gateways = new Gateways(spec.id(), spec.endpoints(), spec.gatewayNames().size(),
                endpoint -> new WorkerAgent(agentIndex.getAndIncrement(), spec, endpoint, context, loop, local, keys,
                        counters, pool), counters.gatewaysOverLimit);
        this.follower = new NameFollower(spec, gateways, counters.failedLookups);
    }

    public static WorkerImpl start(ZmqWorkerSpec spec, WorkerHandler handler) {
        WorkerImpl w = new WorkerImpl(spec, handler);
        ResourceCache<String, ?> cache = spec.cache().orElse(null);
        if (cache != null) {
            w.cacheWatch = cache.events().subscribe(w::onCacheEvent,
                    e -> log.warn("cache events of worker {} failed", spec.id(), e));
        }
        w.gateways.start();
        w.follower.start();
        return w;
    }

    private void onCacheEvent(CacheEvent e) {
        for (WorkerAgent a : gateways.agents()) {
            a.submit(new WorkerAgent.Cache(e));
        }
    }

    @Override
    public String id() {
        return spec.id();
    }

    @Override
    public ZmqWorkerStats stats() {
        int registered = 0;
        List<WorkerAgent> agents = gateways.agents();
        for (WorkerAgent a : agents) {
            if (a.isRegistered()) {
                registered++;
            }
        }
        return new ZmqWorkerStats(registered, counters.registrations.sum(), counters.served.sum(),
                counters.cancelled.sum(), counters.malformed.sum(), counters.dropped.sum(),
                counters.undeliverable.sum(), agents.size(), counters.gatewaysOverLimit.sum(),
                counters.failedLookups.sum());
    }

    @Override
    public Mono<Void> onDispose() {
        return onDispose.asMono();
    }

    @Override
    public void dispose() {
        if (!disposed.compareAndSet(false, true)) {
            return;
        }
        cacheWatch.dispose();
        follower.stop();
        // the agents close on the I/O thread; closing the context blocks
        gateways.close().whenCompleteAsync((v, e) -> {
            try {
                local.close();
            } finally {
                try {
                    SharedContext.release(context);
                } finally {
                    onDispose.tryEmitEmpty();
                }
            }
        }, Blocking.EXECUTOR);
    }

    @Override
    public boolean isDisposed() {
        return disposed.get();
    }
}
