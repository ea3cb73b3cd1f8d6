package dev.switchboard.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;
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
 * moment it was due (no coordinated omission). {@code --delay-ms} paces the closed loop as wrk's
 * {@code delay()} hook does (each slot waits that long before its next request, timed from its
 * send), to compare with peers driven by wrk at the same offered load. Keys follow a Zipf law over {@code --keys}.
 * Bounded by {@code --duration} and {@code --requests}; stops by itself.
 *
 * <p>Error answers ({@code {"id": n, "error": …}}) are counted apart, as {@code error_answers}:
 * they free their request's slot but are neither throughput nor latency samples. {@code errors}
 * counts the rest that went wrong: connections that failed and frames that answer nothing.
 *
 * <p>Tile mode ({@code --tile-trace FILE --image NAME}, for the tile server's {@code /ws}): each
 * request asks for the next tile of a trace written by {@link TileTrace}
 * ({@code {"id": n, "key": NAME, "body": {"level": L, "x": X, "y": Y}}}), each connection walking
 * the trace from its own offset ({@code c * length / connections}) and round again. Before it
 * starts, it checks the trace against the image's geometry from the server's {@code GET /images}.
 * Every answer must be one binary frame ending its request; it counts them by the format of the
 * tile (JPEG or PNG, by the magic bytes after the frame's header). Any error answer, malformed
 * frame, body of another format or failed connection fails the run: it stops within a second,
 * says what came back, and exits with 1. {@code --save-first-tile FILE} writes the tile that
 * answers the trace's first line (connection 0's first request), for a caller to compare it with
 * the same tile from another server.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.switchboard.benchmarks.LoadGenerator
 * --url ws://127.0.0.1:8080/ws --connections 64 --window 16 --duration 10}, or for tiles
 * {@code … --url ws://127.0.0.1:8080/ws --tile-trace trace.txt --image big --window 1}
 *
 * <p>It prints a progress line each second and, last, {@code requests_per_s=… p50_us=… p99_us=…
 * p999_us=… errors=… error_answers=…}, in tile mode followed by {@code jpeg=… png=… other=…
 * bytes_per_tile=…} (the format counts are over the whole run, warm-up included).
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
    @Option(names = "--delay-ms", defaultValue = "0",
            description = "closed loop paced as wrk's delay(): wait this long before each next request (0 = none)")
    long delayMs;
    @Option(names = "--threads", defaultValue = "1", description = "event-loop threads of the client")
    int threads;
    @Option(names = "--key-in-url", description = "append ?key=<a key> to each connection's URL (per-connection routing)")
    boolean keyInUrl;
    @Option(names = "--tile-trace", description = "tile mode: the trace of tiles to request (lines 'L x y', see TileTrace)")
    @Nullable Path tileTrace;
    @Option(names = "--image", description = "tile mode: the image's name (the request key), as GET /images lists it")
    @Nullable String image;
    @Option(names = "--save-first-tile", description = "tile mode: write the tile answering the trace's first line here")
    @Nullable Path saveFirstTile;

    private static final int MAX_FRAME_BYTES = 1 << 24;

    private final Recorder recorder = new Recorder(3);
    private final AtomicLong responses = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong errorAnswers = new AtomicLong();
    private final Map<Answer.Kind, LongAdder> kinds = new ConcurrentHashMap<>();
    private final LongAdder tileBytes = new LongAdder();
    private final Map<String, LongAdder> errorCodes = new ConcurrentHashMap<>();
    private final AtomicReference<@Nullable String> firstProblem = new AtomicReference<>();
    private volatile boolean measuring;
    private volatile boolean stopping;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadGenerator()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (connections < 1 || window < 1 || payload < 2 || keys < 1 || durationSeconds < 1 || delayMs < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "connections, window, keys and duration must be at least 1, payload at least 2, delay at least 0");
        }
        if (!(zipf >= 0) || Double.isInfinite(zipf)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--zipf must be finite and >= 0");
        }
        if (rate > 0 && delayMs > 0) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--rate (open loop) and --delay-ms (paced closed loop) exclude each other");
        }
        Zipf popularity = new Zipf(keys, zipf);
        String body = "\"" + "x".repeat(payload - 2) + "\"";
        String[] tiles = null;
        if (tileTrace != null || image != null) {
            if (tileTrace == null || image == null) {
                throw new CommandLine.ParameterException(new CommandLine(this), "tile mode needs both --tile-trace and --image");
            }
            try {
                tiles = tileRequests(TileTrace.read(tileTrace), image, images(url));
            } catch (IOException | IllegalStateException e) {
                System.err.println("tile mode: " + e.getMessage());
                return 1;
            }
        }
        LoopResources loops = LoopResources.create("loadgen", threads, true);
        ConnectionProvider pool = ConnectionProvider.builder("loadgen").maxConnections(connections + 1)
                .pendingAcquireMaxCount(-1).build();
        HttpClient client = HttpClient.create(pool).runOn(loops);
        CountDownLatch open = new CountDownLatch(connections);
        List<Disposable> sessions = new ArrayList<>();
        List<Conn> conns = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Conn conn = new Conn(c, popularity, body, tiles);
            conns.add(conn);
            sessions.add(client.websocket(WebsocketClientSpec.builder().maxFramePayloadLength(MAX_FRAME_BYTES).build())
                    .uri(keyInUrl ? URI.create(url + (url.getQuery() == null ? "?" : "&") + "key=k" + (c % keys)) : url)
                    .handle((in, out) -> {
                        open.countDown();
                        Mono<Void> receive = in.aggregateFrames(MAX_FRAME_BYTES).receiveFrames()
                                .doOnNext(conn::onFrame).then();
                        return out.sendString(conn.outbound(), java.nio.charset.StandardCharsets.UTF_8)
                                .then().and(receive);
                    })
                    .doOnError(e -> problem("connection failed: " + e))
                    .subscribe(null, e -> { }));
        }
        if (!open.await(30, TimeUnit.SECONDS)) {
            problem("could not open " + connections + " connections within 30 s");
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
            System.err.printf("t=%ds responses=%d interval_p99_us=%.1f errors=%d error_answers=%d%n", seconds,
                    responses.get(), interval.getValueAtPercentile(99) / 1000.0, errors.get(), errorAnswers.get());
            if (seconds >= warmupSeconds + durationSeconds || responses.get() >= maxRequests
                    || (tiles != null && failed())) {
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
        StringBuilder line = new StringBuilder(String.format(
                "requests_per_s=%.0f p50_us=%.1f p99_us=%.1f p999_us=%.1f errors=%d error_answers=%d",
                measuredFrom == 0 ? 0 : done / (elapsed / 1e9), h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0, errors.get(),
                errorAnswers.get()));
        if (tiles != null) {
            long jpeg = count(Answer.Kind.JPEG);
            long png = count(Answer.Kind.PNG);
            long other = count(Answer.Kind.OTHER_BINARY);
            line.append(String.format(" jpeg=%d png=%d other=%d bytes_per_tile=%.0f", jpeg, png, other,
                    tileBytes.sum() / (double) Math.max(1, jpeg + png + other)));
        }
        System.out.println(line);
        if (errorAnswers.get() > 0 || errors.get() > 0) {
            System.err.println("error answers by code: " + new TreeMap<>(errorCodes) + "; first problem: "
                    + firstProblem.get());
        }
        if (tiles != null && (failed() || measuredFrom == 0 || done == 0)) {
            System.err.println("tile mode FAILED: " + (failed() ? "every answer must be a tile, see above"
                    : "no tile came back while measuring"));
            return 1;
        }
        return 0;
    }

    private long count(Answer.Kind kind) {
        LongAdder n = kinds.get(kind);
        return n == null ? 0 : n.sum();
    }

    /** In tile mode: anything but tiles came back, or a connection failed. */
    private boolean failed() {
        return errors.get() > 0 || errorAnswers.get() > 0;
    }

    private void save(Path file, byte[] tile) {
        try {
            Files.write(file, tile);
        } catch (IOException e) {
            problem("cannot write " + file + ": " + e);
        }
    }

    private void problem(String what) {
        errors.incrementAndGet();
        firstProblem.compareAndSet(null, what);
    }

    /** {@code GET /images} of the server whose WebSocket is {@code ws}. */
    static JsonNode images(URI ws) throws IOException {
        URI uri = URI.create((ws.getScheme().equals("wss") ? "https" : "http") + "://" + ws.getRawAuthority() + "/images");
        try {
            HttpResponse<String> res = java.net.http.HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new IOException("GET " + uri + " answered " + res.statusCode() + ": is this the tile server?");
            }
            return new ObjectMapper().readTree(res.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            throw new IOException("GET " + uri + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The text of each trace tile's request after its id ({@code ,"key":…,"body":{…}}), once
     * the trace is checked against {@code image}'s geometry as {@code GET /images} lists it.
     *
     * @throws IllegalStateException naming what does not fit
     */
    static String[] tileRequests(List<TileTrace.Tile> trace, String image, JsonNode images) {
        JsonNode found = null;
        List<String> names = new ArrayList<>();
        for (JsonNode i : images) {
            names.add(i.path("name").asText());
            if (image.equals(i.path("name").asText())) {
                found = i;
            }
        }
        if (found == null) {
            throw new IllegalStateException("the server lists no image '" + image + "' in GET /images, only " + names);
        }
        int width = found.path("width").asInt();
        int height = found.path("height").asInt();
        int tileSize = found.path("tileSize").asInt();
        int maxLevel = found.path("maxLevel").asInt();
        int minLevel = found.path("minLevel").asInt();
        if (maxLevel != TileTrace.maxLevel(width, height)) {
            throw new IllegalStateException("image '" + image + "' is " + width + "x" + height + " but its maxLevel is "
                    + maxLevel + ", not DeepZoom's ceil(log2(max(w, h))) = " + TileTrace.maxLevel(width, height));
        }
        String key = ",\"key\":" + quote(image) + ",\"body\":{\"level\":";
        String[] out = new String[trace.size()];
        for (int i = 0; i < out.length; i++) {
            TileTrace.Tile t = trace.get(i);
            if (t.level() < minLevel || !TileTrace.contains(width, height, tileSize, t)) {
                throw new IllegalStateException("trace tile " + t.level() + "/" + t.x() + "/" + t.y() + " (line " + (i + 1)
                        + ") is not in image '" + image + "' (" + width + "x" + height + ", tiles of " + tileSize
                        + ", levels " + minLevel + ".." + maxLevel + ")");
            }
            out[i] = key + t.level() + ",\"x\":" + t.x() + ",\"y\":" + t.y() + "}}";
        }
        return out;
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** One connection: ids are sequential; a ring of due times tracks the requests in flight. */
    private final class Conn {
        static final int RING = 1 << 16;
        final Zipf popularity;
        final String body;
        final String @Nullable [] tiles;
        /** Connection 0: its request 0 asks for the trace's first tile. */
        final boolean first;
        int nextTile;
        final SplittableRandom random;
        final AtomicLongArray dueAt = new AtomicLongArray(RING);
        final Sinks.Many<String> out = Sinks.many().unicast().onBackpressureBuffer(
                reactor.util.concurrent.Queues.<String>get(RING).get());
        long nextId;
        long inFlight;
        volatile boolean open;
        volatile long begin;
        volatile long periodNanos = 1;

        Conn(int index, Zipf popularity, String body, String @Nullable [] tiles) {
            this.popularity = popularity;
            this.body = body;
            this.tiles = tiles;
            this.nextTile = tiles == null ? 0 : (int) ((long) index * tiles.length / connections);
            this.first = index == 0;
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

        /** Paced closed loop: the next request after the wait, timed from now, as wrk times it. */
        void sendPaced() {
            synchronized (this) {
                if (!stopping) {
                    send(System.nanoTime());
                }
            }
        }

        /** Sends the next request, due at {@code due}. Under this connection's lock. */
        void send(long due) {
            long id = nextId++;
            inFlight++;
            dueAt.set((int) (id & (RING - 1)), due);
            if (tiles != null) {
                out.tryEmitNext("{\"id\":" + id + tiles[nextTile]);
                nextTile = nextTile + 1 == tiles.length ? 0 : nextTile + 1;
                return;
            }
            int key = popularity.sample(random);
            out.tryEmitNext("{\"id\":" + id + ",\"key\":\"k" + key + "\",\"body\":" + body + "}");
        }

        /** Reads one (aggregated) frame; released by Reactor Netty once this returns. */
        void onFrame(WebSocketFrame frame) {
            Answer a;
            if (frame instanceof TextWebSocketFrame text) {
                a = Answer.ofText(text.text());
            } else if (frame instanceof BinaryWebSocketFrame) {
                ByteBuf b = frame.content();
                int from = b.readerIndex();
                a = Answer.ofBinary(b.readableBytes(), i -> b.getUnsignedByte(from + i));
                if (a.kind() == Answer.Kind.JPEG || a.kind() == Answer.Kind.PNG || a.kind() == Answer.Kind.OTHER_BINARY) {
                    int body = 3 + b.getUnsignedShort(from + 1);
                    tileBytes.add(b.readableBytes() - body);
                    if (first && a.id() == 0 && saveFirstTile != null) {
                        save(saveFirstTile, ByteBufUtil.getBytes(b, from + body, b.readableBytes() - body));
                    }
                }
            } else {
                problem("an unexpected " + frame.getClass().getSimpleName());
                return;
            }
            onAnswer(a);
        }

        /**
         * Every frame that names a request id answers it (a one-item answer is one frame). Only
         * answers are samples (in tile mode only tiles); an error answer, or in tile mode any
         * other frame, only frees its request's slot.
         */
        void onAnswer(Answer a) {
            long now = System.nanoTime();
            kinds.computeIfAbsent(a.kind(), k -> new LongAdder()).increment();
            if (a.kind() == Answer.Kind.ERROR) {
                errorAnswers.incrementAndGet();
                errorCodes.computeIfAbsent(Answer.errorCode(a.detail()), k -> new LongAdder()).increment();
                firstProblem.compareAndSet(null, "error answer " + a.detail());
            } else if (a.kind() == Answer.Kind.MALFORMED) {
                problem(a.detail());
            } else if (tiles != null && a.kind() == Answer.Kind.TEXT) {
                problem("a text frame that is neither a tile nor an error, for request " + a.id());
            } else if (tiles != null && a.kind() == Answer.Kind.OTHER_BINARY) {
                problem("a tile that is neither a JPEG nor a PNG, for request " + a.id());
            } else {
                long due = dueAt.get((int) (a.id() & (RING - 1)));
                if (measuring) {
                    recorder.recordValue(Math.max(0, now - due));
                }
                responses.incrementAndGet();
            }
            if (a.id() < 0) {
                return;
            }
            synchronized (this) {
                inFlight--;
                if (rate <= 0 && !stopping) {
                    if (delayMs > 0) {
                        Schedulers.parallel().schedule(this::sendPaced, delayMs, TimeUnit.MILLISECONDS);
                    } else {
                        send(now);
                    }
                }
            }
        }
    }
}
