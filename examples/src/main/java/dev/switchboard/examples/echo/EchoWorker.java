package dev.switchboard.examples.echo;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.worker.ResourceCache;
import dev.switchboard.core.worker.WorkerContext;
import dev.switchboard.core.worker.WorkerHandler;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The echo worker: opens (or finds) the request key's resource in its cache and answers one
 * item, {@code {"worker": id, "cached": hit, "echo": body}}. A binary body is echoed as a
 * base64 string.
 */
final class EchoWorker implements WorkerHandler {

    private static final JsonStringEncoder QUOTE = JsonStringEncoder.getInstance();

    private final ResourceCache<String, Resource> cache;

    EchoWorker(ResourceCache<String, Resource> cache) {
        this.cache = cache;
    }

    @Override
    public Flux<Payload> handle(Request request, WorkerContext context) {
        return Mono.fromCallable(() -> {
            cache.apply(request.key(), Resource::touch);
            Payload body = request.payload();
            String echo = body.isBinary()
                    ? quote(Base64.getEncoder().encodeToString(body.toByteArray()))
                    : body.utf8();
            return Payload.json("{\"worker\":" + quote(context.workerId()) + ",\"cached\":"
                    + context.cachedAtStart() + ",\"echo\":" + echo + "}");
        }).flux();
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
