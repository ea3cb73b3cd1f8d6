package dev.switchboard.benchmarks;

import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RoutingStrategies;
import dev.switchboard.core.worker.LocalWorker;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Requests through a {@link Relay} to in-process echo workers: the default JSON codec both ways,
 * 64-byte bodies, no network. Each benchmark thread is one client session that keeps
 * {@code window} requests in flight; an operation is one request answered.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar InProcessRelay -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(2)
public class InProcessRelayBenchmark {

    static final int BATCH = 1024;
    static final int BODY_BYTES = 64;

    @Param({"64"})
    public int window;

    @Param({"4"})
    public int workers;

    Relay relay;
    Router router;

    @Setup(Level.Trial)
    public void setUp() {
        Router.Builder rb = Router.builder().strategy(RoutingStrategies.leastLoaded());
        for (int i = 0; i < workers; i++) {
            rb.worker(LocalWorker.builder((request, ctx) -> Flux.just(request.payload()))
                    .id("w" + i).capacity(window).build());
        }
        router = rb.build();
        relay = Relay.builder().router(router).maxInFlight(window).maxQueuedResponses(window * 2).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        router.dispose();
    }

    /** One client session per benchmark thread. */
    @State(Scope.Thread)
    public static class Client {
        BenchConnection connection;
        Disposable session;

        @Setup(Level.Trial)
        public void open(InProcessRelayBenchmark bench) {
            connection = new BenchConnection(BenchConnection.requestFrames(1024, BODY_BYTES, 97), false);
            session = bench.relay.serve(connection).subscribe();
        }

        @TearDown(Level.Trial)
        public void close() {
            session.dispose();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void requestResponse(Client client, Blackhole bh) {
        bh.consume(client.connection.exchange(BATCH));
    }
}
