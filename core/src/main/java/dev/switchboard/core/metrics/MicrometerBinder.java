package dev.switchboard.core.metrics;

import dev.switchboard.core.ErrorCode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

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
 */
public final class MicrometerBinder implements MeterBinder {

    private final RelayMetrics metrics;

    private MicrometerBinder(RelayMetrics metrics) {
        this.metrics = metrics;
    }

    /** A binder for {@code metrics}. */
    public static MicrometerBinder of(RelayMetrics metrics) {
        return new MicrometerBinder(Objects.requireNonNull(metrics, "metrics"));
    }

    /** Whether Micrometer is on the class path. */
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
        for (ErrorCode code : ErrorCode.values()) {
            FunctionCounter.builder("switchboard.errors", metrics,
                            m -> m.snapshot().errors().getOrDefault(code.wireName(), 0L))
                    .description("error responses by code")
                    .tag("code", code.wireName())
                    .register(registry);
        }
    }

    private void gauge(MeterRegistry r, String name, String description, ToDoubleFunction<MetricsSnapshot> f) {
        Gauge.builder(name, metrics, m -> f.applyAsDouble(m.snapshot())).description(description).register(r);
    }

    private void counter(MeterRegistry r, String name, String description, ToDoubleFunction<MetricsSnapshot> f) {
        FunctionCounter.builder(name, metrics, m -> f.applyAsDouble(m.snapshot())).description(description)
                .register(r);
    }
}
