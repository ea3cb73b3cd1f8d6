package dev.switchboard.transport.zmq.internal;

import dev.switchboard.core.transport.CacheEvent;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.core.worker.ResourceCache;
import dev.switchboard.core.worker.WorkerHandler;
import dev.switchboard.transport.zmq.ZmqWorker;
import dev.switchboard.transport.zmq.ZmqWorkerSpec;
import dev.switchboard.transport.zmq.ZmqWorkerStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** The {@link ZmqWorker}: the process's {@link SharedContext}, a {@link LocalWorker} running the handler, one agent per gateway. */
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
        /** Requests running now, over every gateway: the capacity is one budget for them all. */
        private final AtomicInteger running = new AtomicInteger();

        /** Takes a slot of {@code capacity} for a request; false when all are taken. */
        boolean tryStart(int capacity) {
            for (;;) {
                int n = running.get();
                if (n >= capacity) {
                    return false;
                }
                if (running.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        /** Gives back the slots of {@code n} requests that ended. */
        void ended(int n) {
            running.addAndGet(-n);
        }
    }

    private final ZmqWorkerSpec spec;
    private final ZContext context;
    private final LocalWorker local;
    private final List<WorkerAgent> agents = new ArrayList<>();
    private final Counters counters = new Counters();
    private final AtomicBoolean disposed = new AtomicBoolean();
    private final Sinks.Empty<Void> onDispose = Sinks.empty();
    private Disposable cacheWatch = () -> { };

    private WorkerImpl(ZmqWorkerSpec spec, WorkerHandler handler) {
        this.spec = spec;
        // the agents hold their gateways together to the capacity; the local worker only runs the
        // handler, times it and follows the cache. Its own count drops after a response has gone
        // out (in doFinally), so it must not refuse the request that the returned credit allows.
        LocalWorker.Builder b = LocalWorker.builder(handler).id(spec.id()).capacity(Integer.MAX_VALUE);
        spec.cache().ifPresent(b::cache);
        spec.handlerScheduler().ifPresent(b::blocking);
        this.local = b.build();
        this.context = SharedContext.acquire();
    }

    public static WorkerImpl start(ZmqWorkerSpec spec, WorkerHandler handler) {
        WorkerImpl w = new WorkerImpl(spec, handler);
        ResourceCache<String, ?> cache = spec.cache().orElse(null);
        java.util.function.Supplier<Set<String>> keys = cache == null ? Set::of : cache::keys;
        int i = 0;
        for (String endpoint : spec.endpoints()) {
            w.agents.add(new WorkerAgent(i++, spec, endpoint, w.context, SharedContext.loop(w.context), w.local, keys,
                    w.counters));
        }
        if (cache != null) {
            w.cacheWatch = cache.events().subscribe(w::onCacheEvent,
                    e -> log.warn("cache events of worker {} failed", spec.id(), e));
        }
        for (WorkerAgent a : w.agents) {
            a.runner().start();
        }
        return w;
    }

    private void onCacheEvent(CacheEvent e) {
        for (WorkerAgent a : agents) {
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
        for (WorkerAgent a : agents) {
            if (a.isRegistered()) {
                registered++;
            }
        }
        return new ZmqWorkerStats(registered, counters.registrations.sum(), counters.served.sum(),
                counters.cancelled.sum(), counters.malformed.sum(), counters.dropped.sum(),
                counters.undeliverable.sum());
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
        List<CompletableFuture<Void>> closed = new ArrayList<>();
        for (WorkerAgent a : agents) {
            a.stop();
            closed.add(a.runner().closed());
        }
        // the agents close on the I/O thread; closing the context blocks
        CompletableFuture.allOf(closed.toArray(new CompletableFuture<?>[0])).whenCompleteAsync((v, e) -> {
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
