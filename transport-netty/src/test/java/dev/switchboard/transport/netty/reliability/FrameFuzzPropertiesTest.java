package dev.switchboard.transport.netty.reliability;

import dev.switchboard.core.test.Await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.transport.netty.NettyLeakCheck;
import dev.switchboard.transport.netty.WebSocketRelayServer;
import dev.switchboard.transport.netty.WebSocketRelaySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
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
import reactor.core.publisher.Hooks;
import reactor.netty.http.client.HttpClient;

/**
 * Random and mutated frames through a live server: bad JSON, wrong types, huge ids, deep
 * nesting, invalid UTF-8, binary garbage, reserved opcodes, frames over the limit. Whatever a
 * batch does to its own connection (an error answer, close 1007, 1008 or 1009), no error
 * escapes to Reactor's dropped-error hook, no buffer leaks, the session ends when the client
 * goes, and a normal request on a new connection is answered after every batch.
 *
 * <p>jqwik runs these, not Jupiter, so the leak check is called here rather than as an extension.
 */
class FrameFuzzPropertiesTest {

    static final int MAX_PAYLOAD = 4 * 1024;
    private static final Queue<Throwable> DROPPED = new ConcurrentLinkedQueue<>();
    private static @Nullable WebSocketRelayServer server;
    private static @Nullable Relay relay;
    private static final HttpClient HTTP = HttpClient.newConnection().runOn(Fixtures.CLIENT_LOOPS);

    /** One frame a client sends: an opcode, a payload, and what it is meant to be. */
    record Fuzz(String kind, int opcode, byte[] payload) {
        @Override
        public String toString() {
            String hex = HexFormat.of().formatHex(payload, 0, Math.min(payload.length, 48));
            return kind + "/op" + opcode + "/" + payload.length + "B:" + hex;
        }
    }

    @BeforeContainer
    static void start() {
        NettyLeakCheck.install();
        Hooks.onErrorDropped(DROPPED::add);
        relay = Relay.builder().router(Router.builder()
                .worker(LocalWorker.builder(Fixtures.HANDLER).id("w1").build()).build()).build();
        server = WebSocketRelayServer.builder(relay)
                .spec(WebSocketRelaySpec.builder().maxFramePayloadBytes(MAX_PAYLOAD)
                        .closeTimeout(Duration.ofMillis(500)).build())
                .bindNow();
    }

    @AfterContainer
    static void stop() {
        Hooks.resetOnErrorDropped();
        if (server != null) {
            server.shutdown(Duration.ZERO).block(Fixtures.WAIT);
        }
    }

    @AfterProperty
    void nothingLeakedNorDropped() {
        NettyLeakCheck.assertNoLeaks();
        assertTrue(DROPPED.isEmpty(), "errors dropped: " + DROPPED);
    }

    @Property(tries = 300)
    void randomAndMutatedFramesLeaveTheServerServing(@ForAll("batches") List<Fuzz> batch) throws IOException {
        WebSocketRelayServer s = server;
        RawClient c = RawClient.connect(s.port(), s.handler().spec().path());
        try {
            for (Fuzz f : batch) {
                c.send(f.opcode(), f.payload());
            }
        } catch (IOException closedByTheServer) {
            // the server closed this connection for what it sent (1007, 1009, protocol error): allowed
        } finally {
            c.close();
        }
        Await.until(Fixtures.WAIT, () -> relay.metrics().snapshot().sessions() == 0 && s.handler().connections() == 0,
                "the fuzzed session ended");
        long[] served = Fixtures.pacedLoad(HTTP, s.uri().toString(), 1, 1, Duration.ZERO);
        assertEquals(1, served.length);
        assertEquals(0, relay.metrics().snapshot().inFlight());
    }

    @Provide
    Arbitrary<List<Fuzz>> batches() {
        return Arbitraries.oneOf(List.of(
                        text("bad-json", Arbitraries.strings().ofMaxLength(200)),
                        text("wrong-types", wrongTypes()),
                        text("huge-id", hugeIds()),
                        text("deep-nesting", deepNesting()),
                        mutated(),
                        invalidUtf8(),
                        binary("binary-garbage", Arbitraries.bytes().array(byte[].class).ofMaxSize(600)),
                        binary("binary-header", binaryHeaders()),
                        oversize(),
                        reservedOpcode(),
                        text("valid", Arbitraries.longs().map(id -> Fixtures.request(Math.abs(id % 1000), "k", "[1,2]")))))
                .list().ofMinSize(1).ofMaxSize(8);
    }

    private static Arbitrary<Fuzz> text(String kind, Arbitrary<String> texts) {
        return texts.map(t -> new Fuzz(kind, 0x1, t.getBytes(StandardCharsets.UTF_8)));
    }

    private static Arbitrary<Fuzz> binary(String kind, Arbitrary<byte[]> data) {
        return data.map(d -> new Fuzz(kind, 0x2, d));
    }

    private static Arbitrary<String> wrongTypes() {
        Arbitrary<String> odd = Arbitraries.of("null", "true", "[]", "{}", "[1,{\"a\":2}]", "-0.0", "\"\"", "1e999",
                "\"\\u0000\"", "{\"id\":1}");
        return Combinators.combine(odd, odd, odd).as((id, key, body) ->
                "{\"id\":" + id + ",\"key\":" + key + ",\"body\":" + body + "}");
    }

    private static Arbitrary<String> hugeIds() {
        Arbitrary<String> ids = Arbitraries.oneOf(List.of(
                Arbitraries.strings().numeric().ofMinLength(19).ofMaxLength(400),
                Arbitraries.of("1e400", "-9223372036854775809", "9223372036854775808", "1.5", "-1", "0x10"),
                Arbitraries.strings().ofMinLength(250).ofMaxLength(2000).map(s -> "\"" + s.replace("\\", "").replace("\"", "") + "\"")));
        return ids.map(id -> "{\"id\":" + id + ",\"key\":\"k\",\"body\":1}");
    }

    private static Arbitrary<String> deepNesting() {
        return Combinators.combine(Arbitraries.integers().between(1, 2000), Arbitraries.of("[", "{\"a\":"), Arbitraries.of(true, false))
                .as((depth, open, closed) -> {
                    String close = open.equals("[") ? "]" : "}";
                    return "{\"id\":1,\"key\":\"k\",\"body\":" + open.repeat(depth) + "1"
                            + (closed ? close.repeat(depth) : "") + "}";
                });
    }

    /** A valid request with bytes flipped, cut, or inserted. */
    private static Arbitrary<Fuzz> mutated() {
        Arbitrary<byte[]> base = Arbitraries.of(
                Fixtures.request(7, "tile-3", "{\"x\":1,\"y\":[2,3]}"),
                Fixtures.request(8, "stream", "\"abc\""),
                "{\"id\":\"s-1\",\"key\":\"k\",\"body\":null}").map(s -> s.getBytes(StandardCharsets.UTF_8));
        return Combinators.combine(base, Arbitraries.integers().between(0, 1000), Arbitraries.bytes(), Arbitraries.of(0, 1, 2))
                .as((b, at, value, how) -> {
                    int i = at % b.length;
                    byte[] m;
                    if (how == 0) {
                        m = b.clone();
                        m[i] = value;
                    } else if (how == 1) {
                        m = java.util.Arrays.copyOf(b, i);
                    } else {
                        m = new byte[b.length + 1];
                        System.arraycopy(b, 0, m, 0, i);
                        m[i] = value;
                        System.arraycopy(b, i, m, i + 1, b.length - i);
                    }
                    return new Fuzz("mutated", 0x1, m);
                });
    }

    private static Arbitrary<Fuzz> invalidUtf8() {
        Arbitrary<byte[]> bad = Arbitraries.of(
                new byte[] {(byte) 0xC3, 0x28}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                new byte[] {(byte) 0xE2, (byte) 0x82});
        return Combinators.combine(bad, Arbitraries.integers().between(0, 30)).as((b, at) -> {
            byte[] base = Fixtures.request(1, "k", "\"" + "x".repeat(30) + "\"").getBytes(StandardCharsets.UTF_8);
            int i = Math.min(at + 25, base.length - 2);
            byte[] m = new byte[base.length + b.length];
            System.arraycopy(base, 0, m, 0, i);
            System.arraycopy(b, 0, m, i, b.length);
            System.arraycopy(base, i, m, i + b.length, base.length - i);
            return new Fuzz("invalid-utf8", 0x1, m);
        });
    }

    /** The codec's binary framing (version, header length, JSON header, body) with wrong lengths and versions. */
    private static Arbitrary<byte[]> binaryHeaders() {
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 65_535),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(64))
                .as((version, length, body) -> {
                    byte[] header = Fixtures.request(3, "k", "null").getBytes(StandardCharsets.UTF_8);
                    byte[] m = new byte[3 + header.length + body.length];
                    m[0] = (byte) (int) version;
                    m[1] = (byte) (length >>> 8);
                    m[2] = (byte) (int) length;
                    System.arraycopy(header, 0, m, 3, header.length);
                    System.arraycopy(body, 0, m, 3 + header.length, body.length);
                    return m;
                });
    }

    private static Arbitrary<Fuzz> oversize() {
        return Arbitraries.integers().between(MAX_PAYLOAD + 1, 3 * MAX_PAYLOAD)
                .map(n -> new Fuzz("oversize", 0x1, new byte[n]));
    }

    private static Arbitrary<Fuzz> reservedOpcode() {
        return Combinators.combine(Arbitraries.of(0x0, 0x3, 0x4, 0x7, 0xB, 0xF), Arbitraries.bytes().array(byte[].class).ofMaxSize(20))
                .as((op, data) -> new Fuzz("reserved-opcode", op, data));
    }
}
