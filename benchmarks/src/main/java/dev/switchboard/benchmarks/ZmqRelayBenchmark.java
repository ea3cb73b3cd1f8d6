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
 * of requests in flight (the window). Both run over TCP on loopback; the ratio
 * {@code relay / raw} is the figure of merit (target: at least 0.7).
 *
 * <pre>
 * mvn -o -q package -DskipTests -pl benchmarks -am
 * java -jar benchmarks/target/benchmarks.jar ZmqRelayBenchmark -f 1 -wi 2 -w 2s -i 3 -r 3s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
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

    private ZContext rawContext;
    private ZMQ.Socket rawRouter;
    private Thread rawEcho;
    private byte[] rawBody;
    private static final byte[] RAW_ID = "echo".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RAW_STOP = "STOP".getBytes(StandardCharsets.US_ASCII);

    @Setup(Level.Trial)
    public void setUp() {
        byte[] json = new byte[payloadBytes];
        Arrays.fill(json, (byte) 'x');
        json[0] = '"';
        json[json.length - 1] = '"';
        request = Request.builder().id(RequestId.of(1)).key("k").payload(Payload.json(json)).build();
        rawBody = json.clone();

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

        rawContext = new ZContext(1);
        rawRouter = rawContext.createSocket(SocketType.ROUTER);
        rawRouter.setRouterMandatory(true);
        rawRouter.setLinger(0);
        rawRouter.bind("tcp://127.0.0.1:*");
        String endpoint = rawRouter.getLastEndpoint();
        rawEcho = new Thread(() -> echo(endpoint), "raw-dealer-echo");
        rawEcho.start();
        while (true) {
            try {
                rawRouter.send(RAW_ID, ZMQ.SNDMORE);
                rawRouter.send(new byte[0]);
                break;
            } catch (org.zeromq.ZMQException e) {
                // the DEALER is not connected yet
                Thread.onSpinWait();
            }
        }
        rawRouter.recv();
        rawRouter.recv();
    }

    /** The raw worker: one DEALER echoing every message, stopped by a control message. */
    private void echo(String endpoint) {
        ZMQ.Socket dealer = rawContext.createSocket(SocketType.DEALER);
        dealer.setIdentity(RAW_ID);
        dealer.setLinger(0);
        dealer.connect(endpoint);
        while (true) {
            byte[] m = dealer.recv();
            if (Arrays.equals(m, RAW_STOP)) {
                break;
            }
            dealer.send(m);
        }
        rawContext.destroySocket(dealer);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        worker.dispose();
        gateway.dispose();
        gateway.onDispose().block(Duration.ofSeconds(10));
        router.dispose();
        rawRouter.send(RAW_ID, ZMQ.SNDMORE);
        rawRouter.send(RAW_STOP);
        rawEcho.join(10_000);
        rawContext.close();
    }

    /** Round trips through the gateway and the router, {@code window} in flight. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long relay() {
        Long n = Flux.range(0, BATCH).flatMap(i -> router.route(request), window, 1).count().block();
        return n == null ? 0 : n;
    }

    /** Raw ROUTER–DEALER round trips with the same body, {@code window} in flight. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long raw() {
        int sent = 0;
        int received = 0;
        while (sent < window) {
            rawRouter.send(RAW_ID, ZMQ.SNDMORE);
            rawRouter.send(rawBody.clone());
            sent++;
        }
        long bytes = 0;
        while (received < BATCH) {
            rawRouter.recv();
            bytes += rawRouter.recv().length;
            received++;
            if (sent < BATCH) {
                rawRouter.send(RAW_ID, ZMQ.SNDMORE);
                rawRouter.send(rawBody.clone());
                sent++;
            }
        }
        return bytes;
    }
}
