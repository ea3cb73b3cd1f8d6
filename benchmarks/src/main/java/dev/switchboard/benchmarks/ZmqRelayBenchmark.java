package dev.switchboard.benchmarks;

import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.transport.zmq.ZmqGateway;
import dev.switchboard.transport.zmq.ZmqGatewaySpec;
import dev.switchboard.transport.zmq.ZmqWorker;
import dev.switchboard.transport.zmq.ZmqWorkerSpec;
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
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Requests per second through the relay's ZeroMQ hop against raw JeroMQ doing the same work,
 * with the same body ({@code payloadBytes}) and the same requests in flight ({@code window}) for
 * every benchmark, over TCP on loopback in one JVM. The figure of merit is
 * {@code relay / rawBatched} (target: at least 0.7).
 *
 * <ul>
 *   <li>{@code relay}: client frames of the default JSON codec ({@code {"id":…,"key":…,"body":…}})
 *       go through a {@link Relay} (session, codec, router) from an in-JVM
 *       {@link BenchConnection} (no WebSocket) to a {@link ZmqGateway} and one {@link ZmqWorker}
 *       echoing the body, and come back as the codec's answer frames, each checked to end its
 *       request (an error answer fails the run, it is never counted).</li>
 *   <li>{@code rawBatched}, the baseline: a ROUTER and an echoing DEALER that batch as protocol 3
 *       does (what is pending at the end of a round, at most 128 records or 256 KiB, in one
 *       frame; a batch answered with a batch); see {@link RawZmqEcho}.</li>
 *   <li>{@code rawUnbatched}: the same pair with one message per request and per answer, which
 *       the relay beat by batching (the former {@code raw}, not a like-for-like baseline).</li>
 * </ul>
 * Gateway and worker share the process's ZeroMQ context (one JeroMQ I/O thread, which also runs
 * their socket agents), as the raw pair shares its context; the raw ROUTER runs on the benchmark
 * thread and its DEALER on a thread of its own, while the relay's benchmark thread only hands the
 * frames over and parks until the answers are in.
 *
 * <pre>
 * mvn -B -o -q package -pl benchmarks -am -DskipTests
 * java -jar benchmarks/target/benchmarks.jar ZmqRelayBenchmark                  # about 7 minutes
 * java -jar benchmarks/target/benchmarks.jar ZmqRelayBenchmark -p payloadBytes=64 -p window=64
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
    /** Distinct request frames (ids) the relay's client cycles through; more than any window. */
    static final int FRAMES = 1024;

    /** Body size in bytes, JSON string quotes included. */
    @Param({"64", "1024"})
    public int payloadBytes;

    /** Requests in flight at once. */
    @Param({"16", "64"})
    public int window;

    Router router;
    ZmqGateway gateway;
    private ZmqWorker worker;
    BenchConnection connection;
    private Disposable session;
    RawZmqEcho rawBatched;
    RawZmqEcho rawUnbatched;

    @Setup(Level.Trial)
    public void setUp() {
        if (window >= FRAMES) {
            throw new IllegalArgumentException("window must be under " + FRAMES + ", was " + window);
        }
        byte[] body = new byte[payloadBytes];
        Arrays.fill(body, (byte) 'x');
        body[0] = '"';
        body[body.length - 1] = '"';

        Membership membership = Membership.create();
        router = Router.builder().membership(membership).build();
        gateway = ZmqGateway.builder(membership).bindNow();
        worker = ZmqWorker.builder((req, ctx) -> Flux.just(req.payload()))
                .spec(ZmqWorkerSpec.builder().connect(gateway.endpoint()).id("bench").capacity(window)
                .inline().build()).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (router.stats().liveWorkers() == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the benchmark worker did not register");
            }
            Thread.onSpinWait();
        }
        Relay relay = Relay.builder().router(router).maxInFlight(window).build();
        connection = new BenchConnection(BenchConnection.requestFrames(FRAMES, payloadBytes, 1), true);
        session = relay.serve(connection).subscribe();

        rawBatched = RawZmqEcho.batched(body);
        rawUnbatched = RawZmqEcho.unbatched(body);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        session.dispose();
        worker.dispose();
        gateway.dispose();
        gateway.onDispose().block(Duration.ofSeconds(10));
        router.dispose();
        rawBatched.close();
        rawUnbatched.close();
    }

    /** Client frames through the relay, the codec and one remote worker, {@code window} in flight. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long relay() {
        return connection.exchange(BATCH);
    }

    /** Raw ROUTER–DEALER round trips, batched as the relay batches: the baseline. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long rawBatched() {
        return rawBatched.roundTrips(BATCH, window);
    }

    /** Raw ROUTER–DEALER round trips, one message per request: not the relay's work. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long rawUnbatched() {
        return rawUnbatched.roundTrips(BATCH, window);
    }
}
