package dev.switchboard.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.WebsocketServerSpec;

class WebSocketRelaySpecTest {

    @Test
    void defaultsAreTheDocumentedConstants() {
        WebSocketRelaySpec spec = WebSocketRelaySpec.defaults();
        assertEquals(WebSocketRelaySpec.DEFAULT_PATH, spec.path());
        assertEquals(65536, spec.maxFramePayloadBytes());
        assertEquals(Duration.ofSeconds(30), spec.pingInterval());
        assertEquals(Duration.ofMillis(WebSocketRelaySpec.DEFAULT_PONG_TIMEOUT_MS), spec.pongTimeout());
        assertEquals(Duration.ZERO, spec.idleTimeout());
        assertFalse(spec.compress());
        assertEquals(Set.of(), spec.allowedOrigins());
        assertTrue(spec.authenticator().isEmpty());
        assertEquals(WebSocketRelaySpec.DEFAULT_MAX_CONNECTIONS, spec.maxConnections());
    }

    @Test
    void theUpgradeSpecCarriesTheFrameLimitCompressionAndHandsPingsToTheRelay() {
        WebsocketServerSpec ws = WebSocketRelaySpec.builder().maxFramePayloadBytes(1000).compress(true).build()
                .websocketServerSpec();
        assertEquals(1000, ws.maxFramePayloadLength());
        assertTrue(ws.compress());
        assertTrue(ws.handlePing());
        assertEquals(1000, ws.maxDecompressionBufferSize());
    }

    @Test
    void settersRefuseBadValuesAtOnce() {
        WebSocketRelaySpec.Builder b = WebSocketRelaySpec.builder();
        assertThrows(IllegalArgumentException.class, () -> b.path("ws"));
        assertThrows(IllegalArgumentException.class, () -> b.maxFramePayloadBytes(0));
        assertThrows(IllegalArgumentException.class, () -> b.pingInterval(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> b.pongTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.maxConnections(0));
        assertThrows(IllegalArgumentException.class, () -> b.allowedOrigins(" "));
        assertThrows(IllegalArgumentException.class, () -> b.closeTimeout(Duration.ZERO));
    }

    @Test
    void aPongTimeoutNotShorterThanThePingIntervalIsRefusedAtBuildWithTheFix() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> WebSocketRelaySpec.builder()
                .pingInterval(Duration.ofSeconds(5)).pongTimeout(Duration.ofSeconds(5)).build());
        assertTrue(e.getMessage().contains("lower pongTimeout or raise pingInterval"), e.getMessage());
        // without pings there is nothing to time out
        WebSocketRelaySpec.builder().pingInterval(Duration.ZERO).pongTimeout(Duration.ofSeconds(60)).build();
    }

    @Test
    void toBuilderKeepsEveryValue() {
        HandshakeAuthenticator auth = req -> Mono.just("a");
        WebSocketRelaySpec spec = WebSocketRelaySpec.builder().path("/relay").maxFramePayloadBytes(10)
                .pingInterval(Duration.ofSeconds(9)).pongTimeout(Duration.ofSeconds(2)).idleTimeout(Duration.ofMinutes(1))
                .compress(true).allowedOrigins("https://a.example").authenticator(auth).maxConnections(3)
                .shutdownTimeout(Duration.ofSeconds(4)).closeTimeout(Duration.ofSeconds(1)).build();
        WebSocketRelaySpec copy = spec.toBuilder().build();
        assertEquals(spec.toString(), copy.toString());
        assertEquals(spec.idleTimeout(), copy.idleTimeout());
        assertEquals(spec.shutdownTimeout(), copy.shutdownTimeout());
        assertEquals(spec.closeTimeout(), copy.closeTimeout());
        assertEquals(auth, copy.authenticator().orElseThrow());
    }
}
