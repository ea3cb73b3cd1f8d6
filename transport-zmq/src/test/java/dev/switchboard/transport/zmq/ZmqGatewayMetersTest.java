package dev.switchboard.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.core.routing.Membership;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ZmqGatewayMetersTest {

    @Test
    void twoGatewaysTaggedApartKeepMetersOfTheirOwnInOneRegistry() {
        ZmqGateway a = ZmqGateway.builder(Membership.create()).bindNow();
        ZmqGateway b = ZmqGateway.builder(Membership.create()).bindNow();
        try {
            MeterRegistry registry = new SimpleMeterRegistry();
            ZmqGatewayMeters.builder(a).tag("gateway", "a").build().bindTo(registry);
            ZmqGatewayMeters.builder(b).tag("gateway", "b").build().bindTo(registry);
            assertEquals(2, registry.find("switchboard.gateway.workers").gauges().size());
            assertEquals(2, registry.find("switchboard.gateway.requests").functionCounters().size());
            assertEquals(0.0, registry.get("switchboard.gateway.workers").tag("gateway", "a").gauge().value());
        } finally {
            a.dispose();
            b.dispose();
            a.onDispose().block(Duration.ofSeconds(10));
            b.onDispose().block(Duration.ofSeconds(10));
        }
    }
}
