package dev.switchboard.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Frame;
import dev.switchboard.core.Payload;
import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.worker.LocalWorker;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** Demand crosses the transport both ways: the socket is read as the relay asks, written as the client reads. */
@ExtendWith(NettyLeakCheck.class)
class BackpressureTest {

    private @Nullable DisposableServer host;
    private @Nullable WebSocketRelayServer server;
    private @Nullable TestClient client;
    private @Nullable Socket socket;

    @AfterEach
    void stop() throws IOException {
        if (client != null) {
            client.close();
        }
        if (socket != null) {
            socket.close();
        }
        if (host != null) {
            host.disposeNow(TestClient.WAIT);
        }
        if (server != null) {
            server.shutdown(Duration.ZERO).block(TestClient.WAIT);
        }
    }

    @Test
    void readsOnlyTheFramesTheRelayRequested() {
        WebSocketRelaySpec spec = WebSocketRelaySpec.defaults();
        AtomicReference<@Nullable Channel> channel = new AtomicReference<>();
        List<Frame> received = new CopyOnWriteArrayList<>();
        AtomicReference<@Nullable Subscription> relaySide = new AtomicReference<>();
        host = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> r.ws("/raw", (in, out) -> {
                    in.withConnection(c -> channel.set(c.channel()));
                    WebSocketConnection c = new WebSocketConnection(in, out, spec, null, Map.of(), null);
                    c.receive().subscribe(new BaseSubscriber<Frame>() {
                        @Override
                        protected void hookOnSubscribe(Subscription s) {
                            relaySide.set(s);
                            s.request(1);
                        }

                        @Override
                        protected void hookOnNext(Frame f) {
                            received.add(f);
                        }
                    });
                    return c.onClose().then();
                }, spec.websocketServerSpec()))
                .bindNow(TestClient.WAIT);
        client = TestClient.connect(URI.create("ws://127.0.0.1:" + host.port() + "/raw"));
        for (int i = 0; i < 5; i++) {
            client.sendText("frame " + i);
        }
        WebSocketRelayTest.awaitTrue(() -> received.size() == 1 && channel.get() != null
                && !channel.get().config().isAutoRead(), "one frame delivered and reads stopped");
        assertEquals(1, received.size());
        relaySide.get().request(4);
        WebSocketRelayTest.awaitTrue(() -> received.size() == 5, "the other four frames");
        assertEquals("frame 4", received.get(4).text());
    }

    @Test
    void aClientThatReadsNothingStopsItsWorkerAndIsClosed() throws IOException {
        AtomicInteger produced = new AtomicInteger();
        byte[] item = ("\"" + "x".repeat(8 * 1024) + "\"").getBytes(StandardCharsets.UTF_8);
        LocalWorker worker = LocalWorker.builder((req, ctx) -> Flux.range(0, 100_000)
                .map(i -> {
                    produced.incrementAndGet();
                    return Payload.json(item);
                })).id("flood").build();
        Relay relay = Relay.builder().router(Router.builder().worker(worker).build())
                .maxQueuedResponses(8).slowConsumerTimeout(Duration.ofMillis(500)).build();
        server = WebSocketRelayServer.builder(relay)
                .spec(WebSocketRelaySpec.builder().closeTimeout(Duration.ofMillis(500)).build()).bindNow();
        socket = new Socket("127.0.0.1", server.port());
        socket.setReceiveBufferSize(64 * 1024);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        readHandshake(socket.getInputStream());
        out.write(maskedText("{\"id\":1,\"key\":\"flood\"}"));
        out.flush();
        // the client reads nothing more: the relay closes it once its queue stays full
        WebSocketRelayTest.awaitTrue(() -> server.handler().connections() == 0, "the slow client closed");
        assertEquals(1, relay.metrics().snapshot().slowConsumersClosed());
        assertEquals(0, relay.metrics().snapshot().queuedResponses());
        int made = produced.get();
        assertTrue(made < 100_000, "the worker produced everything: " + made);
    }

    private static void readHandshake(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during the handshake: " + head);
            }
            head.append((char) b);
        }
        assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
    }

    /** A client text frame: FIN, opcode 1, masked (a client MUST mask), payload under 126 bytes. */
    private static byte[] maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        byte[] frame = new byte[2 + 4 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }
}
