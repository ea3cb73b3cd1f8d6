package dev.switchboard.transport.netty;

import dev.switchboard.core.Relay;
import dev.switchboard.core.test.ConnectionContract;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.websocket.WebsocketInbound;

/**
 * The connection contract against the WebSocket transport: a {@link WebSocketRelayServer} on
 * 127.0.0.1, port 0, and a Reactor Netty WebSocket client over a real socket. A client that does
 * not read requests no frame, so Reactor Netty stops reading its socket and TCP pushes back on
 * the server.
 */
@ExtendWith(NettyLeakCheck.class)
class WebSocketConnectionContractTest extends ConnectionContract {

    @Override
    protected Client connect(Relay relay, boolean read) {
        WebSocketRelayServer server = WebSocketRelayServer.builder(relay)
                .spec(WebSocketRelaySpec.builder().closeTimeout(Duration.ofMillis(500)).build()).bindNow();
        onTearDown(() -> server.shutdown(Duration.ZERO).block(WAIT));
        return new SocketClient(server, read);
    }

    /** A Reactor Netty WebSocket client that reads every frame, or none. */
    private static final class SocketClient implements Client {
        private final List<String> received = new CopyOnWriteArrayList<>();
        private final Sinks.Many<String> outbound = Sinks.many().unicast().onBackpressureBuffer();
        private final Sinks.Empty<Void> open = Sinks.empty();
        private final Disposable connection;

        SocketClient(WebSocketRelayServer server, boolean read) {
            // a small receive buffer: a client that reads nothing fills it soon
            HttpClient http = read ? HttpClient.create() : HttpClient.create().option(ChannelOption.SO_RCVBUF, 64 * 1024);
            this.connection = http
                    .websocket(WebsocketClientSpec.builder().maxFramePayloadLength(1 << 20).build())
                    .uri(server.uri())
                    .handle((in, out) -> {
                        receive(in, read);
                        open.tryEmitEmpty();
                        return out.sendObject(outbound.asFlux().map(TextWebSocketFrame::new)).then(Mono.never());
                    })
                    .subscribe(null, e -> open.tryEmitError(e));
            open.asMono().block(WAIT);
        }

        private void receive(WebsocketInbound in, boolean read) {
            in.aggregateFrames().receiveFrames().subscribe(new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(Subscription s) {
                    if (read) {
                        s.request(Long.MAX_VALUE);
                    }
                }

                @Override
                protected void hookOnNext(io.netty.handler.codec.http.websocketx.WebSocketFrame f) {
                    if (f instanceof TextWebSocketFrame t) {
                        received.add(t.content().toString(StandardCharsets.UTF_8));
                    }
                }
            });
        }

        @Override
        public void send(String text) {
            synchronized (this) {
                outbound.tryEmitNext(text);
            }
        }

        @Override
        public List<String> received() {
            return List.copyOf(received);
        }

        @Override
        public void dispose() {
            synchronized (this) {
                outbound.tryEmitComplete();
            }
            connection.dispose();
        }
    }
}
