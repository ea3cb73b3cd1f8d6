package dev.switchboard.transport.netty;

import dev.switchboard.core.CloseStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/**
 * A blocking WebSocket test client on Reactor Netty: it records what arrives (text, pings, the
 * close status) and answers pings only when told to.
 */
final class TestClient implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(10);

    /** Something the client saw. */
    sealed interface Event permits Text, Ping, Closed {
    }

    record Text(String text) implements Event {
    }

    record Ping() implements Event {
    }

    record Closed(CloseStatus status) implements Event {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Sinks.Many<WebSocketFrame> outbound = Sinks.many().unicast().onBackpressureBuffer();
    private final Sinks.One<Integer> handshake = Sinks.one();
    private volatile boolean answerPings;
    private final Disposable connection;

    private TestClient(URI uri, Consumer<HttpHeaders> headers, boolean answerPings, boolean compress) {
        this(HttpClient.create(), uri, headers, answerPings, compress);
    }

    private TestClient(HttpClient http, URI uri, Consumer<HttpHeaders> headers, boolean answerPings, boolean compress) {
        this.answerPings = answerPings;
        this.connection = http
                .headers(headers)
                .websocket(WebsocketClientSpec.builder().handlePing(true).compress(compress)
                        .maxFramePayloadLength(1 << 20).build())
                .uri(uri)
                .handle((in, out) -> {
                    handshake.tryEmitValue(101);
                    in.receiveCloseStatus().subscribe(s -> events.add(new Closed(WebSocketConnection.toCore(s))));
                    in.receiveFrames().subscribe(this::onFrame, e -> { }, () -> { });
                    return out.sendObject(outbound.asFlux()).then().then(Mono.never());
                })
                .subscribe(null, e -> {
                    if (e instanceof WebSocketClientHandshakeException h) {
                        handshake.tryEmitValue(h.response().status().code());
                    } else {
                        handshake.tryEmitValue(-1);
                    }
                });
    }

    /** Connects and waits for the handshake; returns its status (101 when upgraded). */
    static TestClient connect(URI uri) {
        return connect(uri, h -> { }, true);
    }

    static TestClient connect(URI uri, Consumer<HttpHeaders> headers, boolean answerPings) {
        TestClient c = new TestClient(uri, headers, answerPings, false);
        c.handshakeStatus();
        return c;
    }

    /** A client on {@code http} (for example one configured for TLS). */
    static TestClient connect(HttpClient http, URI uri) {
        TestClient c = new TestClient(http, uri, h -> { }, true, false);
        c.handshakeStatus();
        return c;
    }

    /** A client that offers permessage-deflate. */
    static TestClient connectCompressed(URI uri) {
        TestClient c = new TestClient(uri, h -> { }, true, true);
        c.handshakeStatus();
        return c;
    }

    /** 101 when upgraded, the HTTP status when refused. */
    int handshakeStatus() {
        Integer s = handshake.asMono().block(WAIT);
        return s == null ? -1 : s;
    }

    void answerPings(boolean answer) {
        this.answerPings = answer;
    }

    private void onFrame(WebSocketFrame f) {
        // Reactor Netty releases f after this call
        {
            if (f instanceof TextWebSocketFrame t) {
                events.add(new Text(t.text()));
            } else if (f instanceof PingWebSocketFrame) {
                events.add(new Ping());
                if (answerPings) {
                    send(new PongWebSocketFrame(f.content().retainedDuplicate()));
                }
            } else if (f instanceof BinaryWebSocketFrame b) {
                events.add(new Text("binary:" + ByteBufUtil.hexDump(b.content())));
            }
        }
    }

    synchronized void send(WebSocketFrame frame) {
        Sinks.EmitResult r = outbound.tryEmitNext(frame);
        if (r.isFailure()) {
            frame.release();
        }
    }

    void sendText(String text) {
        send(new TextWebSocketFrame(text));
    }

    void sendTextBytes(byte[] bytes) {
        ByteBuf b = Unpooled.wrappedBuffer(bytes);
        send(new TextWebSocketFrame(b));
    }

    void sendBinary(byte[] bytes) {
        send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
    }

    /** The next event of {@code type}, skipping others (pings when waiting for text). */
    <E extends Event> E next(Class<E> type) {
        return next(type, WAIT);
    }

    <E extends Event> E next(Class<E> type, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            for (;;) {
                long left = deadline - System.nanoTime();
                Event e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("no " + type.getSimpleName() + " within " + wait);
                }
                if (type.isInstance(e)) {
                    return type.cast(e);
                }
                if (e instanceof Closed c && type != Closed.class) {
                    throw new AssertionError("closed with " + c.status() + " while waiting for " + type.getSimpleName());
                }
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    String nextText() {
        return next(Text.class).text();
    }

    CloseStatus awaitClose() {
        return next(Closed.class).status();
    }

    CloseStatus awaitClose(Duration wait) {
        return next(Closed.class, wait).status();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        synchronized (this) {
            outbound.tryEmitComplete();
        }
        connection.dispose();
    }

}
