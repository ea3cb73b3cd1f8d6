package dev.switchboard.transport.zmq;

import dev.switchboard.core.test.Await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Payload;
import dev.switchboard.core.Relay;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.worker.ResourceCache;
import dev.switchboard.core.worker.WorkerHandler;
import dev.switchboard.transport.zmq.internal.GatewayAgent;
import dev.switchboard.transport.zmq.internal.SharedContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class ZmqRoundTripTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<Disposable> toDispose = new ArrayList<>();
    private final Membership membership = Membership.create();
    private Router router;
    private ZmqGateway gateway;

    @AfterEach
    void tearDown() {
        for (int i = toDispose.size() - 1; i >= 0; i--) {
            toDispose.get(i).dispose();
        }
        if (gateway != null) {
            gateway.onDispose().block(WAIT);
        }
    }

    private void startGateway() {
        router = Router.builder().membership(membership).build();
        toDispose.add(router);
        gateway = ZmqGateway.builder(membership)
                .spec(ZmqGatewaySpec.builder().heartbeatInterval(Duration.ofMillis(200)).build())
                .bindNow();
        toDispose.add(gateway);
    }

    private ZmqWorker startWorker(String id, int capacity, WorkerHandler handler) {
        return startWorker(ZmqWorkerSpec.builder().id(id).capacity(capacity), handler);
    }

    private ZmqWorker startWorker(ZmqWorkerSpec.Builder spec, WorkerHandler handler) {
        ZmqWorker w = ZmqWorker.builder(handler)
                .spec(spec.connect(gateway.endpoint()).heartbeatInterval(Duration.ofMillis(200)).build())
                .build();
        toDispose.add(w);
        Await.until(WAIT, () -> gateway.workerIds().contains(w.id()), "worker " + w.id() + " registered");
        return w;
    }

    private static Request request(long id, String key, String json) {
        return Request.builder().id(RequestId.of(id)).key(key).payload(Payload.json(json)).build();
    }

    @Test
    void relayEchoesThroughTheGatewayToARemoteWorker() {
        startGateway();
        startWorker("w1", 4, (req, ctx) -> Flux.just(req.payload()));
        Relay relay = Relay.builder().router(router).build();
        LocalConnection c = LocalConnection.reading();
        toDispose.add(relay.serve(c).subscribe());
        c.sendText("{\"id\":1,\"key\":\"k\",\"body\":{\"x\":[1,2]}}");
        c.sendText("{\"id\":\"two\",\"key\":\"k\",\"body\":\"s\"}");
        Await.until(WAIT, () -> c.received().size() >= 2, "two responses");
        assertEquals(List.of("{\"id\":1,\"body\":{\"x\":[1,2]},\"end\":true}",
                        "{\"id\":\"two\",\"body\":\"s\",\"end\":true}"),
                c.received().stream().map(Payload::utf8).toList());
        assertTrue(gateway.endpoint().startsWith("tcp://127.0.0.1:"), gateway.endpoint());
    }

    @Test
    void aBurstLargerThanOnePackedMessageIsAnsweredWhole() {
        startGateway();
        // more requests at once than one REQUEST or RESPONSE frame packs: several full batches
        ZmqWorker worker = startWorker("w1", 1000, (req, ctx) -> Flux.just(req.payload()));
        int n = 3 * GatewayAgent.MAX_OUTBOX_RECORDS + 7;
        List<String> results = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < n; i++) {
            toDispose.add(router.route(request(i, "k" + (i % 10), Integer.toString(i))).map(Payload::utf8)
                    .subscribe(results::add));
        }
        Await.until(WAIT, () -> results.size() == n, "every request answered");
        assertEquals(java.util.stream.IntStream.range(0, n).mapToObj(Integer::toString).sorted().toList(),
                results.stream().sorted().toList());
        assertEquals(0, gateway.stats().malformed());
        assertEquals(0, worker.stats().malformed());
    }

    @Test
    void aStreamLongerThanTheWindowArrivesWholeAndInOrder() {
        startGateway();
        startWorker("w1", 2, (req, ctx) -> Flux.range(0, 100).map(i -> Payload.json(Integer.toString(i))));
        StepVerifier.create(router.route(request(1, "k", "null")).map(Payload::utf8), 1)
                .expectNext("0")
                .thenRequest(99)
                .expectNextCount(98)
                .expectNext("99")
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void aWorkerErrorReachesTheCallerWithItsCode() {
        startGateway();
        startWorker("w1", 2, (req, ctx) -> Flux.error(new RelayException(ErrorCode.BAD_REQUEST, "no such tile")));
        StepVerifier.create(router.route(request(1, "k", "null")))
                .expectErrorSatisfies(e -> {
                    assertEquals(ErrorCode.BAD_REQUEST, ((RelayException) e).code());
                    assertEquals("no such tile", e.getMessage());
                })
                .verify(WAIT);
    }

    @Test
    void cacheReportsAndServiceTimesOfARemoteWorkerReachTheRouter() {
        startGateway();
        ResourceCache<String, AutoCloseable> cache = ResourceCache.<String, AutoCloseable>builder(k -> () -> { })
                .maximumSize(2).build();
        toDispose.add(cache::close);
        startWorker(ZmqWorkerSpec.builder().id("w1").capacity(2).cache(cache),
                (req, ctx) -> Flux.just(cache.<Payload>apply(req.key(), r -> req.payload())));
        for (String key : List.of("a", "b", "c")) {
            StepVerifier.create(router.route(request(1, key, "1"))).expectNextCount(1).expectComplete().verify(WAIT);
        }
        Await.until(WAIT, () -> router.loads().get(0).cachedKeys() == 2, "two cached keys at the router");
        StepVerifier.create(router.route(request(2, "c", "1"))).expectNextCount(1).expectComplete().verify(WAIT);
        Await.until(WAIT, () -> router.stats().affinityHits() >= 1, "an affinity hit");
        Await.until(WAIT, () -> {
            var times = membership.members().get(0).serviceTimes();
            return times.hitNanos() > 0 && times.missNanos() > 0;
        }, "hit and miss times reported with the heartbeats");
    }

    @Test
    void aGatewayAndItsWorkersInOneProcessShareOneContextThatTheLastToGoCloses() {
        int before = SharedContext.users();
        startGateway();
        ZmqWorker w1 = startWorker("w1", 2, (req, ctx) -> Flux.just(req.payload()));
        ZmqWorker w2 = startWorker("w2", 2, (req, ctx) -> Flux.just(req.payload()));
        assertEquals(before + 3, SharedContext.users());
        StepVerifier.create(router.route(request(1, "k", "1")).map(Payload::utf8))
                .expectNext("1").expectComplete().verify(WAIT);

        // a CURVE gateway has a context of its own: its ZAP handler is bound per context
        ZmqGateway curve = ZmqGateway.builder(Membership.create())
                .spec(ZmqGatewaySpec.builder().curve(CurveKeyPair.generate())
                .allowWorker(CurveKeyPair.generate().publicKey()).build()).bindNow();
        assertEquals(before + 3, SharedContext.users());
        curve.dispose();
        curve.onDispose().block(WAIT);

        w1.dispose();
        w1.onDispose().block(WAIT);
        assertEquals(before + 2, SharedContext.users());
        gateway.dispose();
        gateway.onDispose().block(WAIT);
        w2.dispose();
        w2.onDispose().block(WAIT);
        assertEquals(before, SharedContext.users());
    }

    @Test
    void aGatewayThatCannotBindClosesWhatItOpenedAndGivesTheContextBack() {
        int before = SharedContext.users();
        ZmqGateway first = ZmqGateway.builder(Membership.create())
                
                .bindNow();
        assertEquals(before + 1, SharedContext.users());
        // the same endpoint again: the second bind fails on the I/O thread and leaves nothing behind
        assertThrows(RuntimeException.class, () -> ZmqGateway.builder(Membership.create())
                .spec(ZmqGatewaySpec.builder().endpoint(first.endpoint())
                .build()).bindNow());
        assertEquals(before + 1, SharedContext.users());
        first.dispose();
        first.onDispose().block(WAIT);
        assertEquals(before, SharedContext.users());
    }
}
