package dev.switchboard.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;

/**
 * Random multipart messages into a live gateway, from a peer that registered as a worker and
 * from one that did not: random frames, the protocol's signature and types followed by random
 * bodies, and valid messages with one frame changed or dropped. No error escapes, the fuzzing
 * peer never takes a real worker's place, and a request through the gateway is answered after
 * every batch.
 */
class GatewayMultipartFuzzTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Queue<Throwable> DROPPED = new ConcurrentLinkedQueue<>();
    private static @Nullable ZmqGateway gateway;
    private static @Nullable ZmqWorker worker;
    private static final Membership MEMBERSHIP = Membership.create();
    private static final Router ROUTER = Router.builder().membership(MEMBERSHIP).build();
    private static long ids;

    @BeforeContainer
    static void start() {
        Hooks.onErrorDropped(DROPPED::add);
        gateway = ZmqGateway.bindNow(ZmqGatewaySpec.builder().endpoint("tcp://127.0.0.1:*")
                .heartbeatInterval(Duration.ofMillis(200)).build(), MEMBERSHIP);
        worker = ZmqWorker.start(ZmqWorkerSpec.builder().id("echo").capacity(4).connect(gateway.endpoint())
                .heartbeatInterval(Duration.ofMillis(200)).build(), (req, ctx) -> Flux.just(req.payload()));
        Await.until(WAIT, "the echo worker registered", () -> gateway.workerIds().contains("echo"));
    }

    @AfterContainer
    static void stop() {
        Hooks.resetOnErrorDropped();
        if (worker != null) {
            worker.dispose();
        }
        if (gateway != null) {
            gateway.dispose();
            gateway.onDispose().block(WAIT);
        }
        ROUTER.dispose();
    }

    @AfterProperty
    void nothingDropped() {
        assertTrue(DROPPED.isEmpty(), "errors dropped: " + DROPPED);
    }

    @Property(tries = 200)
    void randomMultipartMessagesLeaveTheGatewayServing(@ForAll("batches") List<List<byte[]>> batch,
                                                       @ForAll boolean registerFirst) {
        try (RawPeer fuzzer = new RawPeer(gateway.endpoint())) {
            if (registerFirst) {
                fuzzer.register("fuzzer", 1, 200);
                Await.until(WAIT, "the fuzzer registered", () -> gateway.workerIds().contains("fuzzer"));
            }
            for (List<byte[]> message : batch) {
                fuzzer.sendFrames(message.toArray(new byte[0][]));
            }
            fuzzer.send(7);
        }
        Await.until(WAIT, "the fuzzer gone", () -> !gateway.workerIds().contains("fuzzer")
                && gateway.workerIds().contains("echo"));
        long id = ++ids;
        // the echo worker's key: a request routed to the fuzzer (if it still counted) would fail
        Request request = Request.builder().id(RequestId.of(id)).key("k").payload(Payload.json(Long.toString(id)))
                .idempotent(true).build();
        List<Payload> answer = ROUTER.route(request).collectList().block(WAIT);
        assertEquals(List.of(Long.toString(id)), answer.stream().map(Payload::utf8).toList());
    }

    @Provide
    Arbitrary<List<List<byte[]>>> batches() {
        Arbitrary<byte[]> anyFrame = Arbitraries.bytes().array(byte[].class).ofMaxSize(48);
        Arbitrary<List<byte[]>> random = anyFrame.list().ofMinSize(0).ofMaxSize(8);
        Arbitrary<List<byte[]>> typed = Combinators.combine(Arbitraries.integers().between(0, 12),
                        anyFrame.list().ofMaxSize(7))
                .as((type, body) -> {
                    List<byte[]> m = new java.util.ArrayList<>();
                    m.add(RawPeer.SIG);
                    m.add(RawPeer.u8(type));
                    m.addAll(body);
                    return m;
                });
        Arbitrary<List<byte[]>> mutated = Combinators.combine(Arbitraries.of(validMessages()),
                        Arbitraries.integers().between(0, 10), anyFrame, Arbitraries.of(true, false))
                .as((valid, at, replacement, drop) -> {
                    List<byte[]> m = new java.util.ArrayList<>(valid);
                    int i = at % m.size();
                    if (drop && m.size() > 1) {
                        m.remove(i);
                    } else {
                        m.set(i, replacement);
                    }
                    return m;
                });
        return Arbitraries.oneOf(List.of(random, typed, mutated)).list().ofMinSize(1).ofMaxSize(20);
    }

    private static List<List<byte[]>> validMessages() {
        byte[] sig = RawPeer.SIG;
        return List.of(
                List.of(sig, RawPeer.u8(1), RawPeer.text("fuzzer"), RawPeer.u32(1), RawPeer.u32(200)),
                List.of(sig, RawPeer.u8(3), new byte[8], RawPeer.u8(0), RawPeer.text("{}")),
                List.of(sig, RawPeer.u8(4), RawPeer.u32(1)),
                List.of(sig, RawPeer.u8(5), RawPeer.u32(1)),
                List.of(sig, RawPeer.u8(6), RawPeer.u8(1), RawPeer.text("k")),
                List.of(sig, RawPeer.u8(7)));
    }
}
