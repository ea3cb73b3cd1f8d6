package dev.switchboard.transport.zmq;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
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
 * {@code .undeliverable} and {@code .unanswered.cancels} (each named after its field of
 * {@link ZmqGatewayStats}, which says what it counts).
 */
public final class ZmqGatewayMeters implements MeterBinder {

    private final ZmqGateway gateway;

    private ZmqGatewayMeters(ZmqGateway gateway) {
        this.gateway = gateway;
    }

    /**
     * A binder for {@code gateway}'s counters.
     *
     * @param gateway the gateway
     * @return a binder for {@code gateway}'s counters
     */
    public static ZmqGatewayMeters of(ZmqGateway gateway) {
        return new ZmqGatewayMeters(Objects.requireNonNull(gateway, "gateway"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("switchboard.gateway.workers", gateway, g -> g.stats().workers())
                .description("remote workers registered now").register(registry);
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
    }

    private void counter(MeterRegistry r, String name, String description, ToDoubleFunction<ZmqGatewayStats> f) {
        FunctionCounter.builder("switchboard.gateway." + name, gateway, g -> f.applyAsDouble(g.stats()))
                .description(description).register(r);
    }
}
