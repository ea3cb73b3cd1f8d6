package dev.switchboard.transport.zmq;

import dev.switchboard.core.worker.ResourceCache;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/** The immutable {@link ZmqWorkerSpec}. */
record ZmqWorkerSpecImpl(List<String> endpoints, List<GatewayName> gatewayNames, GatewayResolver resolver,
                         String id, int capacity, Duration heartbeatInterval, int liveness,
                         long maxMessageBytes, int commandQueueCapacity, @Nullable ResourceCache<String, ?> theCache,
                         @Nullable Scheduler scheduler, @Nullable String serverKey, @Nullable CurveKeyPair keys)
        implements ZmqWorkerSpec {

    @Override
    public Optional<ResourceCache<String, ?>> cache() {
        return Optional.ofNullable(theCache);
    }

    @Override
    public Optional<Scheduler> handlerScheduler() {
        return Optional.ofNullable(scheduler);
    }

    @Override
    public Optional<String> curveServerKey() {
        return Optional.ofNullable(serverKey);
    }

    @Override
    public Optional<CurveKeyPair> curveKeys() {
        return Optional.ofNullable(keys);
    }
}
