package dev.switchboard.benchmarks;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * A WebSocket load generator for Switchboard's JSON protocol (and anything that echoes
 * {@code {"id": n, ...}} back): closed-loop with {@code --window} requests in flight per
 * connection, or open-loop at {@code --rate} requests/s in all, timing each request from the
 * moment it was due (no coordinated omission). Keys follow a Zipf law over {@code --keys}.
 * Bounded by {@code --duration} and {@code --requests}; stops by itself.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.switchboard.benchmarks.LoadGenerator
 * --url ws://127.0.0.1:8080/ws --connections 64 --window 16 --duration 10}
 *
 * <p>It prints a progress line each second and, last, {@code requests_per_s=… p50_us=… p99_us=…
 * p999_us=… errors=…}.
 */
@Command(name = "LoadGenerator", mixinStandardHelpOptions = true, description = "WebSocket load generator")
public final class LoadGenerator implements Callable<Integer> {

    @Option(names = "--url", required = true, description = "ws:// URL of the relay")
    URI url;
    @Option(names = "--connections", defaultValue = "16", description = "concurrent WebSocket connections")
    int connections;
    @Option(names = "--window", defaultValue = "16", description = "requests in flight per connection (closed loop)")
    int window;
    @Option(names = "--payload", defaultValue = "64", description = "body size in bytes")
    int payload;
    @Option(names = "--keys", defaultValue = "1000", description = "distinct affinity keys")
    int keys;
    @Option(names = "--zipf", defaultValue = "0.9", description = "Zipf exponent of the key popularity (0 = uniform)")
    double zipf;
    @Option(names = "--duration", defaultValue = "10", description = "seconds to run after warm-up")
    int durationSeconds;
    @Option(names = "--warmup", defaultValue = "2", description = "seconds of warm-up, not measured")
    int warmupSeconds;
    @Option(names = "--requests", defaultValue = "100000000", description = "stop after this many responses")
    long maxRequests;
    @Option(names = "--rate", defaultValue = "0", description = "open loop: requests/s in all (0 = closed loop)")
    double rate;
    @Option(names = "--threads", defaultValue = "1", description = "event-loop threads of the client")
    int threads;
    @Option(names = "--key-in-url", description = "append ?key=<a key> to each connection's URL (per-connection routing)")
    boolean keyInUrl;

    private final Recorder recorder = new Recorder(3);
    private final AtomicLong responses = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean measuring;
    private volatile boolean stopping;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadGenerator()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (connections < 1 || window < 1 || payload < 2 || keys < 1 || durationSeconds < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "connections, window, keys and duration must be at least 1, payload at least 2");
        }
        double[] cdf = zipfCdf(keys, zipf);
        String body = "\"" + "x".repeat(payload - 2) + "\"";
        LoopResources loops = LoopResources.create("loadgen", threads, true);
        ConnectionProvider pool = ConnectionProvider.builder("loadgen").maxConnections(connections + 1)
                .pendingAcquireMaxCount(-1).build();
        HttpClient client = HttpClient.create(pool).runOn(loops);
        CountDownLatch open = new CountDownLatch(connections);
        List<Disposable> sessions = new ArrayList<>();
        List<Conn> conns = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Conn conn = new Conn(c, cdf, body);
            conns.add(conn);
            sessions.add(client.websocket(WebsocketClientSpec.builder().maxFramePayloadLength(1 << 20).build())
                    .uri(keyInUrl ? URI.create(url + (url.getQuery() == null ? "?" : "&") + "key=k" + (c % keys)) : url)
                    .handle((in, out) -> {
                        open.countDown();
                        Mono<Void> receive = in.receive().asString().doOnNext(conn::onResponse).then();
                        return out.sendString(conn.outbound(), java.nio.charset.StandardCharsets.UTF_8)
                                .then().and(receive);
                    })
                    .doOnError(e -> errors.incrementAndGet())
                    .subscribe(null, e -> { }));
        }
        if (!open.await(30, TimeUnit.SECONDS)) {
            System.err.println("could not open " + connections + " connections within 30 s");
        }
        // open loop: one timer for all connections, each sending what fell due since its start
        Disposable ticker = rate <= 0 ? Disposables.disposed()
                : Flux.interval(Duration.ofMillis(1), Schedulers.single()).subscribe(t -> conns.forEach(Conn::tick));
        long start = System.nanoTime();
        Histogram total = null;
        long measuredFrom = 0;
        long measuredResponses = 0;
        int seconds = 0;
        while (!stopping) {
            TimeUnit.SECONDS.sleep(1);
            seconds++;
            Histogram interval = recorder.getIntervalHistogram();
            if (seconds == warmupSeconds) {
                measuring = true;
                measuredFrom = System.nanoTime();
                measuredResponses = responses.get();
                total = new Histogram(3);
                continue;
            }
            if (measuring && total != null) {
                total.add(interval);
            }
            System.err.printf("t=%ds responses=%d interval_p99_us=%.1f errors=%d%n", seconds, responses.get(),
                    interval.getValueAtPercentile(99) / 1000.0, errors.get());
            if (seconds >= warmupSeconds + durationSeconds || responses.get() >= maxRequests) {
                stopping = true;
            }
        }
        long elapsed = System.nanoTime() - measuredFrom;
        long done = responses.get() - measuredResponses;
        ticker.dispose();
        sessions.forEach(Disposable::dispose);
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(6));
        pool.disposeLater().block(Duration.ofSeconds(5));
        Histogram h = total != null ? total : new Histogram(3);
        System.out.printf("requests_per_s=%.0f p50_us=%.1f p99_us=%.1f p999_us=%.1f errors=%d%n",
                done / (elapsed / 1e9), h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                h.getValueAtPercentile(99.9) / 1000.0, errors.get());
        return 0;
    }

    static double[] zipfCdf(int n, double s) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / Math.pow(i + 1, s);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
        return cdf;
    }

    /** One connection: ids are sequential; a ring of due times tracks the requests in flight. */
    private final class Conn {
        static final int RING = 1 << 16;
        final double[] cdf;
        final String body;
        final SplittableRandom random;
        final AtomicLongArray dueAt = new AtomicLongArray(RING);
        final Sinks.Many<String> out = Sinks.many().unicast().onBackpressureBuffer(
                reactor.util.concurrent.Queues.<String>get(RING).get());
        long nextId;
        long inFlight;
        volatile boolean open;
        volatile long begin;
        volatile long periodNanos = 1;

        Conn(int index, double[] cdf, String body) {
            this.cdf = cdf;
            this.body = body;
            this.random = new SplittableRandom(index * 7919L + 17);
        }

        Flux<String> outbound() {
            if (rate > 0) {
                periodNanos = Math.max(1, (long) (1e9 / (rate / connections)));
                begin = System.nanoTime();
                open = true;
            } else {
                synchronized (this) {
                    for (int i = 0; i < window; i++) {
                        send(System.nanoTime());
                    }
                }
            }
            return out.asFlux();
        }

        /** Open loop: sends every request due by now (called each millisecond by one timer for all). */
        void tick() {
            if (!open) {
                return;
            }
            // request n is due at begin + n * period, so n + 1 of them are due from that moment on
            long due = (System.nanoTime() - begin) / periodNanos + 1;
            synchronized (this) {
                while (nextId < due && inFlight < RING / 2) {
                    send(begin + nextId * periodNanos);
                }
            }
        }

        /** Sends the next request, due at {@code due}. Under this connection's lock. */
        void send(long due) {
            long id = nextId++;
            inFlight++;
            dueAt.set((int) (id & (RING - 1)), due);
            int k = java.util.Arrays.binarySearch(cdf, random.nextDouble());
            int key = k >= 0 ? k : Math.min(cdf.length - 1, -k - 1);
            out.tryEmitNext("{\"id\":" + id + ",\"key\":\"k" + key + "\",\"body\":" + body + "}");
        }

        /** Every frame that names a request id answers it (a one-item answer is one frame). */
        void onResponse(String frame) {
            long now = System.nanoTime();
            int at = frame.indexOf("\"id\":");
            int end = at < 0 ? -1 : indexOfAny(frame, at + 5);
            if (at < 0 || end < 0) {
                errors.incrementAndGet();
                return;
            }
            if (frame.contains("\"error\"")) {
                errors.incrementAndGet();
            }
            long id;
            try {
                id = Long.parseLong(frame.substring(at + 5, end).trim());
            } catch (NumberFormatException e) {
                errors.incrementAndGet();
                return;
            }
            long due = dueAt.get((int) (id & (RING - 1)));
            if (measuring) {
                recorder.recordValue(Math.max(0, now - due));
            }
            responses.incrementAndGet();
            synchronized (this) {
                inFlight--;
                if (rate <= 0 && !stopping) {
                    send(now);
                }
            }
        }

        private int indexOfAny(String s, int from) {
            for (int i = from; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == ',' || c == '}') {
                    return i;
                }
            }
            return -1;
        }
    }
}
