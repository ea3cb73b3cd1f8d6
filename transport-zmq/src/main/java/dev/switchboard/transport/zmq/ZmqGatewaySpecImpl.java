package dev.switchboard.transport.zmq;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The immutable {@link ZmqGatewaySpec}. */
record ZmqGatewaySpecImpl(String endpoint, Duration heartbeatInterval, int liveness, int responseWindow,
                          int maxWorkers, long maxMessageBytes, int commandQueueCapacity, Duration cancelWait,
                          @Nullable CurveKeyPair curve, Set<String> allowedWorkerKeys,
                          boolean allowUnauthenticated) implements ZmqGatewaySpec {

    @Override
    public Optional<CurveKeyPair> curveKeys() {
        return Optional.ofNullable(curve);
    }
}
