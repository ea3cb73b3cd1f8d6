package dev.switchboard.transport.zmq;

import dev.switchboard.core.test.Await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Payload;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RoutingStrategies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class ZmqFailureTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration HEARTBEAT = Duration.ofMillis(200);
    /** Liveness 3 × 200 ms, plus the one second the contract allows. */
    private static final Duration DEADLINE_PLUS_ONE = Duration.ofMillis(3 * 200 + 1000);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final Membership membership = Membership.create();
    private final Router router = Router.builder().membership(membership).strategy(RoutingStrategies.roundRobin()).build();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        router.dispose();
    }

    private ZmqGateway gateway(String endpoint, Membership m) {
        ZmqGateway g = ZmqGateway.builder(m)
                .spec(ZmqGatewaySpec.builder().endpoint(endpoint).heartbeatInterval(HEARTBEAT).build())
                .bindNow();
        toClose.add(() -> {
            g.dispose();
            g.onDispose().block(WAIT);
        });
        return g;
    }

    private ZmqWorker echoWorker(String id, String endpoint) {
        ZmqWorker w = ZmqWorker.builder((req, ctx) -> Flux.just(req.payload()))
                .spec(ZmqWorkerSpec.builder().id(id).capacity(4).connect(endpoint)
                .heartbeatInterval(HEARTBEAT).build()).build();
        toClose.add(w::dispose);
        return w;
    }

    private RawPeer peer(String endpoint) {
        RawPeer p = new RawPeer(endpoint);
        toClose.add(p);
        return p;
    }

    private static Request request(long id, boolean idempotent) {
        return Request.builder().id(RequestId.of(id)).key("k" + id).payload(Payload.json(Long.toString(id)))
                .idempotent(idempotent).build();
    }

    @Test
    void aWorkerThatStopsHeartbeatingFailsItsRequestWithinTheDeadline() {
        ZmqGateway gateway = gateway("tcp://127.0.0.1:*", membership);
        RawPeer silent = peer(gateway.endpoint());
        silent.register("silent", 1, 200);
        Await.until(WAIT, () -> gateway.workerIds().contains("silent"), "the silent worker registered");

        StepVerifier.create(router.route(request(1, false)))
                .then(() -> assertNotNull(silent.receiveType(2, 5000), "the worker got the request"))
                // the relay answers any error that is not a RelayException with worker_failed
                .expectErrorSatisfies(e -> {
                    assertTrue(!(e instanceof RelayException r) || r.code() == ErrorCode.WORKER_FAILED, e.toString());
                    assertTrue(e.getMessage().contains("silent"), e.getMessage());
                })
                .verify(DEADLINE_PLUS_ONE.plusSeconds(1));
        assertFalse(gateway.workerIds().contains("silent"));
        assertTrue(membership.members().isEmpty());
        assertEquals(1, gateway.stats().deadWorkers());
    }

    @Test
    void anIdempotentRequestOnADeadWorkerIsAnsweredByAnother() {
        ZmqGateway gateway = gateway("tcp://127.0.0.1:*", membership);
        RawPeer silent = peer(gateway.endpoint());
        silent.register("silent", 1, 200);
        Await.until(WAIT, () -> gateway.workerIds().contains("silent"), "the silent worker registered");
        echoWorker("alive", gateway.endpoint());
        Await.until(WAIT, () -> gateway.workerIds().contains("alive"), "the live worker registered");

        List<Payload> answers = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Disposable a = router.route(request(1, true)).subscribe(answers::add, errors::add);
        Disposable b = router.route(request(2, true)).subscribe(answers::add, errors::add);
        assertNotNull(silent.receiveType(2, 5000), "one request went to the silent worker");
        Await.until(DEADLINE_PLUS_ONE, () -> answers.size() == 2, "both answered");
        assertTrue(errors.isEmpty(), errors.toString());
        assertEquals(1, router.stats().retried());
        a.dispose();
        b.dispose();
    }

    @Test
    void workersServeAgainWithinTwoSecondsOfAGatewayRestart() {
        ZmqGateway first = gateway("tcp://127.0.0.1:*", membership);
        String endpoint = first.endpoint();
        echoWorker("w1", endpoint);
        echoWorker("w2", endpoint);
        Await.until(WAIT, () -> first.workerIds().size() == 2, "both workers registered");
        StepVerifier.create(router.route(request(1, true))).expectNextCount(1).expectComplete().verify(WAIT);

        first.dispose();
        first.onDispose().block(WAIT);
        assertTrue(membership.members().isEmpty(), "the closed gateway's workers left");

        Membership fresh = Membership.create();
        Router freshRouter = Router.builder().membership(fresh).strategy(RoutingStrategies.roundRobin()).build();
        toClose.add(freshRouter::dispose);
        ZmqGateway second = gateway(endpoint, fresh);
        Await.until(Duration.ofSeconds(2), () -> second.workerIds().size() == 2, "both workers registered again");
        StepVerifier.create(freshRouter.route(request(2, true)).map(Payload::utf8))
                .expectNext("2").expectComplete().verify(WAIT);
    }

    @Test
    void tenThousandMalformedMessagesAreDroppedAndCountedAndTheGatewayStillServes() {
        ZmqGateway gateway = gateway("tcp://127.0.0.1:*", membership);
        RawPeer fuzzer = peer(gateway.endpoint());
        fuzzer.register("fuzzer", 1, 200);
        Await.until(WAIT, () -> gateway.workerIds().contains("fuzzer"), "the fuzzer registered");
        java.util.Random random = new java.util.Random(42);
        int sent = 0;
        for (int i = 0; i < 10_000; i++) {
            fuzzer.sendFrames(malformed(random, i));
            sent++;
        }
        int expected = sent;
        Await.until(WAIT, () -> gateway.stats().malformed() == expected, "every malformed message counted");
        fuzzer.send(7);
        Await.until(WAIT, () -> !gateway.workerIds().contains("fuzzer"), "the fuzzer left");

        echoWorker("w1", gateway.endpoint());
        Await.until(WAIT, () -> gateway.workerIds().contains("w1"), "a real worker registered");
        StepVerifier.create(router.route(request(3, false)).map(Payload::utf8))
                .expectNext("3").expectComplete().verify(WAIT);
    }

    /** One message that breaks the protocol, of one of several kinds. */
    private static byte[][] malformed(java.util.Random random, int i) {
        switch (i % 13) {
            case 0: {
                byte[][] frames = new byte[1 + random.nextInt(6)][];
                for (int f = 0; f < frames.length; f++) {
                    frames[f] = new byte[random.nextInt(40)];
                    random.nextBytes(frames[f]);
                }
                frames[0] = new byte[] {'X', (byte) random.nextInt(256)};
                return frames;
            }
            case 1:
                return new byte[][] {RawPeer.env(9 + random.nextInt(200))};
            case 2:
                return new byte[][] {RawPeer.SIG};
            case 3:
                return new byte[][] {RawPeer.env(1), RawPeer.text("x"), new byte[3], RawPeer.u32(100)};
            case 4:
                return new byte[][] {RawPeer.env(1), RawPeer.text("x"), RawPeer.u32(0), RawPeer.u32(100)};
            case 5:
                return new byte[][] {RawPeer.env(1), new byte[] {(byte) 0xff, (byte) 0xfe}, RawPeer.u32(1),
                    RawPeer.u32(100)};
            case 6:
                // END for a tag that is not in flight
                return new byte[][] {concat(RawPeer.env(3), new byte[8], RawPeer.u8(2))};
            case 7:
                // an unknown status
                return new byte[][] {concat(RawPeer.env(3), new byte[8], RawPeer.u8(9))};
            case 8:
                return new byte[][] {RawPeer.env(6), RawPeer.u8(7), RawPeer.text("k")};
            case 9:
                return new byte[][] {RawPeer.env(4), new byte[2]};
            case 10:
                return new byte[][] {RawPeer.env(5), new byte[3]};
            case 11: {
                // a RESPONSE cut short at a random byte, or spread over two frames
                byte[] whole = concat(RawPeer.env(3), new byte[8], RawPeer.u8(3), new byte[] {0, 9});
                int cut = 4 + random.nextInt(whole.length - 4);
                return random.nextBoolean()
                        ? new byte[][] {java.util.Arrays.copyOf(whole, cut)}
                        : new byte[][] {java.util.Arrays.copyOf(whole, cut), java.util.Arrays.copyOfRange(whole, cut,
                            whole.length)};
            }
            default:
                // another protocol version
                return new byte[][] {new byte[] {'S', 'B', 1, 5}};
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
