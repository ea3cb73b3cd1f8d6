package dev.switchboard.transport.netty;

import dev.switchboard.core.Relay;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * The relay as a route of a host's {@code HttpServer}: it checks the handshake (origin,
 * authentication, connection bound, shutdown), upgrades, and serves each WebSocket as one
 * session of the {@link Relay}.
 *
 * <pre>{@code
 * WebSocketRelayHandler relayRoute = WebSocketRelayHandler.builder(relay)
 *         .spec(WebSocketRelaySpec.defaults())
 *         .build();
 * DisposableServer server = HttpServer.create().host("127.0.0.1").port(8080)
 *         .route(r -> relayRoute.mount(r).get("/health", (req, res) -> res.sendString(Mono.just("ok"))))
 *         .bindNow();
 * }</pre>
 *
 * <p>It is mounted as an ordinary GET route ({@code r.get(spec.path(), handler)}), not with
 * {@code r.ws(..)}: {@code ws} upgrades before any code runs, so a refused origin or principal
 * could only be closed after the upgrade, never answered 403 or 401. TLS is the host server's:
 * {@code HttpServer.secure(..)}.
 *
 * <p>{@link #shutdown()} drains it: new handshakes get 503, sessions stop reading requests, those
 * in flight run until done or until the deadline, then every session is closed with 1001. The
 * host closes its listening socket itself ({@link WebSocketRelayServer} does both).
 *
 * <p>Thread-safe; holds at most {@link WebSocketRelaySpec#maxConnections()} sessions.
 */
public final class WebSocketRelayHandler
        implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

    private static final Logger log = LoggerFactory.getLogger(WebSocketRelayHandler.class);
    private static final Duration DRAIN_POLL = Duration.ofMillis(20);

    private final Relay relay;
    private final WebSocketRelaySpec spec;
    private final AtomicInteger connections = new AtomicInteger();
    private final Set<WebSocketConnection> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean draining = new AtomicBoolean();

    private WebSocketRelayHandler(Relay relay, WebSocketRelaySpec spec) {
        this.relay = Objects.requireNonNull(relay, "relay");
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    /**
     * A builder of a handler serving {@code relay}, with {@link WebSocketRelaySpec#defaults()}.
     *
     * @param relay the relay that serves the sessions
     * @return a builder of a handler serving {@code relay}
     */
    public static Builder builder(Relay relay) {
        return new Builder(relay);
    }

    /**
     * Adds this handler to {@code routes} as the GET route of {@link WebSocketRelaySpec#path()}; returns {@code routes}.
     *
     * @param routes the host's routes
     * @return {@code routes}
     */
    public HttpServerRoutes mount(HttpServerRoutes routes) {
        return routes.get(spec.path(), this);
    }

    /**
     * The relay it serves.
     *
     * @return the relay it serves
     */
    public Relay relay() {
        return relay;
    }

    /**
     * The spec it serves by.
     *
     * @return the spec it serves by
     */
    public WebSocketRelaySpec spec() {
        return spec;
    }

    /**
     * WebSockets open or in their handshake now.
     *
     * @return how many WebSockets are open or in their handshake
     */
    public int connections() {
        return connections.get();
    }

    /**
     * Whether a shutdown has begun.
     *
     * @return whether a shutdown has begun
     */
    public boolean isShuttingDown() {
        return draining.get();
    }

    @Override
    public Publisher<Void> apply(HttpServerRequest request, HttpServerResponse response) {
        HttpHeaders headers = request.requestHeaders();
        if (!headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                || !headers.contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            return refuse(response, HttpResponseStatus.UPGRADE_REQUIRED, "a WebSocket upgrade is required");
        }
        if (draining.get()) {
            return refuse(response, HttpResponseStatus.SERVICE_UNAVAILABLE, "shutting down");
        }
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (origin != null && !spec.allowedOrigins().isEmpty() && !spec.allowedOrigins().contains(origin)) {
            if (log.isDebugEnabled()) {
                log.debug("refusing origin {}", origin);
            }
            return refuse(response, HttpResponseStatus.FORBIDDEN, "origin not allowed");
        }
        Slot slot = new Slot();
        if (connections.incrementAndGet() > spec.maxConnections()) {
            slot.release();
            return refuse(response, HttpResponseStatus.SERVICE_UNAVAILABLE, "too many connections");
        }
        request.withConnection(c -> c.onDispose(slot::release));
        Optional<HandshakeAuthenticator> auth = spec.authenticator();
        Mono<Decision> decision = auth.isEmpty()
                ? Mono.just(Decision.ANONYMOUS)
                : Mono.defer(() -> auth.get().authenticate(request))
                        .timeout(spec.authenticationTimeout())
                        .map(Decision::accept)
                        .defaultIfEmpty(Decision.UNAUTHORIZED)
                        .onErrorResume(e -> {
                            log.debug("authentication failed", e);
                            return Mono.just(Decision.FAILED);
                        });
        Map<String, String> attributes = attributes(request);
        return decision.flatMap(d -> {
            if (d.refusal != null) {
                slot.release();
                return refuse(response, d.refusal, d.refusal == HttpResponseStatus.UNAUTHORIZED
                        ? "authentication required" : "authentication failed");
            }
            if (draining.get()) {
                slot.release();
                return refuse(response, HttpResponseStatus.SERVICE_UNAVAILABLE, "shutting down");
            }
            return response.sendWebsocket((in, out) -> serve(new WebSocketConnection(in, out, spec, d.principal,
                    attributes, request.remoteAddress())), spec.websocketServerSpec());
        });
    }

    /** The authenticator's verdict: a principal (or anonymous), or a refusal status. */
    private static final class Decision {
        static final Decision ANONYMOUS = new Decision(null, null);
        static final Decision UNAUTHORIZED = new Decision(null, HttpResponseStatus.UNAUTHORIZED);
        static final Decision FAILED = new Decision(null, HttpResponseStatus.INTERNAL_SERVER_ERROR);

        final @Nullable String principal;
        final @Nullable HttpResponseStatus refusal;

        private Decision(@Nullable String principal, @Nullable HttpResponseStatus refusal) {
            this.principal = principal;
            this.refusal = refusal;
        }

        static Decision accept(String principal) {
            return new Decision(principal, null);
        }
    }

    private Mono<Void> serve(WebSocketConnection c) {
        sessions.add(c);
        c.onClose().subscribe(s -> sessions.remove(c));
        if (draining.get()) {
            c.stopReading();
            c.goAway();
        }
        return relay.serve(c).then(Mono.defer(() -> c.close(dev.switchboard.core.CloseStatus.NORMAL)));
    }

    private static Mono<Void> refuse(HttpServerResponse response, HttpResponseStatus status, String why) {
        return response.status(status)
                .header(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .sendString(Mono.just(why))
                .then();
    }

    /** Query parameters taken as session attributes at most. */
    static final int MAX_QUERY_PARAMETERS = 16;
    /** Longest query parameter name or value taken as a session attribute. */
    static final int MAX_ATTRIBUTE_CHARS = 256;

    private static Map<String, String> attributes(HttpServerRequest request) {
        Map<String, String> a = new LinkedHashMap<>();
        String uri = request.uri();
        int q = uri.indexOf('?');
        a.put("path", q < 0 ? uri : uri.substring(0, q));
        if (q >= 0) {
            a.put("query", uri.substring(q + 1));
            // each parameter as "query.<name>" (its first value), a bounded number of them
            new QueryStringDecoder(uri, StandardCharsets.UTF_8, true, MAX_QUERY_PARAMETERS).parameters()
                    .forEach((name, values) -> {
                        if (!values.isEmpty() && name.length() <= MAX_ATTRIBUTE_CHARS
                                && values.get(0).length() <= MAX_ATTRIBUTE_CHARS) {
                            a.put("query." + name, values.get(0));
                        }
                    });
        }
        return a;
    }

    /**
     * Shuts down gracefully within the spec's {@link WebSocketRelaySpec#shutdownTimeout()}.
     *
     * @return a Mono that completes once every session is closed
     * @see #shutdown(Duration)
     */
    public Mono<Void> shutdown() {
        return shutdown(spec.shutdownTimeout());
    }

    /**
     * Refuses new handshakes (503), stops reading requests on every session, waits until the
     * relay has no request in flight or {@code deadline} passed, then closes every session with
     * 1001 and completes once their sockets are closed. Requests that arrive after the shutdown
     * began are not served; their clients see 1001 and may retry elsewhere. The wait covers the
     * whole relay: a relay shared with other transports waits for their requests too.
     *
     * @param deadline how long requests in flight may run before every session is closed
     * @return a Mono that completes once every session is closed
     */
    public Mono<Void> shutdown(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline");
        return Mono.defer(() -> {
            draining.set(true);
            sessions.forEach(WebSocketConnection::stopReading);
            Mono<Void> drained = Flux.interval(Duration.ZERO, DRAIN_POLL)
                    .filter(t -> relay.metrics().snapshot().inFlight() == 0)
                    .next()
                    .then()
                    .timeout(deadline, Mono.empty());
            return drained.then(Mono.defer(() -> {
                List<WebSocketConnection> open = List.copyOf(sessions);
                if (!open.isEmpty()) {
                    log.info("closing {} sessions with 1001", open.size());
                }
                open.forEach(WebSocketConnection::goAway);
                return Flux.fromIterable(open).flatMap(WebSocketConnection::onClose, Math.max(1, open.size()))
                        .then()
                        .timeout(spec.closeTimeout().multipliedBy(2), Mono.empty());
            }));
        });
    }

    /** One place among the connections; released once. */
    private final class Slot {
        private final AtomicBoolean released = new AtomicBoolean();

        void release() {
            if (released.compareAndSet(false, true)) {
                connections.decrementAndGet();
            }
        }
    }

    @Override
    public String toString() {
        return "WebSocketRelayHandler[" + spec.path() + ", " + connections.get() + " connections]";
    }


    /**
     * Builds a {@link WebSocketRelayHandler}: {@code WebSocketRelayHandler.builder(relay).spec(spec).build()}.
     * Not thread-safe.
     */
    public static final class Builder {
        private final Relay relay;
        private WebSocketRelaySpec spec = WebSocketRelaySpec.defaults();

        private Builder(Relay relay) {
            this.relay = Objects.requireNonNull(relay, "relay");
        }

        /**
         * The spec (default {@link WebSocketRelaySpec#defaults()}).
         *
         * @param spec the WebSocket configuration
         * @return this builder
         */
        public Builder spec(WebSocketRelaySpec spec) {
            this.spec = Objects.requireNonNull(spec, "spec");
            return this;
        }

        /**
         * A handler serving the relay as the spec says.
         *
         * @return a handler, to mount on the host's routes
         */
        public WebSocketRelayHandler build() {
            return new WebSocketRelayHandler(relay, spec);
        }
    }
}
