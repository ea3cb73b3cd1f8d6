package dev.switchboard.transport.netty;

import dev.switchboard.core.Relay;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.tcp.SslProvider;

/**
 * A small standalone server for applications that run no {@code HttpServer} of their own: one
 * {@link WebSocketRelayHandler} on its path, nothing else.
 *
 * <pre>{@code
 * WebSocketRelayServer server = WebSocketRelayServer.builder(relay).port(8080).bindNow();
 * System.out.println("listening on " + server.uri());
 * Runtime.getRuntime().addShutdownHook(new Thread(() -> server.shutdown().block()));
 * }</pre>
 *
 * <p>It binds {@value #DEFAULT_HOST} unless told otherwise. {@link #shutdown()} closes the listening
 * socket, drains the handler ({@link WebSocketRelayHandler#shutdown(Duration)}) and completes once
 * every session is closed.
 */
public final class WebSocketRelayServer {

    /** Default bind address: loopback only; exposing the relay is a deliberate choice. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default port: 0, any free port ({@link #port()} tells which). */
    public static final int DEFAULT_PORT = 0;
    /** Default longest wait for the bind. */
    public static final long DEFAULT_BIND_TIMEOUT_MS = 10_000;

    private final DisposableServer server;
    private final WebSocketRelayHandler handler;
    private final boolean secure;

    private WebSocketRelayServer(DisposableServer server, WebSocketRelayHandler handler, boolean secure) {
        this.server = server;
        this.handler = handler;
        this.secure = secure;
    }

    /**
     * A builder for a server of {@code relay}: host {@value #DEFAULT_HOST}, port {@value #DEFAULT_PORT},
     * {@link WebSocketRelaySpec#defaults()}, no TLS.
     *
     * @param relay the relay to serve
     * @return a new builder
     */
    public static Builder builder(Relay relay) {
        return new Builder(relay);
    }

    /**
     * The bound address.
     *
     * @return the bound address
     */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.address();
    }

    /**
     * The bound port.
     *
     * @return the bound port
     */
    public int port() {
        return server.port();
    }

    /**
     * The relay's URI, {@code ws://host:port/path} (or {@code wss://}).
     *
     * @return the relay's URI, {@code ws://host:port/path} (or {@code wss://})
     */
    public URI uri() {
        InetSocketAddress a = address();
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create((secure ? "wss://" : "ws://") + host + ":" + a.getPort() + handler.spec().path());
    }

    /**
     * The route it serves.
     *
     * @return the route it serves
     */
    public WebSocketRelayHandler handler() {
        return handler;
    }

    /**
     * Completes when the listening socket is closed.
     *
     * @return a Mono that completes when the listening socket is closed
     */
    public Mono<Void> onDispose() {
        return server.onDispose();
    }

    /**
     * Shuts down gracefully within the spec's {@link WebSocketRelaySpec#shutdownTimeout()}.
     *
     * @return a Mono that completes once the sessions and the listening socket are closed
     */
    public Mono<Void> shutdown() {
        return shutdown(handler.spec().shutdownTimeout());
    }

    /**
     * Stops accepting connections, lets requests in flight finish within {@code deadline}, closes
     * every session with 1001, and completes once they and the listening socket are closed.
     *
     * @param deadline how long requests in flight may run before every session is closed
     * @return a Mono that completes once the sessions and the listening socket are closed
     */
    public Mono<Void> shutdown(Duration deadline) {
        return Mono.defer(() -> {
            server.dispose();
            return handler.shutdown(deadline).then(server.onDispose());
        });
    }

    @Override
    public String toString() {
        return "WebSocketRelayServer[" + uri() + "]";
    }

    /** Builds and binds a {@link WebSocketRelayServer}. Not thread-safe. */
    public static final class Builder {
        private final Relay relay;
        private WebSocketRelaySpec spec = WebSocketRelaySpec.defaults();
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private @Nullable SslProvider ssl;
        private Duration bindTimeout = Duration.ofMillis(DEFAULT_BIND_TIMEOUT_MS);

        private Builder(Relay relay) {
            this.relay = Objects.requireNonNull(relay, "relay");
        }

        /**
         * The spec (default {@link WebSocketRelaySpec#defaults()}).
         *
         * @param spec the spec (default {@link WebSocketRelaySpec#defaults()})
         * @return this builder
         */
        public Builder spec(WebSocketRelaySpec spec) {
            this.spec = Objects.requireNonNull(spec, "spec");
            return this;
        }

        /**
         * The address to bind (default {@value #DEFAULT_HOST}).
         *
         * @param host the address to bind (default {@value #DEFAULT_HOST})
         * @return this builder
         */
        public Builder host(String host) {
            if (Objects.requireNonNull(host, "host").isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            this.host = host;
            return this;
        }

        /**
         * The port, 0 to 65535 (0 picks a free one).
         *
         * @param port the port, 0 to 65535 (0 picks a free one)
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be within 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Serve TLS ({@code wss://}) with {@code ssl}.
         *
         * @param ssl the TLS configuration
         * @return this builder
         */
        public Builder secure(SslProvider ssl) {
            this.ssl = Objects.requireNonNull(ssl, "ssl");
            return this;
        }

        /**
         * Longest wait for the bind, strictly positive.
         *
         * @param timeout longest wait for the bind, strictly positive
         * @return this builder
         */
        public Builder bindTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("bindTimeout must be strictly positive, was " + timeout);
            }
            this.bindTimeout = timeout;
            return this;
        }

        /**
         * Binds and returns the running server.
         *
         * @return the running server
         */
        public WebSocketRelayServer bindNow() {
            WebSocketRelayHandler handler = WebSocketRelayHandler.builder(relay).spec(spec).build();
            HttpServer http = HttpServer.create().host(host).port(port).route(handler::mount);
            if (ssl != null) {
                SslProvider provider = ssl;
                http = http.secure(provider);
            }
            return new WebSocketRelayServer(http.bindNow(bindTimeout), handler, ssl != null);
        }
    }
}
