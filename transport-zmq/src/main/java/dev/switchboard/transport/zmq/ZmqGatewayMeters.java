package dev.switchboard.transport.zmq;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link ZmqGateway}'s counters ({@link ZmqGatewayStats}) to a Micrometer registry, next
 * to the relay's ({@code dev.switchboard.core.metrics.MicrometerBinder}). Micrometer is an
 * optional dependency of this module: only an application that has it uses this class.
 *
 * <p>Gauge {@code switchboard.gateway.workers}; counters {@code switchboard.gateway.registrations},
 * {@code .dead.workers}, {@code .refused}, {@code .malformed}, {@code .requests}, {@code .dropped},
 * {@code .undeliverable}, {@code .unanswered.cancels} and {@code .fenced.answers} (each named after its field of
 * {@link ZmqGatewayStats}, which says what it counts).
 */
public final class ZmqGatewayMeters implements MeterBinder {

    private final ZmqGateway gateway;
    private final Tags tags;

    private ZmqGatewayMeters(ZmqGateway gateway, Tags tags) {
        this.gateway = gateway;
        this.tags = tags;
    }

    /**
     * A builder of a binder for {@code gateway}'s counters, with no tags.
     *
     * @param gateway the gateway whose counters to export
     * @return a builder of a binder
     */
    public static Builder builder(ZmqGateway gateway) {
        return new Builder(gateway);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("switchboard.gateway.workers", gateway, g -> g.stats().workers())
                .description("remote workers registered now").tags(tags).register(registry);
        counter(registry, "registrations", "registrations accepted", ZmqGatewayStats::registrations);
        counter(registry, "dead.workers", "workers dropped for missed heartbeats or an unreachable socket",
                ZmqGatewayStats::deadWorkers);
        counter(registry, "refused", "registrations and CURVE handshakes refused", ZmqGatewayStats::refused);
        counter(registry, "malformed", "messages dropped for not following the protocol", ZmqGatewayStats::malformed);
        counter(registry, "requests", "requests sent to workers", ZmqGatewayStats::requests);
        counter(registry, "dropped", "commands the agent's full queue refused", ZmqGatewayStats::dropped);
        counter(registry, "undeliverable", "requests ended with an error because a credit could not be sent",
                ZmqGatewayStats::undeliverable);
        counter(registry, "unanswered.cancels", "cancels whose worker did not answer within the cancel wait",
                ZmqGatewayStats::unansweredCancels);
        counter(registry, "fenced.answers", "answers of a registration the gateway had given up, dropped",
                ZmqGatewayStats::fencedAnswers);
        counter(registry, "late.answers", "answers that came after the cancel wait, dropped, their credit settled",
                ZmqGatewayStats::lateAnswers);
    }

    private void counter(MeterRegistry r, String name, String description, ToDoubleFunction<ZmqGatewayStats> f) {
        FunctionCounter.builder("switchboard.gateway." + name, gateway, g -> f.applyAsDouble(g.stats()))
                .description(description).tags(tags).register(r);
    }

    /** Builds a {@link ZmqGatewayMeters}: {@code ZmqGatewayMeters.builder(gateway).build()}. Not thread-safe. */
    public static final class Builder {
        private final ZmqGateway gateway;
        private Tags tags = Tags.empty();

        private Builder(ZmqGateway gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
        }

        /**
         * A tag on every meter, e.g. {@code tag("gateway", "tiles")}: needed to bind two gateways
         * to one registry, which would otherwise share one set of meters.
         *
         * @param key the tag's name
         * @param value the tag's value
         * @return this builder
         */
        public Builder tag(String key, String value) {
            this.tags = tags.and(key, value);
            return this;
        }

        /**
         * The binder; bind it with {@link ZmqGatewayMeters#bindTo}.
         *
         * @return a binder, to bind to a registry
         */
        public ZmqGatewayMeters build() {
            return new ZmqGatewayMeters(gateway, tags);
        }
    }
}
