package dev.switchboard.transport.netty;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.server.WebsocketServerSpec;

/** The immutable {@link WebSocketRelaySpec}. */
final class WebSocketRelaySpecImpl implements WebSocketRelaySpec {

    private final String path;
    private final int maxFramePayloadBytes;
    private final Duration pingInterval;
    private final Duration pongTimeout;
    private final Duration idleTimeout;
    private final boolean compress;
    private final Set<String> allowedOrigins;
    private final @Nullable HandshakeAuthenticator authenticator;
    private final Duration authenticationTimeout;
    private final int maxConnections;
    private final Duration shutdownTimeout;
    private final Duration closeTimeout;
    private final WebsocketServerSpec websocketServerSpec;

    WebSocketRelaySpecImpl(Builder b) {
        this.path = b.path;
        this.maxFramePayloadBytes = b.maxFramePayloadBytes;
        this.pingInterval = b.pingInterval;
        this.pongTimeout = b.pongTimeout;
        this.idleTimeout = b.idleTimeout;
        this.compress = b.compress;
        this.allowedOrigins = b.allowedOrigins;
        this.authenticator = b.authenticator;
        this.authenticationTimeout = b.authenticationTimeout;
        this.maxConnections = b.maxConnections;
        this.shutdownTimeout = b.shutdownTimeout;
        this.closeTimeout = b.closeTimeout;
        // pings reach the relay (handlePing) so that pongs and pings are read under its demand
        WebsocketServerSpec.Builder ws = WebsocketServerSpec.builder()
                .maxFramePayloadLength(maxFramePayloadBytes)
                .handlePing(true)
                .compress(compress);
        if (compress) {
            ws.maxDecompressionBufferSize(maxFramePayloadBytes);
        }
        this.websocketServerSpec = ws.build();
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public int maxFramePayloadBytes() {
        return maxFramePayloadBytes;
    }

    @Override
    public Duration pingInterval() {
        return pingInterval;
    }

    @Override
    public Duration pongTimeout() {
        return pongTimeout;
    }

    @Override
    public Duration idleTimeout() {
        return idleTimeout;
    }

    @Override
    public boolean compress() {
        return compress;
    }

    @Override
    public Set<String> allowedOrigins() {
        return allowedOrigins;
    }

    @Override
    public Optional<HandshakeAuthenticator> authenticator() {
        return Optional.ofNullable(authenticator);
    }

    @Override
    public Duration authenticationTimeout() {
        return authenticationTimeout;
    }

    @Override
    public int maxConnections() {
        return maxConnections;
    }

    @Override
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    @Override
    public Duration closeTimeout() {
        return closeTimeout;
    }

    @Override
    public WebsocketServerSpec websocketServerSpec() {
        return websocketServerSpec;
    }

    @Override
    public Builder toBuilder() {
        Builder b = new Builder();
        b.path = path;
        b.maxFramePayloadBytes = maxFramePayloadBytes;
        b.pingInterval = pingInterval;
        b.pongTimeout = pongTimeout;
        b.idleTimeout = idleTimeout;
        b.compress = compress;
        b.allowedOrigins = allowedOrigins;
        b.authenticator = authenticator;
        b.authenticationTimeout = authenticationTimeout;
        b.maxConnections = maxConnections;
        b.shutdownTimeout = shutdownTimeout;
        b.closeTimeout = closeTimeout;
        return b;
    }

    @Override
    public String toString() {
        return "WebSocketRelaySpec[path=" + path + ", maxFramePayloadBytes=" + maxFramePayloadBytes
                + ", pingInterval=" + pingInterval + ", pongTimeout=" + pongTimeout + ", idleTimeout=" + idleTimeout
                + ", compress=" + compress + ", allowedOrigins=" + allowedOrigins + ", authenticator="
                + (authenticator != null) + ", maxConnections=" + maxConnections + "]";
    }
}
