package dev.switchboard.transport.netty.reliability;

import dev.switchboard.core.test.Await;

import static dev.switchboard.transport.netty.reliability.Fixtures.openFds;
import static dev.switchboard.transport.netty.reliability.Fixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.transport.netty.NettyLeakCheck;
import dev.switchboard.transport.netty.WebSocketRelayServer;
import dev.switchboard.transport.netty.WebSocketRelaySpec;
import java.io.IOException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.netty.http.client.HttpClient;

/**
 * A client that vanishes without a close frame frees everything it held: its requests are
 * cancelled at the worker (the credits come back), its session ends, its buffers are released
 * (the leak check) and its file descriptor is closed. The client writes more requests than the
 * session takes in, so some wait in the server's receive path when it goes.
 */
@ExtendWith(NettyLeakCheck.class)
class VanishingClientTest {

    static final int MAX_IN_FLIGHT = 4;
    static final int CAPACITY = 8;

    private @Nullable WebSocketRelayServer server;
    private @Nullable LocalWorker worker;
    private @Nullable Relay relay;
    private @Nullable RawClient client;

    @AfterEach
    void stop() throws IOException {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.shutdown(Duration.ZERO).block(Fixtures.WAIT);
        }
    }

    private int start(WebSocketRelaySpec spec) {
        worker = LocalWorker.builder(Fixtures.HANDLER).id("w1").capacity(CAPACITY).build();
        relay = Relay.builder().router(Router.builder().worker(worker).build()).maxInFlight(MAX_IN_FLIGHT).build();
        server = WebSocketRelayServer.builder(relay).spec(spec).bindNow();
        return server.port();
    }

    @Test
    void aClientResetWithoutACloseFrameHasItsRequestsCancelledCreditsReturnedAndDescriptorClosed() throws IOException {
        vanish(WebSocketRelaySpec.defaults(), MAX_IN_FLIGHT + 20, MAX_IN_FLIGHT, RawClient::reset);
    }

    @Test
    void aClientThatClosesItsSocketWithoutACloseFrameIsFreedTheSameWay() throws IOException {
        vanish(WebSocketRelaySpec.defaults(), MAX_IN_FLIGHT + 20, MAX_IN_FLIGHT, RawClient::close);
    }

    @Test
    void aClientThatFallsSilentIsClosedByTheMissingPongAndFreedTheSameWay() throws IOException {
        WebSocketRelaySpec spec = WebSocketRelaySpec.builder().pingInterval(Duration.ofMillis(300))
                .pongTimeout(Duration.ofMillis(150)).closeTimeout(Duration.ofMillis(300)).build();
        // fewer requests than the session's bound: the relay keeps reading, so the pong is missed
        vanish(spec, MAX_IN_FLIGHT - 1, MAX_IN_FLIGHT - 1, c -> { });
    }

    private interface Vanish {
        void apply(RawClient c) throws IOException;
    }

    private void vanish(WebSocketRelaySpec spec, int sent, int held, Vanish how) throws IOException {
        int port = start(spec);
        // warm up, then count descriptors with every lazily opened one already open
        RawClient warm = RawClient.connect(port, spec.path());
        warm.sendText(request(0, "k", "0"));
        warm.close();
        Await.until(Fixtures.WAIT, () -> relay.metrics().snapshot().sessions() == 0, "the warm-up session closed");
        long fds = openFds();
        int cancelledBefore = Fixtures.CANCELLED.get();

        client = RawClient.connect(port, spec.path());
        for (int i = 0; i < sent; i++) {
            client.sendText(request(i, "hang", String.valueOf(i)));
        }
        Await.until(Fixtures.WAIT, () -> worker.active() == held && relay.metrics().snapshot().inFlight() == held,
                held + " requests on the worker");
        how.apply(client);

        Await.until(Fixtures.WAIT, () -> relay.metrics().snapshot().sessions() == 0 && server.handler().connections() == 0,
                "the session ended");
        Await.until(Fixtures.WAIT, () -> worker.active() == 0, "every credit back");
        assertEquals(held, Fixtures.CANCELLED.get() - cancelledBefore, "requests cancelled at the worker");
        assertEquals(0, relay.metrics().snapshot().inFlight());
        assertEquals(0, relay.metrics().snapshot().queuedResponses());
        client.close();
        Await.until(Fixtures.WAIT, () -> openFds() <= fds,
                "the descriptors back to " + fds + " (now " + openFds() + ")");

        // and the relay keeps serving with every credit
        long[] latencies = Fixtures.pacedLoad(HttpClient.newConnection().runOn(Fixtures.CLIENT_LOOPS),
                server.uri().toString(), CAPACITY, 2, Duration.ZERO);
        assertEquals(CAPACITY * 2, latencies.length);
        assertTrue(relay.metrics().snapshot().errors().values().stream().allMatch(n -> n == 0),
                relay.metrics().snapshot().errors().toString());
    }
}
