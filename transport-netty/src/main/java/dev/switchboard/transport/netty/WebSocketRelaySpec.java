package dev.switchboard.transport.netty;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * How a {@link WebSocketRelayHandler} serves WebSockets: the path, frame limits, keep-alive and
 * idle policy, who may connect, how many at once, and how long a shutdown may take. Immutable;
 * shaped like Reactor Netty's {@link WebsocketServerSpec}, from which it derives the
 * {@link #websocketServerSpec() spec of the upgrade}.
 *
 * <p>What a connection that breaks a rule gets:
 * <ul>
 *   <li>a data message over {@link #maxFramePayloadBytes()} (one frame or a fragmented message):
 *       close 1009;</li>
 *   <li>a text message that is not valid UTF-8: close 1007;</li>
 *   <li>no pong (nor any other frame) within {@link #pongTimeout()} of a ping, while the server
 *       was reading: close 1008 "no pong", and the socket is closed at most
 *       {@link #closeTimeout()} later whatever the peer does;</li>
 *   <li>no data frame either way for {@link #idleTimeout()} (when enabled): close 1000 "idle";</li>
 *   <li>at the handshake: an Origin outside {@link #allowedOrigins()}: 403; refused by the
 *       {@link #authenticator()}: 401; already {@link #maxConnections()} open, or shutting down:
 *       503; not an upgrade request: 426.</li>
 * </ul>
 */
public interface WebSocketRelaySpec {

    /** Default path the relay answers on. */
    String DEFAULT_PATH = "/ws";
    /** Default largest data message, in bytes (64 KiB, as Reactor Netty's default frame limit). */
    int DEFAULT_MAX_FRAME_PAYLOAD_BYTES = 64 * 1024;
    /** Default time between server pings. */
    long DEFAULT_PING_INTERVAL_MS = 30_000;
    /** Default wait for a pong after a ping. */
    long DEFAULT_PONG_TIMEOUT_MS = 5_000;
    /** Default idle timeout: 0, never close an idle connection (pings keep it alive through proxies). */
    long DEFAULT_IDLE_TIMEOUT_MS = 0;
    /** Default bound on concurrent connections. */
    int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** Default deadline for requests in flight at a graceful shutdown. */
    long DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
    /** Default longest time a closing connection may take before its socket is closed. */
    long DEFAULT_CLOSE_TIMEOUT_MS = 3_000;
    /** Default longest wait for the authenticator's answer. */
    long DEFAULT_AUTHENTICATION_TIMEOUT_MS = 10_000;

    /**
     * A builder with path {@value #DEFAULT_PATH}, data messages up to
     * {@value #DEFAULT_MAX_FRAME_PAYLOAD_BYTES} bytes, a ping every
     * {@value #DEFAULT_PING_INTERVAL_MS} ms answered within {@value #DEFAULT_PONG_TIMEOUT_MS} ms, no
     * idle timeout ({@value #DEFAULT_IDLE_TIMEOUT_MS}), no compression, any origin, no
     * authentication, at most {@value #DEFAULT_MAX_CONNECTIONS} connections, a shutdown deadline of
     * {@value #DEFAULT_SHUTDOWN_TIMEOUT_MS} ms, a close timeout of {@value #DEFAULT_CLOSE_TIMEOUT_MS}
     * ms and an authentication timeout of {@value #DEFAULT_AUTHENTICATION_TIMEOUT_MS} ms.
     *
     * @return a new builder
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * The defaults; see {@link #builder()}.
     *
     * @return the defaults; see {@link #builder()}
     */
    static WebSocketRelaySpec defaults() {
        return new Builder().build();
    }

    /**
     * The route's path, for example {@code /ws}.
     *
     * @return the route's path, for example {@code /ws}
     */
    String path();

    /**
     * The largest data message accepted, in bytes; larger closes with 1009.
     *
     * @return the largest data message accepted, in bytes; larger closes with 1009
     */
    int maxFramePayloadBytes();

    /**
     * Time between server pings; {@link Duration#ZERO} sends none.
     *
     * @return the time between server pings
     */
    Duration pingInterval();

    /**
     * How long a ping may go unanswered before the connection is closed.
     *
     * @return how long a ping may go unanswered before the connection is closed
     */
    Duration pongTimeout();

    /**
     * How long a connection may carry no data frame either way; {@link Duration#ZERO} for never.
     *
     * @return how long a connection may carry no data frame either way; {@link Duration#ZERO} for never
     */
    Duration idleTimeout();

    /**
     * Whether permessage-deflate is offered to clients that ask for it.
     *
     * @return whether permessage-deflate is offered to clients that ask for it
     */
    boolean compress();

    /**
     * The Origin header values allowed at the handshake; empty allows any. A request without Origin (not a browser) is allowed.
     *
     * @return the Origin header values allowed at the handshake; empty allows any
     */
    Set<String> allowedOrigins();

    /**
     * The handshake authenticator, if any.
     *
     * @return the handshake authenticator, if any
     */
    Optional<HandshakeAuthenticator> authenticator();

    /**
     * Longest wait for the authenticator.
     *
     * @return the longest wait for the authenticator
     */
    Duration authenticationTimeout();

    /**
     * How many WebSockets may be open (or in their handshake) at once.
     *
     * @return how many WebSockets may be open (or in their handshake) at once
     */
    int maxConnections();

    /**
     * How long a graceful shutdown lets requests in flight run before closing every session with 1001.
     *
     * @return how long a graceful shutdown lets requests in flight run before closing every session with 1001
     */
    Duration shutdownTimeout();

    /**
     * How long a closing connection may take to flush its last frames and its close frame.
     *
     * @return how long a closing connection may take to flush its last frames and its close frame
     */
    Duration closeTimeout();

    /**
     * The spec of the upgrade itself: frame limit, compression, and pings handed to the relay (handlePing).
     *
     * @return the spec of the upgrade itself: frame limit, compression, and pings handed to the relay (handlePing)
     */
    WebsocketServerSpec websocketServerSpec();

    /**
     * A builder holding this spec's values.
     *
     * @return a builder holding this spec's values
     */
    Builder toBuilder();

    /** Builds a {@link WebSocketRelaySpec}. Not thread-safe; every {@link #build()} returns an immutable spec. */
    final class Builder {
        String path = DEFAULT_PATH;
        int maxFramePayloadBytes = DEFAULT_MAX_FRAME_PAYLOAD_BYTES;
        Duration pingInterval = Duration.ofMillis(DEFAULT_PING_INTERVAL_MS);
        Duration pongTimeout = Duration.ofMillis(DEFAULT_PONG_TIMEOUT_MS);
        Duration idleTimeout = Duration.ofMillis(DEFAULT_IDLE_TIMEOUT_MS);
        boolean compress;
        Set<String> allowedOrigins = Set.of();
        @Nullable HandshakeAuthenticator authenticator;
        Duration authenticationTimeout = Duration.ofMillis(DEFAULT_AUTHENTICATION_TIMEOUT_MS);
        int maxConnections = DEFAULT_MAX_CONNECTIONS;
        Duration shutdownTimeout = Duration.ofMillis(DEFAULT_SHUTDOWN_TIMEOUT_MS);
        Duration closeTimeout = Duration.ofMillis(DEFAULT_CLOSE_TIMEOUT_MS);

        Builder() {
        }

        /**
         * The path, starting with {@code /}.
         *
         * @param path the path, starting with {@code /}
         * @return this builder
         */
        public Builder path(String path) {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("path must start with '/', was '" + path + "'");
            }
            this.path = path;
            return this;
        }

        /**
         * The largest data message in bytes, strictly positive.
         *
         * @param bytes the largest data message in bytes, strictly positive
         * @return this builder
         */
        public Builder maxFramePayloadBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxFramePayloadBytes must be strictly positive, was " + bytes);
            }
            this.maxFramePayloadBytes = bytes;
            return this;
        }

        /**
         * Time between pings, positive; {@link Duration#ZERO} disables pings.
         *
         * @param interval time between pings, positive; {@link Duration#ZERO} disables pings
         * @return this builder
         */
        public Builder pingInterval(Duration interval) {
            this.pingInterval = notNegative(interval, "pingInterval");
            return this;
        }

        /**
         * Wait for a pong, strictly positive.
         *
         * @param timeout wait for a pong, strictly positive
         * @return this builder
         */
        public Builder pongTimeout(Duration timeout) {
            this.pongTimeout = positive(timeout, "pongTimeout");
            return this;
        }

        /**
         * Idle timeout, positive; {@link Duration#ZERO} disables it.
         *
         * @param timeout idle timeout, positive; {@link Duration#ZERO} disables it
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = notNegative(timeout, "idleTimeout");
            return this;
        }

        /**
         * Offer permessage-deflate (default false).
         *
         * @param compress offer permessage-deflate (default false)
         * @return this builder
         */
        public Builder compress(boolean compress) {
            this.compress = compress;
            return this;
        }

        /**
         * The allowed Origin values, such as {@code https://tiles.example.org}; none allows any.
         *
         * @param origins the allowed Origin values, such as {@code https://tiles.example.org}; none allows any
         * @return this builder
         */
        public Builder allowedOrigins(String... origins) {
            Set<String> set = new LinkedHashSet<>();
            for (String o : origins) {
                if (Objects.requireNonNull(o, "origin").isBlank()) {
                    throw new IllegalArgumentException("an allowed origin must not be blank");
                }
                set.add(o);
            }
            this.allowedOrigins = Set.copyOf(set);
            return this;
        }

        /**
         * The handshake authenticator (default: none, every handshake is anonymous).
         *
         * @param authenticator the handshake authenticator (default: none, every handshake is anonymous)
         * @return this builder
         */
        public Builder authenticator(HandshakeAuthenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * Longest wait for the authenticator, strictly positive.
         *
         * @param timeout longest wait for the authenticator, strictly positive
         * @return this builder
         */
        public Builder authenticationTimeout(Duration timeout) {
            this.authenticationTimeout = positive(timeout, "authenticationTimeout");
            return this;
        }

        /**
         * Concurrent connections at most, strictly positive.
         *
         * @param max concurrent connections at most, strictly positive
         * @return this builder
         */
        public Builder maxConnections(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConnections must be strictly positive, was " + max);
            }
            this.maxConnections = max;
            return this;
        }

        /**
         * Deadline for requests in flight at a graceful shutdown, positive.
         *
         * @param timeout deadline for requests in flight at a graceful shutdown, positive
         * @return this builder
         */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = notNegative(timeout, "shutdownTimeout");
            return this;
        }

        /**
         * Longest close, strictly positive.
         *
         * @param timeout longest close, strictly positive
         * @return this builder
         */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = positive(timeout, "closeTimeout");
            return this;
        }

        /**
         * The spec.
         *
         * @return the spec
         * @throws IllegalStateException if pings are on and the pong timeout is not shorter than
         *                               the ping interval
         */
        public WebSocketRelaySpec build() {
            if (!pingInterval.isZero() && pongTimeout.compareTo(pingInterval) >= 0) {
                throw new IllegalStateException("pongTimeout (" + pongTimeout + ") must be shorter than pingInterval ("
                        + pingInterval + "): lower pongTimeout or raise pingInterval");
            }
            return new WebSocketRelaySpecImpl(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be strictly positive, was " + d);
            }
            return d;
        }

        private static Duration notNegative(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, was " + d);
            }
            return d;
        }
    }
}
