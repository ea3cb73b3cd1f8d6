package dev.switchboard.examples.echo;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Payload;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.worker.ResourceCache;
import dev.switchboard.core.worker.WorkerContext;
import dev.switchboard.core.worker.WorkerHandler;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The echo worker: opens (or finds) the request key's resource in its cache and answers one
 * item, {@code {"worker": id, "cached": hit, "echo": body}}. A binary body is echoed as a
 * base64 string. A JSON body that is an object with {@code "holdMs": N} makes the request take
 * N ms more (a slow request, for fault tests and demos), at most {@link #MAX_HOLD_MS}; more is a
 * {@code bad_request}. The wait blocks its thread, so the echo app runs only as a blocking
 * handler, and it refuses to wait on a non-blocking thread (an event loop).
 */
final class EchoWorker implements WorkerHandler {

    /** The longest {@code holdMs} a request may ask for. */
    static final long MAX_HOLD_MS = 30_000;

    private static final JsonStringEncoder QUOTE = JsonStringEncoder.getInstance();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ResourceCache<String, Resource> cache;

    EchoWorker(ResourceCache<String, Resource> cache) {
        this.cache = cache;
    }

    @Override
    public Flux<Payload> handle(Request request, WorkerContext context) {
        return Mono.fromCallable(() -> {
            cache.apply(request.key(), Resource::touch);
            Payload body = request.payload();
            hold(body);
            String echo = body.isBinary()
                    ? quote(Base64.getEncoder().encodeToString(body.toByteArray()))
                    : body.utf8();
            return Payload.json("{\"worker\":" + quote(context.workerId()) + ",\"cached\":"
                    + context.cachedAtStart() + ",\"echo\":" + echo + "}");
        }).flux();
    }

    private static void hold(Payload body) throws InterruptedException {
        if (body.isBinary()) {
            return;
        }
        String text = body.utf8();
        if (!text.contains("\"holdMs\"")) {
            return;
        }
        JsonNode ms;
        try {
            ms = JSON.readTree(text).path("holdMs");
        } catch (JsonProcessingException e) {
            return; // the codec already took it as JSON; echo it as it is
        }
        if (ms.isMissingNode()) {
            return;
        }
        if (!ms.isIntegralNumber() || !ms.canConvertToLong() || ms.asLong() < 0 || ms.asLong() > MAX_HOLD_MS) {
            throw new RelayException(ErrorCode.BAD_REQUEST,
                    "holdMs must be an integer from 0 to " + MAX_HOLD_MS + " (EchoWorker.MAX_HOLD_MS)");
        }
        if (Schedulers.isInNonBlockingThread()) {
            throw new IllegalStateException("holdMs on a non-blocking thread: run the echo app as a blocking handler");
        }
        Thread.sleep(ms.asLong());
    }

    private static String quote(String s) {
        return "\"" + new String(QUOTE.quoteAsUTF8(s), StandardCharsets.UTF_8) + "\"";
    }

    /** What the cache holds per key: a stand-in for an open file reader. */
    static final class Resource implements AutoCloseable {
        static final AtomicLong OPEN = new AtomicLong();
        private final String key;

        Resource(String key) {
            this.key = key;
            OPEN.incrementAndGet();
        }

        String touch() {
            return key;
        }

        @Override
        public void close() {
            OPEN.decrementAndGet();
        }
    }
}
