package dev.switchboard.transport.netty.reliability;

import dev.switchboard.core.test.Await;

import static dev.switchboard.transport.netty.reliability.Fixtures.openFds;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.transport.netty.NettyLeakCheck;
import dev.switchboard.transport.netty.WebSocketRelayServer;
import dev.switchboard.transport.netty.WebSocketRelaySpec;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;

/**
 * More connections than the limit: the surplus is refused with 503 at the handshake, at once and
 * whole, the admitted ones keep serving, and once everything is closed the descriptors are back.
 */
@ExtendWith(NettyLeakCheck.class)
class ConnectionLimitTest {

    static final int LIMIT = 50;
    static final int SURPLUS = 200;

    private final List<Disposable> clients = new ArrayList<>();
    private @Nullable WebSocketRelayServer server;
    private final HttpClient http = HttpClient.newConnection().runOn(Fixtures.CLIENT_LOOPS);

    @AfterEach
    void stop() {
        clients.forEach(Disposable::dispose);
        if (server != null) {
            server.shutdown(Duration.ZERO).block(Fixtures.WAIT);
        }
    }

    /** Opens a WebSocket and holds it; the status is 101 when upgraded, else the HTTP status. */
    private Mono<Integer> open(String uri) {
        Sinks.One<Integer> status = Sinks.one();
        clients.add(http.websocket(Fixtures.CLIENT_SPEC).uri(uri).handle((in, out) -> {
            status.tryEmitValue(101);
            return out.sendString(Mono.just(Fixtures.request(1, "k", "1")))
                    .then(in.receive().then())
                    .then(Mono.never());
        }).subscribe(null, e -> status.tryEmitValue(
                e instanceof WebSocketClientHandshakeException h ? h.response().status().code() : -1)));
        return status.asMono();
    }

    @Test
    void connectionsOverTheLimitAreRefusedWith503AndTheAdmittedKeepServing() {
        Relay relay = Relay.builder().router(Router.builder()
                .worker(LocalWorker.builder(Fixtures.HANDLER).id("w1").build()).build()).build();
        server = WebSocketRelayServer.builder(relay)
                .spec(WebSocketRelaySpec.builder().maxConnections(LIMIT).build()).bindNow();
        String uri = server.uri().toString();
        // warm up, then count descriptors with every lazily opened one already open
        Fixtures.pacedLoad(http, uri, 2, 1, Duration.ZERO);
        Await.until(Fixtures.WAIT, () -> server.handler().connections() == 0, "the warm-up closed");
        long fds = openFds();

        List<Integer> admitted = Flux.range(0, LIMIT).flatMap(i -> open(uri)).collectList().block(Fixtures.WAIT);
        assertEquals(LIMIT, admitted.stream().filter(s -> s == 101).count(), admitted.toString());
        long t0 = System.nanoTime();
        List<Integer> surplus = Flux.range(0, SURPLUS).flatMap(i -> open(uri)).collectList().block(Fixtures.WAIT);
        long refusedInMs = (System.nanoTime() - t0) / 1_000_000;
        Map<Integer, Long> statuses = new TreeMap<>();
        surplus.forEach(s -> statuses.merge(s, 1L, Long::sum));
        System.out.printf("RELIABILITY limit: %d admitted, %d more answered %s in %d ms%n", LIMIT, SURPLUS, statuses,
                refusedInMs);
        assertEquals(Map.of(503, (long) SURPLUS), statuses);
        assertEquals(LIMIT, server.handler().connections());
        assertEquals(LIMIT, relay.metrics().snapshot().sessions());

        // the admitted sessions still serve, and a place freed is a place taken
        clients.remove(0).dispose();
        Await.until(Fixtures.WAIT, () -> server.handler().connections() == LIMIT - 1, "one place freed");
        long[] served = Fixtures.pacedLoad(http, uri, 1, 3, Duration.ZERO);
        assertEquals(3, served.length);

        clients.forEach(Disposable::dispose);
        clients.clear();
        Await.until(Fixtures.WAIT, () -> server.handler().connections() == 0 && relay.metrics().snapshot().sessions() == 0,
                "every connection closed");
        Await.until(Fixtures.WAIT, () -> openFds() <= fds,
                "the descriptors back to " + fds + " (now " + openFds() + ")");
    }
}
