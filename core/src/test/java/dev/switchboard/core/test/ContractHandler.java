package dev.switchboard.core.test;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.worker.WorkerContext;
import dev.switchboard.core.worker.WorkerHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The handler the contract kits run behind every transport: what it does depends on the request's
 * key, and it records what a test asserts on (the keys it saw, its concurrent runs and their peak,
 * the requests cancelled, the items a flood produced).
 *
 * <ul>
 *   <li>{@code fail...}: fails with an exception whose text holds {@link #SECRET};
 *   <li>{@code hold...}: runs until {@link #release(String)} or {@link #releaseAll()}, then answers its key;
 *   <li>{@code stream...}: emits what the test hands {@link #emit(String, String)}, until {@link #complete(String)};
 *   <li>{@code flood}: {@link #FLOOD_ITEMS} items of {@link #FLOOD_ITEM_BYTES} bytes, as fast as asked;
 *   <li>{@code three}: the items {@code 1}, {@code 2}, {@code 3};
 *   <li>{@code paced}: {@link #PACED_ITEMS} items {@link #PACED_GAP} apart, each
 *       {@code {"i": n, "at": <System.nanoTime() when produced>}}, then the end;
 *   <li>any other key: one item, the key as a JSON string (as the Python echo worker answers a
 *       request whose body is that string).
 * </ul>
 */
public final class ContractHandler implements WorkerHandler {

    /** Text a failing handler puts in its exception, which no client may ever see. */
    public static final String SECRET = "cannot open /srv/private/db.sqlite";
    /** Items a flood has in all: far more than any buffer on the way holds. */
    public static final int FLOOD_ITEMS = 100_000;
    /** Size of one flood item. */
    public static final int FLOOD_ITEM_BYTES = 8 * 1024;
    /** Items of a paced stream. */
    public static final int PACED_ITEMS = 3;
    /** The time between two items of a paced stream. */
    public static final Duration PACED_GAP = Duration.ofMillis(300);

    private static final byte[] FLOOD_ITEM = ("\"" + "x".repeat(FLOOD_ITEM_BYTES - 2) + "\"")
            .getBytes(StandardCharsets.UTF_8);

    private final List<String> keys = new CopyOnWriteArrayList<>();
    private final List<String> cancelled = new CopyOnWriteArrayList<>();
    private final Map<String, Sinks.Empty<Void>> gates = new ConcurrentHashMap<>();
    private final Map<String, Sinks.Many<Payload>> streams = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicInteger produced = new AtomicInteger();
    private volatile boolean releasedAll;

    /** The key as the JSON string the handler answers with; keys in the kits need no escaping. */
    public static String json(String key) {
        return "\"" + key + "\"";
    }

    @Override
    public Flux<Payload> handle(Request request, WorkerContext context) {
        String key = request.key();
        keys.add(key);
        if (key.startsWith("fail")) {
            return Flux.error(new IllegalStateException(SECRET));
        }
        if (key.startsWith("hold")) {
            return hold(key);
        }
        if (key.startsWith("stream")) {
            Sinks.Many<Payload> sink = Sinks.many().unicast().onBackpressureBuffer();
            streams.put(key, sink);
            return sink.asFlux().doOnCancel(() -> cancelled.add(key));
        }
        if (key.equals("flood")) {
            return Flux.range(0, FLOOD_ITEMS).map(i -> {
                produced.incrementAndGet();
                return Payload.json(FLOOD_ITEM);
            }).doOnCancel(() -> cancelled.add(key));
        }
        if (key.equals("paced")) {
            return Flux.interval(PACED_GAP).take(PACED_ITEMS)
                    .map(i -> Payload.json("{\"i\":" + i + ",\"at\":" + System.nanoTime() + "}"));
        }
        if (key.equals("three")) {
            return Flux.just(Payload.json("1"), Payload.json("2"), Payload.json("3"));
        }
        return Flux.just(Payload.json(json(key)));
    }

    private Flux<Payload> hold(String key) {
        Sinks.Empty<Void> gate = gates.computeIfAbsent(key, k -> Sinks.empty());
        if (releasedAll) {
            gate.tryEmitEmpty();
        }
        return Flux.defer(() -> {
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            AtomicBoolean counted = new AtomicBoolean(true);
            Runnable leave = () -> {
                if (counted.compareAndSet(true, false)) {
                    running.decrementAndGet();
                }
            };
            // counted down before the answer leaves: the credit it frees may bring the next
            // request before a doFinally here would run
            return gate.asMono()
                    .then(Mono.fromCallable(() -> {
                        leave.run();
                        return Payload.json(json(key));
                    }))
                    .doOnCancel(() -> {
                        leave.run();
                        cancelled.add(key);
                    })
                    .doOnError(e -> leave.run())
                    .flux();
        });
    }

    /** Lets the held request {@code key} answer. */
    public void release(String key) {
        gates.computeIfAbsent(key, k -> Sinks.empty()).tryEmitEmpty();
    }

    /** Lets every held request answer, and every later one at once. */
    public void releaseAll() {
        releasedAll = true;
        gates.values().forEach(Sinks.Empty::tryEmitEmpty);
    }

    /** Whether the stream {@code key} has started. */
    public boolean streaming(String key) {
        return streams.containsKey(key);
    }

    /** The stream {@code key} produces one item, a JSON value. */
    public void emit(String key, String json) {
        stream(key).tryEmitNext(Payload.json(json));
    }

    /** The stream {@code key} completes. */
    public void complete(String key) {
        stream(key).tryEmitComplete();
    }

    private Sinks.Many<Payload> stream(String key) {
        Sinks.Many<Payload> s = streams.get(key);
        if (s == null) {
            throw new IllegalStateException("the stream " + key + " has not started");
        }
        return s;
    }

    /** The keys of every request it was handed, in order. */
    public List<String> keys() {
        return List.copyOf(keys);
    }

    /** Whether it ever saw a request with {@code key}. */
    public boolean saw(String key) {
        return keys.contains(key);
    }

    /** Held requests running now. */
    public int running() {
        return running.get();
    }

    /** The most held requests that ran at once. */
    public int peak() {
        return peak.get();
    }

    /** Whether the request {@code key} was cancelled. */
    public boolean cancelled(String key) {
        return cancelled.contains(key);
    }

    /** Items the floods produced so far. */
    public int produced() {
        return produced.get();
    }
}
