package dev.switchboard.transport.zmq;

import dev.switchboard.core.test.Await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class ZmqCurveTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final CurveKeyPair serverKeys = CurveKeyPair.generate();
    private final CurveKeyPair allowedKeys = CurveKeyPair.generate();
    private final CurveKeyPair strangerKeys = CurveKeyPair.generate();
    private final Membership membership = Membership.create();
    private final Router router = Router.builder().membership(membership).build();
    private ZmqGateway gateway;
    private ZmqWorker worker;
    private RawPeer stranger;

    @AfterEach
    void tearDown() {
        if (stranger != null) {
            stranger.close();
        }
        if (worker != null) {
            worker.dispose();
        }
        if (gateway != null) {
            gateway.dispose();
            gateway.onDispose().block(WAIT);
        }
        router.dispose();
    }

    private void bindCurveGateway() {
        gateway = ZmqGateway.builder(membership).spec(ZmqGatewaySpec.builder()
                .curve(serverKeys)
                .allowWorker(allowedKeys.publicKey())
                .heartbeatInterval(Duration.ofMillis(200))
                .build()).bindNow();
    }

    @Test
    void anAllowListedWorkerRegistersAndServesOverCurve() {
        bindCurveGateway();
        worker = ZmqWorker.builder((req, ctx) -> Flux.just(req.payload()))
                .spec(ZmqWorkerSpec.builder().id("trusted").connect(gateway.endpoint())
                .curve(serverKeys.publicKey(), allowedKeys).heartbeatInterval(Duration.ofMillis(200)).build()).build();
        Await.until(WAIT, () -> gateway.workerIds().contains("trusted"), "the trusted worker registered");
        StepVerifier.create(router.route(Request.builder().id(RequestId.of(1)).payload(Payload.json("\"secret\""))
                        .build()).map(Payload::utf8))
                .expectNext("\"secret\"").expectComplete().verify(WAIT);
        assertEquals(0, gateway.stats().refused());
    }

    @Test
    void aWorkerWhoseKeyIsNotAllowedIsRefusedAndGetsNoRequest() {
        bindCurveGateway();
        worker = ZmqWorker.builder((req, ctx) -> Flux.just(req.payload()))
                .spec(ZmqWorkerSpec.builder().id("trusted").connect(gateway.endpoint())
                .curve(serverKeys.publicKey(), allowedKeys).heartbeatInterval(Duration.ofMillis(200)).build()).build();
        Await.until(WAIT, () -> gateway.workerIds().contains("trusted"), "the trusted worker registered");

        stranger = new RawPeer(gateway.endpoint(), strangerKeys, serverKeys.publicKey());
        stranger.socket.setSendTimeOut(0);
        stranger.register("stranger", 8, 200);
        Await.until(WAIT, () -> gateway.stats().refused() >= 1, "the stranger's handshake refused");
        for (int i = 0; i < 20; i++) {
            StepVerifier.create(router.route(Request.builder().id(RequestId.of(i)).key("k" + i).build()))
                    .expectNextCount(1).expectComplete().verify(WAIT);
        }
        assertFalse(gateway.workerIds().contains("stranger"));
        assertEquals(1, membership.members().size());
        assertNull(stranger.receive(300), "the stranger received nothing");
    }

    @Test
    void curveWithoutAllowedWorkersOrAPlainNonLoopbackBindIsRefusedAtBuild() {
        assertThrows(IllegalStateException.class, () -> ZmqGatewaySpec.builder().curve(serverKeys).build());
        assertThrows(IllegalStateException.class,
                () -> ZmqGatewaySpec.builder().endpoint("tcp://192.0.2.1:5555").build());
        assertThrows(IllegalStateException.class,
                () -> ZmqGatewaySpec.builder().allowWorker(allowedKeys.publicKey()).build());
        ZmqGatewaySpec.builder().endpoint("tcp://192.0.2.1:5555").allowUnauthenticated(true).build();
    }
}
