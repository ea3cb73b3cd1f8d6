package dev.switchboard.examples.embed;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Relay;
import dev.switchboard.core.metrics.Readiness;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.transport.netty.WebSocketRelayHandler;
import dev.switchboard.transport.netty.WebSocketRelaySpec;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Embedding a relay in a host application's own Reactor Netty server, beside its other routes.
 * The README quotes the region between the tag markers; a test checks that it still does.
 */
public final class EmbedExample {

    private EmbedExample() {
    }

    /** Starts the host server on a free port of 127.0.0.1; the caller disposes it. */
    public static DisposableServer start() {
        // tag::embed[]
        LocalWorker worker = LocalWorker.builder((request, context) ->
                        Flux.just(Payload.json("{\"hello\":\"" + context.workerId() + "\"}")))
                .id("w1")
                .build();
        Relay relay = Relay.builder()
                .router(Router.builder().worker(worker).build())
                .build();
        WebSocketRelayHandler relayRoute = WebSocketRelayHandler.builder(relay)
                .spec(WebSocketRelaySpec.builder().path("/ws").build())
                .build();
        DisposableServer server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> relayRoute.mount(
                        routes.get("/health", (req, res) -> {
                            Readiness ready = relay.metrics().readiness();
                            return res.status(ready.ready() ? 200 : 503).sendString(Mono.just(ready.reason()));
                        })))
                .bindNow(Duration.ofSeconds(10));
        // end::embed[]
        return server;
    }
}
