package dev.switchboard.transport.netty.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Payload;
import dev.switchboard.core.worker.WorkerHandler;
import dev.switchboard.transport.netty.ProcessStats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.resources.LoopResources;

/** What the reliability tests share: a worker, well-behaved clients, process gauges, waiting. */
final class Fixtures {

    static final Duration WAIT = Duration.ofSeconds(30);
    /** The body of a "big" response: a JSON string of 1 KiB. */
    static final byte[] BIG = ("\"" + "x".repeat(1022) + "\"").getBytes(StandardCharsets.UTF_8);
    /** The soak profile's run length; the default build runs the short versions. */
    static final Duration SOAK = Duration.parse(System.getProperty("soak.duration", "PT20S"));
    /** Whether the long versions run (the soak profile). */
    static final boolean LONG = SOAK.compareTo(Duration.ofMinutes(1)) > 0;
    /** Round trips at the start of each paced session left out of its latencies (connection warm-up). */
    static final int WARM_UP = 5;
    /** The clients' own event loops, so that a busy client does not delay the server's. */
    static final LoopResources CLIENT_LOOPS = LoopResources.create("test-client", 2, true);
    static final WebsocketClientSpec CLIENT_SPEC = WebsocketClientSpec.builder().handlePing(false).build();

    /** The service time of a "work" request. */
    static final Duration WORK = Duration.ofMillis(2);
    /** Requests the worker gave up because their client went away. */
    static final AtomicInteger CANCELLED = new AtomicInteger();
    /** Requests the worker holds now with key "hang". */
    static final AtomicInteger HANGING = new AtomicInteger();

    /**
     * The worker of every test: "big" answers 1 KiB, "slow" answers after the body's
     * milliseconds, "work" echoes after {@link #WORK} (a tile read), "hang" never answers (counting cancellations), anything else echoes.
     */
    static final WorkerHandler HANDLER = (req, ctx) -> switch (req.key()) {
        case "big" -> Flux.just(Payload.json(BIG));
        case "slow" -> Mono.delay(Duration.ofMillis(Long.parseLong(req.payload().utf8())))
                .thenReturn(req.payload()).flux();
        case "work" -> Mono.delay(WORK).thenReturn(req.payload()).flux();
        case "hang" -> Flux.<Payload>never()
                .doOnSubscribe(s -> HANGING.incrementAndGet())
                .doOnCancel(() -> {
                    HANGING.decrementAndGet();
                    CANCELLED.incrementAndGet();
                });
        default -> Flux.just(req.payload());
    };

    private Fixtures() {
    }

    static String request(long id, String key, String body) {
        return "{\"id\":" + id + ",\"key\":\"" + key + "\",\"body\":" + body + "}";
    }

    /** Whether {@code reply} is the last frame of the response to request {@code id} (data or error). */
    static boolean isFinal(String reply) {
        return reply.contains("\"end\":true") || reply.contains("\"error\":");
    }

    static long idOf(String reply) {
        int start = reply.indexOf("\"id\":") + 5;
        int end = start;
        while (end < reply.length() && Character.isDigit(reply.charAt(end))) {
            end++;
        }
        return Long.parseLong(reply.substring(start, end));
    }

    /**
     * A well-behaved session: connects, sends {@code count} requests one at a time (each after
     * the previous answer and a {@code pause}), and emits each round trip's latency in
     * nanoseconds; fails if an answer is not the one expected.
     */
    static Mono<long[]> pacedSession(HttpClient http, String uri, int count, Duration pause, String key) {
        return http.websocket(CLIENT_SPEC).uri(uri).handle((in, out) -> {
            Sinks.Many<String> requests = Sinks.many().unicast().onBackpressureBuffer();
            long[] latencies = new long[count];
            AtomicLong sentAt = new AtomicLong();
            AtomicInteger next = new AtomicInteger();
            Runnable send = () -> {
                sentAt.set(System.nanoTime());
                requests.tryEmitNext(request(next.get(), key, String.valueOf(next.get())));
            };
            Mono<long[]> replies = in.receive().asString()
                    .concatMap(reply -> {
                        int k = next.get();
                        latencies[k] = System.nanoTime() - sentAt.get();
                        if (idOf(reply) != k || !reply.contains("\"end\":true")) {
                            return Mono.error(new AssertionError("request " + k + " answered " + reply));
                        }
                        if (next.incrementAndGet() == count) {
                            return Mono.just(latencies);
                        }
                        return Mono.delay(pause).doOnNext(t -> send.run()).then(Mono.<long[]>empty());
                    }, 1)
                    .next()
                    .switchIfEmpty(Mono.error(() -> new AssertionError("closed after " + next.get() + " answers")));
            send.run();
            return Flux.merge(out.sendString(requests.asFlux()).then().then(Mono.<long[]>empty()), replies).next();
        }).next();
    }

    /**
     * Runs {@code sessions} paced sessions at once and returns every latency but each session's
     * first {@link #WARM_UP}, sorted.
     */
    static long[] pacedLoad(HttpClient http, String uri, int sessions, int count, Duration pause) {
        return pacedLoad(http, uri, sessions, count, pause, null);
    }

    /** As above, every request with {@code key} (null: a key per session, echoed at once). */
    static long[] pacedLoad(HttpClient http, String uri, int sessions, int count, Duration pause, @Nullable String key) {
        long[] all = Flux.range(0, sessions)
                .flatMap(s -> pacedSession(http, uri, count + WARM_UP, pause, key != null ? key : "k" + s)
                        .map(l -> Arrays.copyOfRange(l, WARM_UP, l.length)), sessions)
                .reduce(new long[0], (a, b) -> {
                    long[] c = Arrays.copyOf(a, a.length + b.length);
                    System.arraycopy(b, 0, c, a.length, b.length);
                    return c;
                })
                .block(Duration.ofMinutes(2));
        assertTrue(all != null && all.length == sessions * count);
        Arrays.sort(all);
        return all;
    }

    static double percentileMs(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    static long openFds() {
        return ProcessStats.openFds();
    }

    static long heapAfterGc() {
        return ProcessStats.heapAfterGc();
    }

    static int threads() {
        return ProcessStats.threads();
    }

    static double mib(long bytes) {
        return bytes / 1024.0 / 1024.0;
    }

}
