package dev.switchboard.benchmarks;

import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.MembershipEvent;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RoutingStrategies;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.transport.netty.WebSocketRelayServer;
import dev.switchboard.transport.zmq.ZmqGateway;
import dev.switchboard.transport.zmq.ZmqGatewaySpec;
import dev.switchboard.transport.zmq.ZmqWorker;
import dev.switchboard.transport.zmq.ZmqWorkerSpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Requests over real loopback WebSockets: client → {@link WebSocketRelayServer} → in-process echo
 * workers → client ({@code target=relay}), against the physical baseline, a bare Reactor Netty
 * echo ({@code target=direct}, {@link DirectEchoServer}), in the same JMH run so their ratio is
 * meaningful; {@code target=zmq} routes every message through a {@link ZmqGateway} over loopback
 * TCP to one {@link ZmqWorker} echoing in the same JVM (capacity {@code connections * window}). The client, in the same JVM on its own event loop, keeps {@code window} requests of
 * 64-byte bodies in flight on each of {@code connections} WebSockets; an operation is one request
 * answered.
 *
 * <p>Run (about 2 minutes):
 * {@code java -jar benchmarks/target/benchmarks.jar WebSocketRelayBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xms512m", "-Xmx512m"})
@Threads(1)
public class WebSocketRelayBenchmark {

    static final int BATCH = 4096;
    static final int BODY_BYTES = 64;

    @Param({"direct", "relay", "zmq"})
    public String target;

    @Param({"16"})
    public int connections;

    @Param({"16"})
    public int window;

    @Param({"4"})
    public int workers;

    private final List<LocalWorker> pool = new ArrayList<>();
    private Router router;
    private ZmqGateway gateway;
    private ZmqWorker zmqWorker;
    private WebSocketRelayServer relayServer;
    private DisposableServer directServer;
    private LoopResources clientLoops;
    private ConnectionProvider clientPool;
    private final List<Disposable> sessions = new ArrayList<>();
    private final List<ClientConnection> clients = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        URI uri;
        if (target.equals("direct")) {
            directServer = DirectEchoServer.start("127.0.0.1", 0);
            uri = URI.create("ws://127.0.0.1:" + directServer.port() + "/ws");
        } else if (target.equals("relay")) {
            Router.Builder rb = Router.builder().strategy(RoutingStrategies.cacheAffinity());
            for (int i = 0; i < workers; i++) {
                LocalWorker w = LocalWorker.builder((request, ctx) -> Flux.just(request.payload()))
                        .id("w" + i).capacity(connections * window).build();
                pool.add(w);
                rb.worker(w);
            }
            router = rb.build();
            relayServer = WebSocketRelayServer.builder(Relay.builder().router(router).maxInFlight(window).build()).bindNow();
            uri = relayServer.uri();
        } else if (target.equals("zmq")) {
            Membership membership = Membership.create();
            router = Router.builder().membership(membership).build();
            gateway = ZmqGateway.builder(membership).bindNow();
            zmqWorker = ZmqWorker.builder((request, ctx) -> Flux.just(request.payload()))
                    .spec(ZmqWorkerSpec.builder().connect(gateway.endpoint()).id("bench")
                    .capacity(connections * window).inline().build()).build();
            // the worker joins the membership when it registers with the gateway
            if (membership.events().ofType(MembershipEvent.Joined.class)
                    .filter(e -> e.worker().id().equals("bench")).blockFirst(Duration.ofSeconds(10)) == null) {
                throw new IllegalStateException("the benchmark's ZeroMQ worker did not register");
            }
            relayServer = WebSocketRelayServer.builder(Relay.builder().router(router).maxInFlight(window).build()).bindNow();
            uri = relayServer.uri();
        } else {
            throw new IllegalArgumentException("target must be direct, relay or zmq: " + target);
        }
        clientLoops = LoopResources.create("bench-client", 1, true);
        clientPool = ConnectionProvider.builder("bench-client").maxConnections(connections + 1).build();
        HttpClient client = HttpClient.create(clientPool).runOn(clientLoops);
        CountDownLatch open = new CountDownLatch(connections);
        String body = "\"" + "x".repeat(BODY_BYTES - 2) + "\"";
        for (int c = 0; c < connections; c++) {
            ClientConnection conn = new ClientConnection(c, body);
            clients.add(conn);
            sessions.add(client.websocket(WebsocketClientSpec.builder().maxFramePayloadLength(1 << 20).build())
                    .uri(uri)
                    .handle((in, out) -> {
                        open.countDown();
                        return out.sendString(conn.out.asFlux(), StandardCharsets.UTF_8).then()
                                .and(in.receive().asString().doOnNext(f -> conn.onResponse()).then());
                    })
                    .subscribe(null, e -> { }));
        }
        if (!open.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("could not open " + connections + " WebSockets to " + uri);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sessions.forEach(Disposable::dispose);
        clientLoops.disposeLater().block(Duration.ofSeconds(5));
        clientPool.disposeLater().block(Duration.ofSeconds(5));
        if (relayServer != null) {
            relayServer.shutdown(Duration.ofSeconds(1)).block(Duration.ofSeconds(10));
            pool.forEach(LocalWorker::close);
            if (zmqWorker != null) {
                zmqWorker.dispose();
                zmqWorker.onDispose().block(Duration.ofSeconds(5));
                gateway.dispose();
                gateway.onDispose().block(Duration.ofSeconds(5));
            }
            router.dispose();
        }
        if (directServer != null) {
            directServer.disposeNow(Duration.ofSeconds(5));
        }
    }

    /**
     * Sends {@link #BATCH} requests spread over the connections, each connection keeping
     * {@code window} in flight, and returns once every one is answered.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long exchange() throws InterruptedException {
        int per = BATCH / connections;
        CountDownLatch done = new CountDownLatch(connections);
        for (ClientConnection c : clients) {
            c.start(per, done);
        }
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("responses missing after 60 s");
        }
        return done.getCount();
    }

    /** One WebSocket: a closed loop of {@code window} requests until its share of the batch is answered. */
    private final class ClientConnection {
        final Sinks.Many<String> out = Sinks.many().unicast().onBackpressureBuffer();
        final String body;
        final int index;
        final AtomicLong answered = new AtomicLong();
        long sent;
        long batchEnd;
        CountDownLatch done;

        ClientConnection(int index, String body) {
            this.index = index;
            this.body = body;
        }

        synchronized void start(int n, CountDownLatch latch) {
            done = latch;
            batchEnd = sent + n;
            for (int i = 0; i < window && sent < batchEnd; i++) {
                send();
            }
        }

        private void send() {
            long id = sent++;
            out.tryEmitNext("{\"id\":" + id + ",\"key\":\"k" + ((index * 31 + id) % 97) + "\",\"body\":" + body + "}");
        }

        synchronized void onResponse() {
            long a = answered.incrementAndGet();
            if (sent < batchEnd) {
                send();
            }
            if (a == batchEnd) {
                done.countDown();
            }
        }
    }
}
