package dev.switchboard.transport.netty;

import dev.switchboard.core.test.Await;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.core.Payload;
import io.netty.channel.Channel;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The socket is read as the relay asks. The other way, a client that reads nothing stopping its
 * worker, is a case of the connection contract ({@link WebSocketConnectionContractTest}).
 */
@ExtendWith(NettyLeakCheck.class)
class BackpressureTest {

    private @Nullable DisposableServer host;
    private @Nullable TestClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (host != null) {
            host.disposeNow(TestClient.WAIT);
        }
    }

    @Test
    void readsOnlyTheFramesTheRelayRequested() {
        WebSocketRelaySpec spec = WebSocketRelaySpec.defaults();
        AtomicReference<@Nullable Channel> channel = new AtomicReference<>();
        List<Payload> received = new CopyOnWriteArrayList<>();
        AtomicReference<@Nullable Subscription> relaySide = new AtomicReference<>();
        host = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> r.ws("/raw", (in, out) -> {
                    in.withConnection(c -> channel.set(c.channel()));
                    WebSocketConnection c = new WebSocketConnection(in, out, spec, null, Map.of(), null);
                    c.receive().subscribe(new BaseSubscriber<Payload>() {
                        @Override
                        protected void hookOnSubscribe(Subscription s) {
                            relaySide.set(s);
                            s.request(1);
                        }

                        @Override
                        protected void hookOnNext(Payload f) {
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
        Await.until(TestClient.WAIT, () -> received.size() == 1 && channel.get() != null
                && !channel.get().config().isAutoRead(), "one frame delivered and reads stopped");
        assertEquals(1, received.size());
        relaySide.get().request(4);
        Await.until(TestClient.WAIT, () -> received.size() == 5, "the other four frames");
        assertEquals("frame 4", received.get(4).utf8());
    }
}
