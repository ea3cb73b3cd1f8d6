package dev.switchboard.transport.zmq;

import dev.switchboard.core.test.Await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.transport.WorkerLink;
import dev.switchboard.transport.zmq.internal.Batch;
import dev.switchboard.transport.zmq.internal.DataRecord;
import dev.switchboard.transport.zmq.internal.Protocol;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
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
 * bodies, and valid protocol-3 messages with a frame changed or dropped or a byte changed, among
 * them RESPONSEs to a request the peer really holds. No error escapes, the fuzzing peer never
 * takes a real worker's place, its request in flight ends, and a request through the gateway is
 * answered after every batch.
 *
 * <p>Positive controls, so that the fuzzing reaches the parsers and not only the first check: in
 * every try that registers, the peer's READY registers it and a REQUEST it answers is answered;
 * and {@link #everyValidMessageIsAccepted} sends each valid message the mutations start from and
 * sees none counted malformed.
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
        gateway = ZmqGateway.builder(MEMBERSHIP).spec(ZmqGatewaySpec.builder().endpoint("tcp://127.0.0.1:*")
                .heartbeatInterval(Duration.ofMillis(200)).build()).bindNow();
        worker = ZmqWorker.builder((req, ctx) -> Flux.just(req.payload()))
                .spec(ZmqWorkerSpec.builder().id("echo").capacity(4).connect(gateway.endpoint())
                .heartbeatInterval(Duration.ofMillis(200)).build()).build();
        Await.until(WAIT, () -> gateway.workerIds().contains("echo"), "the echo worker registered");
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
    void randomMultipartMessagesLeaveTheGatewayServing(@ForAll("batches") List<Message> batch,
                                                       @ForAll boolean registerFirst) throws Exception {
        CompletableFuture<List<Payload>> inFlight = null;
        long tag = 1;
        try (RawPeer fuzzer = new RawPeer(gateway.endpoint())) {
            if (registerFirst) {
                WorkerLink link = registerFuzzer(fuzzer);
                answerOneRequest(fuzzer, link);
                // a second request stays in flight, for the fuzzed RESPONSEs to meet
                inFlight = link.exchange(request()).map(WorkerLink.Item::payload).collectList().toFuture();
                tag = requestTag(fuzzer);
            }
            for (Message m : batch) {
                fuzzer.sendFrames(m.frames(tag).toArray(new byte[0][]));
            }
            fuzzer.send(Protocol.DISCONNECT);
        }
        Await.until(WAIT, () -> !gateway.workerIds().contains("fuzzer")
                && gateway.workerIds().contains("echo"), "the fuzzer gone");
        if (inFlight != null) {
            // answered by a fuzzed RESPONSE or failed with the fuzzer's departure: either way it ends
            inFlight.handle((items, error) -> null).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        long id = ++ids;
        // the echo worker's key: a request routed to the fuzzer (if it still counted) would fail
        Request request = Request.builder().id(RequestId.of(id)).key("k").payload(Payload.json(Long.toString(id)))
                .idempotent(true).build();
        List<Payload> answer = ROUTER.route(request).collectList().block(WAIT);
        assertEquals(List.of(Long.toString(id)), answer.stream().map(Payload::utf8).toList());
    }

    /** The positive control of the mutations: each message they start from is taken as valid. */
    @Example
    void everyValidMessageIsAccepted() throws Exception {
        try (RawPeer fuzzer = new RawPeer(gateway.endpoint())) {
            WorkerLink link = registerFuzzer(fuzzer);
            CompletableFuture<List<Payload>> answered = link.exchange(request()).map(WorkerLink.Item::payload).collectList().toFuture();
            long tag = requestTag(fuzzer);
            long malformed = gateway.stats().malformed();
            List<List<byte[]>> valid = validMessages(tag);
            for (List<byte[]> m : valid.subList(0, valid.size() - FINAL_MESSAGES)) {
                fuzzer.sendFrames(m.toArray(new byte[0][]));
            }
            // the first RESPONSE (an item) and the second (the last item) answer the request
            fuzzer.sendFrames(valid.get(valid.size() - FINAL_MESSAGES).toArray(new byte[0][]));
            fuzzer.sendFrames(valid.get(valid.size() - FINAL_MESSAGES + 1).toArray(new byte[0][]));
            assertEquals(List.of("1", "2"), answered.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).stream()
                    .map(Payload::utf8).toList());
            Await.until(WAIT, () -> link.cacheEvents().take(Duration.ofMillis(50))
                    .any(e -> e.key().equals("k-fuzz")).blockOptional().orElse(false), "the cached key reported");
            assertEquals(malformed, gateway.stats().malformed(), "valid messages counted malformed");
            fuzzer.send(Protocol.DISCONNECT);
        }
        Await.until(WAIT, () -> !gateway.workerIds().contains("fuzzer"), "the fuzzer gone");
    }

    /** A valid READY (and CREDIT) registers the peer; returns it as the gateway's members show it. */
    private static WorkerLink registerFuzzer(RawPeer fuzzer) {
        fuzzer.register("fuzzer", 2, 200);
        Await.until(WAIT, () -> gateway.workerIds().contains("fuzzer"), "the fuzzer registered");
        WorkerLink link = MEMBERSHIP.members().stream().filter(w -> w.id().equals("fuzzer")).findFirst().orElse(null);
        assertNotNull(link, "the fuzzer is a member");
        return link;
    }

    /** A REQUEST reaches the peer, and the RESPONSE it sends is what the router's caller gets. */
    private static void answerOneRequest(RawPeer fuzzer, WorkerLink link) throws Exception {
        CompletableFuture<List<Payload>> answered = link.exchange(request()).map(WorkerLink.Item::payload).collectList().toFuture();
        long tag = requestTag(fuzzer);
        fuzzer.sendFrames(response(new DataRecord(tag, Protocol.DATA_END, Payload.json("\"answered\""))));
        assertEquals(List.of("\"answered\""), answered.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).stream()
                .map(Payload::utf8).toList());
    }

    private static Request request() {
        long id = ++ids;
        return Request.builder().id(RequestId.of(id)).key("f").payload(Payload.json(Long.toString(id))).build();
    }

    /** The tag of the next REQUEST the peer receives: its first record's, after the envelope and length. */
    private static long requestTag(RawPeer fuzzer) {
        List<byte[]> m = fuzzer.receiveType(Protocol.REQUEST, (int) WAIT.toMillis());
        assertNotNull(m, "a REQUEST reached the fuzzer");
        return ByteBuffer.wrap(m.get(0), Protocol.ENVELOPE + 4, 8).getLong();
    }

    private static byte[] response(DataRecord record) {
        Batch batch = new Batch(Protocol.RESPONSE);
        batch.add(record);
        return batch.take();
    }

    /** How many messages at the end of {@link #validMessages} answer the request (RESPONSEs). */
    private static final int FINAL_MESSAGES = 4;

    /** Valid protocol-3 messages of a registered worker "fuzzer", whose request {@code tag} is in flight. */
    static List<List<byte[]>> validMessages(long tag) {
        byte[] hello = Protocol.envelope(Protocol.READY);
        Batch end = new Batch(Protocol.RESPONSE);
        end.add(Protocol.responseEnd(tag));
        Batch error = new Batch(Protocol.RESPONSE);
        error.add(Protocol.responseError(tag, "bad_request", "no such tile"));
        return List.of(
                List.of(hello, RawPeer.text("fuzzer"), RawPeer.u32(2), RawPeer.u32(200)),
                List.of(Protocol.envelope(Protocol.CREDIT), RawPeer.u32(1)),
                List.of(Protocol.envelope(Protocol.HEARTBEAT)),
                List.of(Protocol.envelope(Protocol.HEARTBEAT), Protocol.u64(1_000), Protocol.u64(9_000)),
                List.of(Protocol.envelope(Protocol.CACHE), RawPeer.u8(Protocol.EVICTED), RawPeer.text("k-gone")),
                List.of(Protocol.envelope(Protocol.CACHE), RawPeer.u8(Protocol.CACHED), RawPeer.text("k-fuzz")),
                // FINAL_MESSAGES: they answer the request
                List.of(response(new DataRecord(tag, Protocol.DATA, Payload.json("1")))),
                List.of(response(new DataRecord(tag, Protocol.DATA_END, Payload.json("2")))),
                List.of(end.take()),
                List.of(error.take()));
    }

    /** One message of a batch; {@code tag} is the peer's request in flight, if any. */
    interface Message {
        List<byte[]> frames(long tag);
    }

    /** Frames as generated. */
    record Raw(List<byte[]> frames) implements Message {
        @Override
        public List<byte[]> frames(long tag) {
            return frames;
        }
    }

    /**
     * A valid message changed: frame {@code at} replaced or dropped, or one of its bytes
     * changed ({@code xor}) or the frame cut there.
     */
    record Mutated(int which, int at, int mode, byte[] replacement, int position, int xor) implements Message {
        @Override
        public List<byte[]> frames(long tag) {
            List<List<byte[]>> valid = validMessages(tag);
            List<byte[]> m = new ArrayList<>(valid.get(which % valid.size()));
            int i = at % m.size();
            byte[] f = m.get(i);
            switch (mode) {
                case 0 -> m.set(i, replacement);
                case 1 -> {
                    if (m.size() > 1) {
                        m.remove(i);
                    } else {
                        m.set(i, replacement);
                    }
                }
                case 2 -> {
                    byte[] g = f.clone();
                    if (g.length > 0) {
                        g[position % g.length] ^= (byte) Math.max(1, xor);
                    }
                    m.set(i, g);
                }
                default -> m.set(i, java.util.Arrays.copyOf(f, f.length == 0 ? 0 : position % f.length));
            }
            return m;
        }
    }

    @Provide
    Arbitrary<List<Message>> batches() {
        Arbitrary<byte[]> anyFrame = Arbitraries.bytes().array(byte[].class).ofMaxSize(48);
        Arbitrary<Message> random = anyFrame.list().ofMinSize(0).ofMaxSize(8).map(Raw::new);
        Arbitrary<Message> typed = Combinators.combine(Arbitraries.integers().between(0, 12),
                        anyFrame.list().ofMaxSize(7))
                .as((type, body) -> {
                    List<byte[]> m = new ArrayList<>();
                    m.add(RawPeer.env(type));
                    m.addAll(body);
                    return new Raw(m);
                });
        Arbitrary<Message> mutated = Combinators.combine(Arbitraries.integers().between(0, 63),
                        Arbitraries.integers().between(0, 10), Arbitraries.integers().between(0, 3), anyFrame,
                        Arbitraries.integers().between(0, 1 << 16), Arbitraries.integers().between(0, 255))
                .as(Mutated::new);
        return Arbitraries.oneOf(List.of(random, typed, mutated)).list().ofMinSize(1).ofMaxSize(20);
    }
}
