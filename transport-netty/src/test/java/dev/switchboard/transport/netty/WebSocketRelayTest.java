package dev.switchboard.transport.netty;

import dev.switchboard.core.test.Await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.CloseStatus;
import dev.switchboard.core.Payload;
import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RoutingStrategies;
import dev.switchboard.core.routing.RoutingStrategy;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.core.worker.WorkerHandler;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.tcp.SslProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

@ExtendWith(NettyLeakCheck.class)
class WebSocketRelayTest {

    static final WorkerHandler HANDLER = (req, ctx) -> switch (req.key()) {
        case "stream" -> Flux.range(1, 3).map(i -> Payload.json(String.valueOf(i)));
        case "slow" -> Mono.delay(Duration.ofMillis(300)).thenReturn(req.payload()).flux();
        case "who" -> Flux.just(Payload.json("\"" + req.principal().orElse("-") + "\""));
        default -> Flux.just(Payload.json("{\"worker\":\"" + ctx.workerId() + "\",\"echo\":"
                + req.payload().utf8() + "}"));
    };

    private final List<AutoCloseable> clients = new ArrayList<>();
    /**
     * Lets "held" requests answer. The shutdown tests wait until their request is in flight; a
     * request held by a timer (300 ms, as "slow" does) may be answered before a loaded machine
     * looks (seen taking 143 ms at load 9), and the wait then runs out.
     */
    private final Sinks.Empty<Void> release = Sinks.empty();
    private @Nullable WebSocketRelayServer server;
    private @Nullable DisposableServer host;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        if (server != null) {
            server.shutdown(Duration.ZERO).block(TestClient.WAIT);
        }
        if (host != null) {
            host.disposeNow(TestClient.WAIT);
        }
    }

    static Relay relay(RoutingStrategy strategy, int workers) {
        Router.Builder router = Router.builder().strategy(strategy);
        for (int i = 1; i <= workers; i++) {
            router.worker(LocalWorker.builder(HANDLER).id("w" + i).build());
        }
        return Relay.builder().router(router.build()).build();
    }

    /** One worker that answers "held" once {@link #release} completes, and the rest as {@link #HANDLER}. */
    private Relay heldRelay() {
        WorkerHandler held = (req, ctx) -> "held".equals(req.key())
                ? release.asMono().thenReturn(req.payload()).flux()
                : HANDLER.handle(req, ctx);
        return Relay.builder().router(Router.builder().worker(LocalWorker.builder(held).id("w1").build()).build()).build();
    }

    private URI start(WebSocketRelaySpec spec) {
        return start(spec, relay(RoutingStrategies.roundRobin(), 2));
    }

    private URI start(WebSocketRelaySpec spec, Relay relay) {
        server = WebSocketRelayServer.builder(relay).spec(spec).bindNow();
        return server.uri();
    }

    private TestClient connect(URI uri) {
        TestClient c = TestClient.connect(uri);
        clients.add(c);
        assertEquals(101, c.handshakeStatus());
        return c;
    }

    private TestClient connect(URI uri, String header, String value, boolean answerPings) {
        TestClient c = TestClient.connect(uri, h -> h.set(header, value), answerPings);
        clients.add(c);
        return c;
    }

    @Test
    void answersARequestWithOneFrame() {
        TestClient c = connect(start(WebSocketRelaySpec.defaults()));
        c.sendText("{\"id\":1,\"key\":\"k\",\"body\":{\"x\":[1,2]}}");
        String reply = c.nextText();
        assertTrue(reply.startsWith("{\"id\":1,\"body\":{\"worker\":\"w"), reply);
        assertTrue(reply.endsWith(",\"echo\":{\"x\":[1,2]}},\"end\":true}"), reply);
    }

    @Test
    void streamsAResponseAsOneFramePerItemWithTheEndOnTheLast() {
        TestClient c = connect(start(WebSocketRelaySpec.defaults()));
        c.sendText("{\"id\":\"s\",\"key\":\"stream\"}");
        assertEquals("{\"id\":\"s\",\"body\":1}", c.nextText());
        assertEquals("{\"id\":\"s\",\"body\":2}", c.nextText());
        assertEquals("{\"id\":\"s\",\"body\":3,\"end\":true}", c.nextText());
    }

    @Test
    void answersAnUndecodableMessageWithAnErrorAndKeepsTheSession() {
        TestClient c = connect(start(WebSocketRelaySpec.defaults()));
        c.sendText("not json");
        assertTrue(c.nextText().contains("\"bad_request\""));
        c.sendText("{\"id\":2,\"key\":\"stream\"}");
        assertEquals("{\"id\":2,\"body\":1}", c.nextText());
    }

    @Test
    void closesWith1007OnInvalidUtf8() {
        TestClient c = connect(start(WebSocketRelaySpec.defaults()));
        byte[] bad = TestClient.utf8("{\"id\":1,\"key\":\"k\",\"body\":\"xx\"}");
        bad[bad.length - 4] = (byte) 0xC3;
        bad[bad.length - 3] = (byte) 0x28;
        c.sendTextBytes(bad);
        assertEquals(1007, c.awaitClose().code());
    }

    @Test
    void closesWith1007OnAnEncodedSurrogate() {
        TestClient c = connect(start(WebSocketRelaySpec.defaults()));
        c.sendTextBytes(new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'});
        assertEquals(1007, c.awaitClose().code());
    }

    @Test
    void closesWith1009OnAFrameOverTheLimit() {
        TestClient c = connect(start(WebSocketRelaySpec.builder().maxFramePayloadBytes(1024).build()));
        c.sendText("{\"id\":1,\"key\":\"k\",\"body\":\"" + "x".repeat(600) + "\"}");
        assertTrue(c.nextText().contains("\"end\":true"));
        c.sendText("{\"id\":2,\"key\":\"k\",\"body\":\"" + "x".repeat(2000) + "\"}");
        assertEquals(1009, c.awaitClose().code());
    }

    @Test
    void closesWith1009OnAFrameOverTheDefault64KiB() {
        TestClient c = connect(start(WebSocketRelaySpec.defaults()));
        c.sendBinary(new byte[64 * 1024 + 1]);
        assertEquals(1009, c.awaitClose().code());
    }

    @Test
    void closesWith1009OnAFragmentedMessageOverTheLimit() {
        TestClient c = connect(start(WebSocketRelaySpec.builder().maxFramePayloadBytes(1024).build()));
        c.send(new TextWebSocketFrame(false, 0, Unpooled.copiedBuffer("x".repeat(600), StandardCharsets.UTF_8)));
        c.send(new ContinuationWebSocketFrame(true, 0, Unpooled.copiedBuffer("x".repeat(600), StandardCharsets.UTF_8)));
        assertEquals(1009, c.awaitClose().code());
    }

    @Test
    void aggregatesAFragmentedMessageWithinTheLimit() {
        TestClient c = connect(start(WebSocketRelaySpec.defaults()));
        c.send(new TextWebSocketFrame(false, 0, Unpooled.copiedBuffer("{\"id\":1,\"key\":", StandardCharsets.UTF_8)));
        c.send(new ContinuationWebSocketFrame(true, 0, Unpooled.copiedBuffer("\"stream\"}", StandardCharsets.UTF_8)));
        assertEquals("{\"id\":1,\"body\":1}", c.nextText());
    }

    @Test
    void servesTlsWithTheHostsSslProvider(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("relay.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "relay", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit").redirectErrorStream(true).start();
        assertTrue(keytool.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && keytool.exitValue() == 0,
                new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        server = WebSocketRelayServer.builder(relay(RoutingStrategies.roundRobin(), 1))
                .secure(SslProvider.builder().sslContext(generic(Http11SslContextSpec.forServer(kmf))).build())
                .bindNow();
        assertTrue(server.uri().toString().startsWith("wss://127.0.0.1:"), server.uri().toString());
        HttpClient tls = HttpClient.create().secure(s -> s.sslContext(generic(Http11SslContextSpec.forClient()
                .configure(b -> b.trustManager(InsecureTrustManagerFactory.INSTANCE)))));
        TestClient c = TestClient.connect(tls, server.uri());
        clients.add(c);
        assertEquals(101, c.handshakeStatus());
        c.sendText("{\"id\":1,\"key\":\"stream\"}");
        assertEquals("{\"id\":1,\"body\":1}", c.nextText());
    }

    /** Picks the non-deprecated {@code sslContext(GenericSslContextSpec)} overload. */
    private static SslProvider.GenericSslContextSpec<?> generic(Http11SslContextSpec spec) {
        return spec;
    }

    @Test
    void pingsTheClientAndKeepsAClientThatAnswers() {
        URI uri = start(WebSocketRelaySpec.builder().pingInterval(Duration.ofMillis(200))
                .pongTimeout(Duration.ofMillis(100)).build());
        TestClient c = connect(uri);
        c.next(TestClient.Ping.class);
        c.next(TestClient.Ping.class);
        c.next(TestClient.Ping.class);
        c.sendText("{\"id\":1,\"key\":\"stream\"}");
        assertEquals("{\"id\":1,\"body\":1}", c.nextText());
    }

    @Test
    void closesAClientThatStopsAnsweringPingsWithinPingIntervalPlusPongTimeout() {
        Duration interval = Duration.ofMillis(300);
        Duration pongTimeout = Duration.ofMillis(150);
        URI uri = start(WebSocketRelaySpec.builder().pingInterval(interval).pongTimeout(pongTimeout).build());
        TestClient c = connect(uri, "X-Test", "silent", false);
        long start = System.nanoTime();
        c.next(TestClient.Ping.class);
        CloseStatus status = c.awaitClose();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(1008, status.code());
        assertEquals("no pong", status.reason());
        // measured from after the handshake, so the bound holds with room for scheduling
        assertTrue(took.compareTo(interval.plus(pongTimeout).plusMillis(500)) <= 0, "closed after " + took);
        awaitConnections(0);
    }

    @Test
    void keepsAClientWhosePongWaitsUnreadWhileTheRelayPushesBack() {
        // one request in flight at most: while the slow one runs, the socket is not read, pongs included;
        // a ping goes out before the slow one ends, and its pong has 150 ms, time for a loaded machine after
        Router router = Router.builder().worker(LocalWorker.builder(HANDLER).id("w1").build()).build();
        Relay relay = Relay.builder().router(router).maxInFlight(1).build();
        URI uri = start(WebSocketRelaySpec.builder().pingInterval(Duration.ofMillis(200))
                .pongTimeout(Duration.ofMillis(150)).build(), relay);
        TestClient c = connect(uri);
        c.sendText("{\"id\":1,\"key\":\"slow\",\"body\":1}");
        c.sendText("{\"id\":2,\"key\":\"slow\",\"body\":2}");
        // a slow answer comes from a timer, after the handler's call: its end follows alone
        assertEquals("{\"id\":1,\"body\":1}", c.nextText());
        assertEquals("{\"id\":1,\"end\":true}", c.nextText());
        assertEquals("{\"id\":2,\"body\":2}", c.nextText());
        assertEquals("{\"id\":2,\"end\":true}", c.nextText());
        c.sendText("{\"id\":3,\"key\":\"stream\"}");
        assertEquals("{\"id\":3,\"body\":1}", c.nextText());
    }

    @Test
    void aResponseAnsweredOnAWorkersThreadIsEncodedOnTheConnectionsEventLoop() {
        // the worker answers from Reactor's parallel scheduler; the relay hands the answer to the
        // channel's event loop, where it is encoded and written
        Set<String> encodedOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
        dev.switchboard.core.Codec json = dev.switchboard.core.Codec.json();
        dev.switchboard.core.Codec watching = new dev.switchboard.core.Codec() {
            @Override
            public dev.switchboard.core.ClientMessage decode(dev.switchboard.core.Payload frame,
                                                              dev.switchboard.core.Session session)
                    throws dev.switchboard.core.CodecException {
                return json.decode(frame, session);
            }

            @Override
            public dev.switchboard.core.Payload encode(dev.switchboard.core.Response response) {
                encodedOn.add(Thread.currentThread().getName());
                return json.encode(response);
            }
        };
        Router router = Router.builder().worker(LocalWorker.builder(HANDLER).id("w1").build()).build();
        Relay relay = Relay.builder().router(router).codec(watching).build();
        TestClient c = connect(start(WebSocketRelaySpec.defaults(), relay));
        c.sendText("{\"id\":1,\"key\":\"slow\",\"body\":1}");
        assertEquals("{\"id\":1,\"body\":1}", c.nextText());
        assertEquals("{\"id\":1,\"end\":true}", c.nextText());
        assertFalse(encodedOn.isEmpty());
        assertTrue(encodedOn.stream().allMatch(t -> t.startsWith("reactor-http")), "encoded on " + encodedOn);
    }

    @Test
    void closesAnIdleConnection() {
        URI uri = start(WebSocketRelaySpec.builder().idleTimeout(Duration.ofMillis(300)).build());
        TestClient c = connect(uri);
        c.sendText("{\"id\":1,\"key\":\"stream\"}");
        c.nextText();
        CloseStatus status = c.awaitClose();
        assertEquals(new CloseStatus(1000, "idle"), status);
    }

    @Test
    void refusesAnOriginOutsideTheAllowList() {
        URI uri = start(WebSocketRelaySpec.builder().allowedOrigins("https://tiles.example.org").build());
        TestClient refused = connect(uri, HttpHeaderNames.ORIGIN.toString(), "https://evil.example.com", true);
        assertEquals(403, refused.handshakeStatus());
        TestClient allowed = connect(uri, HttpHeaderNames.ORIGIN.toString(), "https://tiles.example.org", true);
        assertEquals(101, allowed.handshakeStatus());
        awaitConnections(1);
    }

    @Test
    void refusesAHandshakeTheAuthenticatorRefusesAndHandsTheAcceptedPrincipalToTheWorker() {
        HandshakeAuthenticator auth = req -> {
            String token = req.requestHeaders().get("Authorization");
            return "Bearer alice".equals(token) ? Mono.just("alice") : Mono.empty();
        };
        URI uri = start(WebSocketRelaySpec.builder().authenticator(auth).build());
        assertEquals(401, connect(uri, "Authorization", "Bearer mallory", true).handshakeStatus());
        TestClient alice = connect(uri, "Authorization", "Bearer alice", true);
        assertEquals(101, alice.handshakeStatus());
        alice.sendText("{\"id\":1,\"key\":\"who\"}");
        assertEquals("{\"id\":1,\"body\":\"alice\",\"end\":true}", alice.nextText());
        awaitConnections(1);
    }

    @Test
    void answers500WhenTheAuthenticatorFails() {
        URI uri = start(WebSocketRelaySpec.builder()
                .authenticator(req -> Mono.error(new IllegalStateException("directory down"))).build());
        assertEquals(500, connect(uri, "X-Test", "x", true).handshakeStatus());
        awaitConnections(0);
    }

    @Test
    void refusesConnectionsAboveTheBoundWith503() {
        URI uri = start(WebSocketRelaySpec.builder().maxConnections(2).build());
        TestClient a = connect(uri);
        connect(uri);
        assertEquals(503, connect(uri, "X-Test", "third", true).handshakeStatus());
        a.close();
        awaitConnections(1);
        TestClient d = connect(uri);
        d.sendText("{\"id\":1,\"key\":\"stream\"}");
        assertEquals("{\"id\":1,\"body\":1}", d.nextText());
    }

    @Test
    void shutsDownGracefullyFinishingRequestsInFlightAndClosingWith1001() {
        URI uri = start(WebSocketRelaySpec.defaults(), heldRelay());
        TestClient busy = connect(uri);
        TestClient idle = connect(uri);
        busy.sendText("{\"id\":1,\"key\":\"held\",\"body\":\"done\"}");
        awaitInFlight(1);
        Mono<Void> shutdown = server.shutdown(Duration.ofSeconds(5)).cache();
        shutdown.subscribe();
        Await.until(TestClient.WAIT, () -> server.handler().isShuttingDown(), "shutting down");
        release.tryEmitEmpty();
        // the held answer comes after the handler's call: its end follows alone
        assertEquals("{\"id\":1,\"body\":\"done\"}", busy.nextText());
        assertEquals("{\"id\":1,\"end\":true}", busy.nextText());
        assertEquals(1001, busy.awaitClose().code());
        assertEquals(1001, idle.awaitClose().code());
        shutdown.block(TestClient.WAIT);
        assertEquals(0, server.handler().connections());
        assertTrue(server.handler().isShuttingDown());
    }

    @Test
    void shutdownClosesWith1001AtTheDeadlineWhenRequestsDoNotFinish() {
        URI uri = start(WebSocketRelaySpec.defaults(), heldRelay());
        TestClient busy = connect(uri);
        // never released: the request does not finish
        busy.sendText("{\"id\":1,\"key\":\"held\",\"body\":\"late\"}");
        awaitInFlight(1);
        server.shutdown(Duration.ofMillis(50)).block(TestClient.WAIT);
        assertEquals(1001, busy.awaitClose().code());
    }

    @Test
    void servesBesideTheHostsOwnRoutes() {
        WebSocketRelayHandler relayRoute = WebSocketRelayHandler.builder(relay(RoutingStrategies.roundRobin(), 1))
                .spec(WebSocketRelaySpec.builder().path("/relay").build())
                .build();
        host = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> relayRoute.mount(r).get("/health", (req, res) -> res.sendString(Mono.just("ok"))))
                .bindNow(TestClient.WAIT);
        String base = "127.0.0.1:" + host.port();
        String health = HttpClient.create().get().uri("http://" + base + "/health")
                .responseContent().aggregate().asString().block(TestClient.WAIT);
        assertEquals("ok", health);
        Integer plain = HttpClient.create().get().uri("http://" + base + "/relay")
                .response().map(r -> r.status().code()).block(TestClient.WAIT);
        assertEquals(426, plain);
        TestClient c = connect(URI.create("ws://" + base + "/relay"));
        c.sendText("{\"id\":7,\"key\":\"stream\"}");
        assertEquals("{\"id\":7,\"body\":1}", c.nextText());
        relayRoute.shutdown(Duration.ZERO).block(TestClient.WAIT);
        assertEquals(1001, c.awaitClose().code());
        // the host keeps serving; the drained relay route refuses new handshakes
        TestClient late = TestClient.connect(URI.create("ws://" + base + "/relay"));
        clients.add(late);
        assertEquals(503, late.handshakeStatus());
        assertEquals("ok", HttpClient.create().get().uri("http://" + base + "/health")
                .responseContent().aggregate().asString().block(TestClient.WAIT));
    }

    @Test
    void negotiatesPermessageDeflateOnlyWhenEnabled() throws Exception {
        URI plain = start(WebSocketRelaySpec.defaults());
        assertFalse(handshakeHead(plain).contains("permessage-deflate"));
        server.shutdown(Duration.ZERO).block(TestClient.WAIT);
        URI compressed = start(WebSocketRelaySpec.builder().compress(true).build());
        String head = handshakeHead(compressed);
        assertTrue(head.startsWith("HTTP/1.1 101"), head);
        assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("sec-websocket-extensions: permessage-deflate"), head);
    }

    /** The response head of a raw handshake that offers permessage-deflate. */
    private static String handshakeHead(URI uri) throws Exception {
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.getOutputStream().write(("GET " + uri.getPath() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            java.io.InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
            return head.toString();
        }
    }

    @Test
    void compressesWithPermessageDeflateWhenEnabled() {
        URI uri = start(WebSocketRelaySpec.builder().compress(true).build());
        TestClient c = TestClient.connectCompressed(uri);
        clients.add(c);
        assertEquals(101, c.handshakeStatus());
        String body = "\"" + "tile ".repeat(2000) + "\"";
        c.sendText("{\"id\":1,\"key\":\"k\",\"body\":" + body + "}");
        assertTrue(c.nextText().contains("tile tile"));
    }

    @Test
    void sameKeyReachesTheSameWorkerFromAnyConnectionAndKeysSpreadOverAllWorkers() {
        URI uri = start(WebSocketRelaySpec.defaults(), relay(RoutingStrategies.rendezvous(), 3));
        Set<String> workersOfOneKey = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            TestClient c = connect(uri);
            c.sendText("{\"id\":" + i + ",\"key\":\"pyramid-7.tif\"}");
            workersOfOneKey.add(worker(c.nextText()));
        }
        assertEquals(1, workersOfOneKey.size(), workersOfOneKey.toString());
        TestClient c = connect(uri);
        Set<String> all = new HashSet<>();
        for (int k = 0; k < 30; k++) {
            c.sendText("{\"id\":" + k + ",\"key\":\"file-" + k + "\"}");
            all.add(worker(c.nextText()));
        }
        assertEquals(Set.of("w1", "w2", "w3"), all);
    }

    private static String worker(String reply) {
        int i = reply.indexOf("\"worker\":\"") + 10;
        return reply.substring(i, reply.indexOf('"', i));
    }

    private void awaitConnections(int n) {
        Await.until(TestClient.WAIT, () -> server != null && server.handler().connections() == n,
                "connections == " + n);
    }

    private void awaitInFlight(long n) {
        Await.until(TestClient.WAIT, () -> server != null
                && serverRelayInFlight() == n, "in flight == " + n);
    }

    private long serverRelayInFlight() {
        return relayOf(server).metrics().snapshot().inFlight();
    }

    private static Relay relayOf(WebSocketRelayServer s) {
        return s.handler().relay();
    }

}
