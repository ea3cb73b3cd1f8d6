package dev.switchboard.transport.zmq;

import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.test.Await;
import dev.switchboard.core.test.WorkerLinkContract;
import dev.switchboard.core.transport.WorkerLink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The worker-link contract against a remote worker: a {@link ZmqGateway} and a {@link ZmqWorker}
 * in this JVM, over TCP on 127.0.0.1; for the two-relay case one worker connected to two gateways.
 */
class ZmqWorkerContractTest extends WorkerLinkContract {

    private static final Duration HEARTBEAT = Duration.ofMillis(200);

    private Membership gateway(List<String> endpoints) {
        Membership membership = Membership.create();
        ZmqGateway gateway = ZmqGateway.builder(membership)
                .spec(ZmqGatewaySpec.builder().heartbeatInterval(HEARTBEAT).build())
                .bindNow();
        onTearDown(() -> {
            gateway.dispose();
            gateway.onDispose().block(WAIT);
        });
        endpoints.add(gateway.endpoint());
        return membership;
    }

    private List<WorkerLink> startOn(int gateways, int capacity) {
        List<String> endpoints = new ArrayList<>();
        List<Membership> memberships = new ArrayList<>();
        for (int i = 0; i < gateways; i++) {
            memberships.add(gateway(endpoints));
        }
        ZmqWorkerSpec.Builder spec = ZmqWorkerSpec.builder().id("remote").capacity(capacity).heartbeatInterval(HEARTBEAT);
        endpoints.forEach(spec::connect);
        ZmqWorker worker = ZmqWorker.builder(handler).spec(spec.build()).build();
        onTearDown(() -> {
            worker.dispose();
            worker.onDispose().block(WAIT);
        });
        List<WorkerLink> links = new ArrayList<>();
        for (Membership m : memberships) {
            Await.until(WAIT, () -> m.members().size() == 1, "the worker registered with every gateway");
            links.add(m.members().get(0));
        }
        return links;
    }

    @Override
    protected WorkerLink start(int capacity) {
        return startOn(1, capacity).get(0);
    }

    @Override
    protected List<WorkerLink> startOnTwoRelays(int capacity) {
        return startOn(2, capacity);
    }
}
