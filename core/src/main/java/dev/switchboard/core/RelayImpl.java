package dev.switchboard.core;

import dev.switchboard.core.metrics.MetricsSnapshot;
import dev.switchboard.core.metrics.Readiness;
import dev.switchboard.core.metrics.RelayMetrics;
import dev.switchboard.core.metrics.TimingListener;
import dev.switchboard.core.metrics.TimingListeners;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RouterStats;
import dev.switchboard.core.transport.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** The relay: immutable configuration plus relay-wide counters. */
final class RelayImpl implements Relay, RelayMetrics {

    private static final AtomicLong SESSION_IDS = new AtomicLong();

    final Router router;
    final Codec codec;
    final Ordering ordering;
    final int maxInFlight;
    final int maxQueuedResponses;
    final Duration slowConsumerTimeout;
    final Duration requestTimeout;
    final @Nullable Scheduler timer;
    final @Nullable String sessionRoutingKey;

    final AtomicInteger sessions = new AtomicInteger();
    final LongAdder inFlight = new LongAdder();
    final LongAdder queued = new LongAdder();
    final LongAdder requests = new LongAdder();
    final LongAdder frames = new LongAdder();
    final LongAdder slowConsumersClosed = new LongAdder();
    final LongAdder[] errors = new LongAdder[ErrorCode.values().length];
    final TimingListeners timings = new TimingListeners();

    RelayImpl(Relay.Builder b) {
        this.router = java.util.Objects.requireNonNull(b.router);
        this.codec = b.codec;
        this.ordering = b.ordering;
        this.maxInFlight = b.maxInFlight;
        this.maxQueuedResponses = b.maxQueuedResponses;
        this.slowConsumerTimeout = b.slowConsumerTimeout;
        this.requestTimeout = b.requestTimeout;
        this.timer = b.timer;
        this.sessionRoutingKey = b.sessionRoutingKey;
        for (int i = 0; i < errors.length; i++) {
            errors[i] = new LongAdder();
        }
    }

    @Override
    public Mono<Void> serve(Connection connection) {
        return Mono.defer(() -> {
            Session session = Session.of("s" + Long.toHexString(SESSION_IDS.incrementAndGet()),
                    connection.principal().orElse(null), connection.attributes(), ordering,
                    maxInFlight, maxQueuedResponses);
            Scheduler t = timer != null ? timer : Schedulers.parallel();
            return new SessionPipeline(this, connection, session, t).start();
        });
    }

    @Override
    public RelayMetrics metrics() {
        return this;
    }

    @Override
    public Router router() {
        return router;
    }

    @Override
    public Readiness readiness() {
        RouterStats rs = router.stats();
        return Readiness.of(rs.liveWorkers(), rs.waiting(), rs.maxWaiting());
    }

    @Override
    public Disposable timings(TimingListener listener) {
        Disposable own = timings.add(listener);
        try {
            return Disposables.composite(own, router.timings(listener));
        } catch (RuntimeException e) {
            own.dispose();
            throw e;
        }
    }

    void countError(ErrorCode code) {
        errors[code.ordinal()].increment();
    }

    @Override
    public MetricsSnapshot snapshot() {
        RouterStats rs = router.stats();
        Map<String, Long> errs = new LinkedHashMap<>();
        for (ErrorCode c : ErrorCode.values()) {
            errs.put(c.wireName(), errors[c.ordinal()].sum());
        }
        return new MetricsSnapshot(sessions.get(), inFlight.sum(), queued.sum(), rs.waiting(), requests.sum(),
                frames.sum(), rs.routed(), rs.affinityHits(), errs, slowConsumersClosed.sum(), router.loads());
    }
}
