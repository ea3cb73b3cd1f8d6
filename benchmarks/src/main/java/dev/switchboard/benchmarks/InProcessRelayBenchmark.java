package dev.switchboard.benchmarks;

import dev.switchboard.core.CloseStatus;
import dev.switchboard.core.Frame;
import dev.switchboard.core.Payload;
import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RoutingStrategies;
import dev.switchboard.core.transport.Connection;
import dev.switchboard.core.worker.LocalWorker;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
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
import org.openjdk.jmh.infra.Blackhole;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

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
            connection = new BenchConnection(requestFrames(1024));
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

    static Frame[] requestFrames(int n) {
        String body = "\"" + "x".repeat(BODY_BYTES - 2) + "\"";
        Frame[] frames = new Frame[n];
        for (int i = 0; i < n; i++) {
            frames[i] = Frame.text("{\"id\":" + i + ",\"key\":\"tile-" + (i % 97) + "\",\"body\":" + body + "}");
        }
        return frames;
    }

    /**
     * A connection whose client sends pre-built frames as fast as the relay reads them, up to a
     * budget the benchmark thread hands out, and counts the response frames.
     */
    static final class BenchConnection implements Connection, Subscription {
        private static final AtomicIntegerFieldUpdater<BenchConnection> WIP =
                AtomicIntegerFieldUpdater.newUpdater(BenchConnection.class, "wip");

        private final Frame[] frames;
        private final AtomicLong responses = new AtomicLong();
        private final Sinks.One<CloseStatus> closed = Sinks.one();
        private volatile int wip;
        private volatile long relayDemand;
        private volatile long budget;
        private long sent;
        private Subscriber<? super Frame> inbound;

        BenchConnection(Frame[] frames) {
            this.frames = frames;
        }

        /** Sends {@code n} requests and returns once their {@code n} responses arrived. */
        long exchange(int n) {
            long target = responses.get() + n;
            synchronized (this) {
                budget += n;
            }
            emit();
            while (responses.get() < target) {
                Thread.onSpinWait();
            }
            return target;
        }

        @Override
        public Flux<Frame> receive() {
            return Flux.from(s -> {
                inbound = s;
                s.onSubscribe(this);
            });
        }

        @Override
        public void request(long n) {
            synchronized (this) {
                relayDemand += n;
            }
            emit();
        }

        @Override
        public void cancel() {
            closed.tryEmitValue(CloseStatus.GOING_AWAY);
        }

        private void emit() {
            if (WIP.getAndIncrement(this) != 0) {
                return;
            }
            int missed = 1;
            for (;;) {
                for (;;) {
                    synchronized (this) {
                        if (relayDemand == 0 || budget == 0) {
                            break;
                        }
                        relayDemand--;
                        budget--;
                    }
                    inbound.onNext(frames[(int) (sent++ % frames.length)]);
                }
                missed = WIP.addAndGet(this, -missed);
                if (missed == 0) {
                    return;
                }
            }
        }

        @Override
        public Mono<Void> send(Publisher<Frame> out) {
            return Mono.create(sink -> out.subscribe(new Subscriber<Frame>() {
                @Override
                public void onSubscribe(Subscription s) {
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Frame frame) {
                    responses.incrementAndGet();
                }

                @Override
                public void onError(Throwable t) {
                    sink.error(t);
                }

                @Override
                public void onComplete() {
                    sink.success();
                }
            }));
        }

        @Override
        public Mono<Void> close(CloseStatus status) {
            return Mono.fromRunnable(() -> closed.tryEmitValue(status));
        }

        @Override
        public Mono<CloseStatus> onClose() {
            return closed.asMono();
        }

        @Override
        public Optional<SocketAddress> remoteAddress() {
            return Optional.empty();
        }
    }
}
