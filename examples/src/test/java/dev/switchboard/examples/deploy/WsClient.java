package dev.switchboard.examples.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.util.concurrent.Queues;

/**
 * A WebSocket client that reconnects as the browser viewer does when its connection closes (after
 * {@link #RECONNECT_DELAY}, not jittered), and sends once more every request that had no answer
 * yet, as docs/DEPLOY.md tells clients to. Each
 * request id has one pending future, completed by the first answer (an item with {@code "end"}, an
 * end after an item, which then carries that item's body, or an error); later answers for an id
 * already answered are counted in {@link #extraAnswers()}.
 * Without {@code reconnect}, a closed connection fails what is pending.
 */
final class WsClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration RECONNECT_DELAY = Duration.ofMillis(100);
    /** Requests a client may have unanswered; the callers keep fewer in flight. */
    static final int MAX_PENDING = 256;

    private final URI uri;
    private final boolean reconnect;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
    private final AtomicReference<Sinks.Many<String>> out = new AtomicReference<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger extraAnswers = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private volatile boolean closed;
    private final Disposable loop;

    /** A request without an answer yet: its text, its future, and the item it got before its end. */
    private record Pending(String text, CompletableFuture<JsonNode> answer, AtomicReference<JsonNode> item) {
    }

    WsClient(URI uri, boolean reconnect) {
        this.uri = uri;
        this.reconnect = reconnect;
        Mono<Void> once = Mono.defer(this::connectOnce);
        this.loop = (reconnect ? once.onErrorResume(e -> Mono.empty())
                .then(Mono.delay(RECONNECT_DELAY)).repeat(() -> !closed).then() : once)
                .subscribe(null, e -> failPending(e));
    }

    private Mono<Void> connectOnce() {
        Sinks.Many<String> sink = Sinks.many().unicast().onBackpressureBuffer(Queues.<String>get(MAX_PENDING * 2).get());
        return HttpClient.create().websocket().uri(uri).handle((in, o) -> {
            connections.incrementAndGet();
            synchronized (this) {
                out.set(sink);
                pending.values().forEach(p -> emit(sink, p.text));
            }
            in.receive().asString().subscribe(this::onAnswer);
            return o.sendString(sink.asFlux()).then(in.receiveCloseStatus().then());
        }).then().doFinally(s -> {
            synchronized (this) {
                out.compareAndSet(sink, null);
            }
            if (!reconnect) {
                failPending(new IllegalStateException("connection closed"));
            }
        });
    }

    /** Sends a request and returns its first answer. */
    CompletableFuture<JsonNode> send(String id, String key, JsonNode body, boolean idempotent) {
        ObjectNode r = JSON.createObjectNode().put("id", id).put("key", key);
        r.set("body", body);
        if (!idempotent) {
            r.put("idempotent", false);
        }
        Pending p = new Pending(r.toString(), new CompletableFuture<>(), new AtomicReference<>());
        if (pending.size() >= MAX_PENDING || pending.putIfAbsent(id, p) != null) {
            throw new IllegalStateException("too many pending requests, or a pending id twice: " + id);
        }
        synchronized (this) {
            Sinks.Many<String> sink = out.get();
            if (sink != null) {
                emit(sink, p.text);
            }
        }
        return p.answer;
    }

    private void emit(Sinks.Many<String> sink, String text) {
        if (sink.tryEmitNext(text).isFailure()) {
            dropped.incrementAndGet(); // sent again on the next connection, if there is one
        }
    }

    private void onAnswer(String text) {
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (Exception e) {
            return;
        }
        String id = n.path("id").asText();
        if (!n.has("error") && !n.path("end").asBoolean(false)) {
            // an item that is not the last (a handler answering later sends its end apart)
            Pending p = pending.get(id);
            if (p != null) {
                p.item.set(n);
            }
            return;
        }
        answers.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        Pending p = pending.remove(id);
        if (p == null) {
            extraAnswers.incrementAndGet();
        } else {
            JsonNode item = p.item.get();
            if (item != null && !n.has("body") && n instanceof ObjectNode end) {
                end.set("body", item.path("body"));
            }
            p.answer.complete(n);
        }
    }

    private void failPending(Throwable e) {
        pending.values().forEach(p -> p.answer.completeExceptionally(e));
    }

    /** Answers received for {@code id}: its end (alone or with its last item) or an error; not the items before. */
    int answersFor(String id) {
        AtomicInteger n = answers.get(id);
        return n == null ? 0 : n.get();
    }

    int connections() {
        return connections.get();
    }

    int extraAnswers() {
        return extraAnswers.get();
    }

    @Override
    public void close() {
        closed = true;
        loop.dispose();
    }
}
