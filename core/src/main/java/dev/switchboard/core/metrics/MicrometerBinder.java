package dev.switchboard.core.metrics;

import dev.switchboard.core.ErrorCode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import reactor.core.Disposable;

/**
 * Binds a relay's metrics to a Micrometer registry, as meters named {@code switchboard.*}.
 * Micrometer is an optional dependency of core: only an application that has it on its class
 * path can use this class ({@link #isMicrometerPresent()} tells), and nothing else in core
 * refers to it.
 *
 * <p>Gauges: {@code switchboard.sessions}, {@code switchboard.in.flight},
 * {@code switchboard.queued.responses}, {@code switchboard.waiting},
 * {@code switchboard.affinity.hit.ratio}. Counters: {@code switchboard.requests},
 * {@code switchboard.frames}, {@code switchboard.routed}, {@code switchboard.affinity.hits},
 * {@code switchboard.slow.consumers.closed}, {@code switchboard.errors} (tag {@code code}).
 * Gauge {@code switchboard.ready}: 1 when {@link RelayMetrics#readiness()} says ready, else 0.
 *
 * <p>Timers, each with a percentile histogram (Prometheus {@code _bucket} series) from
 * {@value #MIN_EXPECTED_US} µs to {@value #MAX_EXPECTED_S} s: {@code switchboard.request.wait}
 * (admission to a worker's credit), {@code switchboard.worker.service} (credit to end, tags
 * {@code worker} and {@code outcome} = {@code completed} or {@code failed}; at most
 * {@value #MAX_WORKER_TAGS} worker ids get a tag of their own, later ones share
 * {@code worker="other"}, so that workers coming and going cannot grow the registry without
 * bound), {@code switchboard.request.first} (a request read to its first frame handed to the
 * client) and {@code switchboard.request.duration} (to its last). {@link #close()} stops the
 * timers' recording.
 */
public final class MicrometerBinder implements MeterBinder, AutoCloseable {

    /** Distinct worker ids that get a {@code worker} tag of their own on the service timer. */
    public static final int MAX_WORKER_TAGS = 64;
    /** The histograms' lowest bucket, in microseconds. */
    public static final long MIN_EXPECTED_US = 100;
    /** The histograms' highest bucket, in seconds. */
    public static final long MAX_EXPECTED_S = 60;

    private final RelayMetrics metrics;
    private final int maxWorkerTags;
    private final List<Disposable> listening = new CopyOnWriteArrayList<>();

    private MicrometerBinder(RelayMetrics metrics, int maxWorkerTags) {
        this.metrics = metrics;
        this.maxWorkerTags = maxWorkerTags;
    }

    /**
     * A builder of a binder for {@code metrics}, with at most {@value #MAX_WORKER_TAGS} worker tags.
     *
     * @param metrics the relay's metrics, {@code relay.metrics()}
     * @return a builder of a binder for {@code metrics}
     */
    public static Builder builder(RelayMetrics metrics) {
        return new Builder(metrics);
    }

    /**
     * Whether Micrometer is on the class path.
     *
     * @return whether Micrometer is on the class path
     */
    public static boolean isMicrometerPresent() {
        try {
            Class.forName("io.micrometer.core.instrument.MeterRegistry", false,
                    MicrometerBinder.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "switchboard.sessions", "open client sessions", s -> s.sessions());
        gauge(registry, "switchboard.in.flight", "requests read and not yet fully answered", s -> s.inFlight());
        gauge(registry, "switchboard.queued.responses", "response frames waiting for clients",
                s -> s.queuedResponses());
        gauge(registry, "switchboard.waiting", "requests waiting for a worker credit", s -> s.waiting());
        gauge(registry, "switchboard.affinity.hit.ratio", "routed requests that went to a worker holding their key",
                MetricsSnapshot::affinityHitRatio);
        counter(registry, "switchboard.requests", "requests read", s -> s.requests());
        counter(registry, "switchboard.frames", "response frames sent", s -> s.frames());
        counter(registry, "switchboard.routed", "requests given to workers", s -> s.routed());
        counter(registry, "switchboard.affinity.hits", "requests given to a worker holding their key",
                s -> s.affinityHits());
        counter(registry, "switchboard.slow.consumers.closed", "sessions closed for not reading",
                s -> s.slowConsumersClosed());
        Gauge.builder("switchboard.ready", metrics, m -> m.readiness().ready() ? 1 : 0)
                .description("1 when the relay can take traffic (a live worker, room to wait), else 0")
                .register(registry);
        listening.add(metrics.timings(new Timers(registry, maxWorkerTags)));
        for (ErrorCode code : ErrorCode.values()) {
            FunctionCounter.builder("switchboard.errors", metrics,
                            m -> m.snapshot().errors().getOrDefault(code.wireName(), 0L))
                    .description("error responses by code")
                    .tag("code", code.wireName())
                    .register(registry);
        }
    }

    /** Stops recording into the timers of every registry this binder was bound to. */
    @Override
    public void close() {
        listening.forEach(Disposable::dispose);
        listening.clear();
    }

    private static Timer timer(MeterRegistry r, String name, String description, String... tags) {
        return Timer.builder(name).description(description).tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(MIN_EXPECTED_US * 1000))
                .maximumExpectedValue(Duration.ofSeconds(MAX_EXPECTED_S))
                .register(r);
    }

    /** Records the relay's and router's timings into one registry's timers. */
    private static final class Timers implements TimingListener {
        private static final String SERVICE = "switchboard.worker.service";
        private static final String SERVICE_HELP = "a worker's time from a request's credit to its end";

        private final MeterRegistry registry;
        private final Timer waited;
        private final Timer first;
        private final Timer duration;
        private final ConcurrentHashMap<String, Timer[]> byWorker = new ConcurrentHashMap<>();
        private final Timer[] other;
        private final int maxWorkerTags;

        Timers(MeterRegistry registry, int maxWorkerTags) {
            this.registry = registry;
            this.maxWorkerTags = maxWorkerTags;
            this.waited = timer(registry, "switchboard.request.wait", "a request's wait for a worker's credit");
            this.first = timer(registry, "switchboard.request.first", "a request read to its first frame out");
            this.duration = timer(registry, "switchboard.request.duration", "a request read to its last frame out");
            this.other = serviceTimers("other");
        }

        private Timer[] serviceTimers(String worker) {
            return new Timer[] {
                timer(registry, SERVICE, SERVICE_HELP, "worker", worker, "outcome", "completed"),
                timer(registry, SERVICE, SERVICE_HELP, "worker", worker, "outcome", "failed")};
        }

        @Override
        public void waited(long nanos) {
            waited.record(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void served(String workerId, long nanos, boolean completed) {
            Timer[] t = byWorker.get(workerId);
            if (t == null) {
                t = tagged(workerId);
            }
            t[completed ? 0 : 1].record(nanos, TimeUnit.NANOSECONDS);
        }

        private synchronized Timer[] tagged(String workerId) {
            Timer[] t = byWorker.get(workerId);
            if (t == null) {
                if (byWorker.size() >= maxWorkerTags) {
                    return other;
                }
                t = serviceTimers(workerId);
                byWorker.put(workerId, t);
            }
            return t;
        }

        @Override
        public void answered(long firstNanos, long lastNanos) {
            first.record(firstNanos, TimeUnit.NANOSECONDS);
            duration.record(lastNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void gauge(MeterRegistry r, String name, String description, ToDoubleFunction<MetricsSnapshot> f) {
        Gauge.builder(name, metrics, m -> f.applyAsDouble(m.snapshot())).description(description).register(r);
    }

    private void counter(MeterRegistry r, String name, String description, ToDoubleFunction<MetricsSnapshot> f) {
        FunctionCounter.builder(name, metrics, m -> f.applyAsDouble(m.snapshot())).description(description)
                .register(r);
    }

    /**
     * Builds a {@link MicrometerBinder}: {@code MicrometerBinder.builder(relay.metrics()).build()}.
     * Not thread-safe.
     */
    public static final class Builder {
        private final RelayMetrics metrics;
        private int maxWorkerTags = MAX_WORKER_TAGS;

        private Builder(RelayMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
        }

        /**
         * Distinct worker ids that get a {@code worker} tag of their own on the service timer; later
         * ones share the tag {@code other}. Strictly positive; default {@value #MAX_WORKER_TAGS}.
         *
         * @param maxWorkerTags distinct worker ids with a tag of their own, at least 1
         * @return this builder
         */
        public Builder maxWorkerTags(int maxWorkerTags) {
            if (maxWorkerTags < 1) {
                throw new IllegalArgumentException("maxWorkerTags must be strictly positive, was " + maxWorkerTags);
            }
            this.maxWorkerTags = maxWorkerTags;
            return this;
        }

        /**
         * The binder; bind it with {@link MicrometerBinder#bindTo}.
         *
         * @return a binder, to bind to one or more registries
         */
        public MicrometerBinder build() {
            return new MicrometerBinder(metrics, maxWorkerTags);
        }
    }
}
