package dev.switchboard.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.worker.LocalWorker;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/** Query parameters reach the session as {@code query.<name>} attributes, and can route a session as a whole. */
@ExtendWith(NettyLeakCheck.class)
class SessionRoutingKeyTest {

    WebSocketRelayServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdown().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void aQueryParameterRoutesTheWholeSession() {
        LocalWorker worker = LocalWorker.builder((req, ctx) -> Flux.just(Payload.json("\"" + req.key() + "\"")))
                .build();
        Relay relay = Relay.builder().router(Router.builder().worker(worker).build())
                .sessionRoutingKey("query.view").build();
        server = WebSocketRelayServer.builder(relay).bindNow();
        String reply = HttpClient.create().websocket()
                .uri("ws://127.0.0.1:" + server.port() + "/ws?view=img%2D3&x=1")
                .handle((in, out) -> out.sendString(Mono.just("{\"id\":1,\"key\":\"tile-1\"}"))
                        .then().thenMany(in.receive().asString().take(1)))
                .blockFirst(Duration.ofSeconds(10));
        assertEquals("{\"id\":1,\"body\":\"img-3\",\"end\":true}", reply);
    }
}
