package dev.switchboard.benchmarks;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.transport.zmq.ZmqGateway;
import dev.switchboard.transport.zmq.ZmqGatewaySpec;
import dev.switchboard.transport.zmq.ZmqWorker;
import dev.switchboard.transport.zmq.ZmqWorkerSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import reactor.core.publisher.Flux;

/**
 * Requests per second through a {@link ZmqGateway} to a {@link ZmqWorker} echoing in the same
 * JVM, against raw JeroMQ ROUTER–DEALER round trips with the same payload and the same number
 * of requests in flight (the window). Everything runs over TCP on loopback; the ratio
 * {@code relay / raw} is the figure of merit (target: at least 0.7).
 *
 * <p>Two raw baselines run in the same trial: {@code raw}, ROUTER and DEALER in one context, so
 * one JeroMQ I/O thread carries both ends of the connection, as it carries the relay's gateway
 * and worker here (the sockets of one process share one context); and {@code rawTwoContexts},
 * each end in a context of its own, as two processes would be. The baseline is
 * {@code raw}; the other shows what the shared I/O thread is worth.
 *
 * <pre>
 * mvn -o -q package -DskipTests -pl benchmarks -am
 * java -jar benchmarks/target/benchmarks.jar ZmqRelayBenchmark
 * </pre>
 *
 * <p>The relay needs about 10 s of warm-up before its iterations settle, hence 5 x 3 s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 3)
public class ZmqRelayBenchmark {

    /** Round trips per benchmark invocation. */
    static final int BATCH = 2000;

    /** Body size in bytes. */
    @Param({"64", "1024"})
    public int payloadBytes;

    /** Requests in flight at once. */
    @Param({"16"})
    public int window;

    private Router router;
    private ZmqGateway gateway;
    private ZmqWorker worker;
    private Request request;

    private RawPair raw;
    private RawPair rawTwoContexts;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] json = new byte[payloadBytes];
        Arrays.fill(json, (byte) 'x');
        json[0] = '"';
        json[json.length - 1] = '"';
        request = Request.builder().id(RequestId.of(1)).key("k").payload(Payload.json(json)).build();

        Membership membership = Membership.create();
        router = Router.builder().membership(membership).maxWaiting(BATCH).build();
        gateway = ZmqGateway.bindNow(ZmqGatewaySpec.builder().build(), membership);
        worker = ZmqWorker.start(ZmqWorkerSpec.builder().connect(gateway.endpoint()).id("bench").capacity(window)
                .build(), (req, ctx) -> Flux.just(req.payload()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!gateway.workerIds().contains("bench")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the benchmark worker did not register");
            }
            Thread.onSpinWait();
        }

        raw = new RawPair(json.clone(), false);
        rawTwoContexts = new RawPair(json.clone(), true);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        worker.dispose();
        gateway.dispose();
        gateway.onDispose().block(Duration.ofSeconds(10));
        router.dispose();
        raw.close();
        rawTwoContexts.close();
    }

    /** Round trips through the gateway and the router, {@code window} in flight. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long relay() {
        Long n = Flux.range(0, BATCH).flatMap(i -> router.route(request), window, 1).count().block();
        return n == null ? 0 : n;
    }

    /** Raw ROUTER–DEALER round trips with the same body, {@code window} in flight, one context. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long raw() {
        return raw.roundTrips(BATCH, window);
    }

    /** As {@link #raw()}, with ROUTER and DEALER each in a context (and I/O thread) of its own. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long rawTwoContexts() {
        return rawTwoContexts.roundTrips(BATCH, window);
    }

    /**
     * A ROUTER on the benchmark thread and a DEALER echoing every message on a thread of its
     * own, over TCP on loopback; stopped by a control message.
     */
    static final class RawPair {
        private static final byte[] ID = "echo".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] STOP = "STOP".getBytes(StandardCharsets.US_ASCII);

        private final byte[] body;
        private final ZContext routerContext = new ZContext(1);
        private final ZContext dealerContext;
        private final ZMQ.Socket router;
        private final Thread echo;

        RawPair(byte[] body, boolean twoContexts) {
            this.body = body;
            this.dealerContext = twoContexts ? new ZContext(1) : routerContext;
            router = routerContext.createSocket(SocketType.ROUTER);
            router.setRouterMandatory(true);
            router.setLinger(0);
            router.bind("tcp://127.0.0.1:*");
            String endpoint = router.getLastEndpoint();
            echo = new Thread(() -> echo(endpoint), "raw-dealer-echo");
            echo.start();
            while (true) {
                try {
                    router.send(ID, ZMQ.SNDMORE);
                    router.send(new byte[0]);
                    break;
                } catch (org.zeromq.ZMQException e) {
                    // the DEALER is not connected yet
                    Thread.onSpinWait();
                }
            }
            router.recv();
            router.recv();
        }

        private void echo(String endpoint) {
            ZMQ.Socket dealer = dealerContext.createSocket(SocketType.DEALER);
            dealer.setIdentity(ID);
            dealer.setLinger(0);
            dealer.connect(endpoint);
            while (true) {
                byte[] m = dealer.recv();
                if (Arrays.equals(m, STOP)) {
                    break;
                }
                dealer.send(m);
            }
            dealerContext.destroySocket(dealer);
        }

        long roundTrips(int count, int window) {
            int sent = 0;
            int received = 0;
            while (sent < window) {
                router.send(ID, ZMQ.SNDMORE);
                router.send(body.clone());
                sent++;
            }
            long bytes = 0;
            while (received < count) {
                router.recv();
                bytes += router.recv().length;
                received++;
                if (sent < count) {
                    router.send(ID, ZMQ.SNDMORE);
                    router.send(body.clone());
                    sent++;
                }
            }
            return bytes;
        }

        void close() throws InterruptedException {
            router.send(ID, ZMQ.SNDMORE);
            router.send(STOP);
            echo.join(10_000);
            routerContext.close();
            if (dealerContext != routerContext) {
                dealerContext.close();
            }
        }
    }
}
