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
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The echo worker: opens (or finds) the request key's resource in its cache and answers one
 * item, {@code {"worker": id, "cached": hit, "echo": body}}. A binary body is echoed as a
 * base64 string. A JSON body that is an object with {@code "holdMs": N} makes the request take
 * N ms more (a slow request, for fault tests and demos), at most {@link #MAX_HOLD_MS}; more is a
 * {@code bad_request}. The wait blocks no thread: the answer is delayed on Reactor's timer, and the
 * request stays in flight (holding its worker's slot) until then.
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
            long holdMs = holdMs(body);
            String echo = body.isBinary()
                    ? quote(Base64.getEncoder().encodeToString(body.toByteArray()))
                    : body.utf8();
            Payload answer = Payload.json("{\"worker\":" + quote(context.workerId()) + ",\"cached\":"
                    + context.cachedAtStart() + ",\"echo\":" + echo + "}");
            return holdMs == 0 ? Mono.just(answer) : Mono.delay(Duration.ofMillis(holdMs)).thenReturn(answer);
        }).flatMap(answer -> answer).flux();
    }

    /** The body's {@code "holdMs"}, 0 when it has none; a {@code bad_request} when it is not a valid one. */
    private static long holdMs(Payload body) {
        if (body.isBinary()) {
            return 0;
        }
        String text = body.utf8();
        if (!text.contains("\"holdMs\"")) {
            return 0;
        }
        JsonNode ms;
        try {
            ms = JSON.readTree(text).path("holdMs");
        } catch (JsonProcessingException e) {
            return 0; // the codec already took it as JSON; echo it as it is
        }
        if (ms.isMissingNode()) {
            return 0;
        }
        if (!ms.isIntegralNumber() || !ms.canConvertToLong() || ms.asLong() < 0 || ms.asLong() > MAX_HOLD_MS) {
            throw new RelayException(ErrorCode.BAD_REQUEST,
                    "holdMs must be an integer from 0 to " + MAX_HOLD_MS + " (EchoWorker.MAX_HOLD_MS)");
        }
        return ms.asLong();
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
