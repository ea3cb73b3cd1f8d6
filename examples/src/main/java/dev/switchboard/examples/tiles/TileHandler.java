package dev.switchboard.examples.tiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Payload;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.worker.ResourceCache;
import dev.switchboard.core.worker.WorkerContext;
import dev.switchboard.core.worker.WorkerHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * Serves one tile per request: the request's key names the image (its pyramidal TIFF, the
 * affinity key), its body {@code {"level": L, "x": X, "y": Y}} the tile, in deep-zoom levels.
 * The answer is one binary item, a JPEG or PNG file (its first bytes say which). The open
 * pyramids live in the worker's {@link ResourceCache}, which closes the file of every one it
 * evicts. A file that cannot be opened or read answers {@code worker_failed} for the requests
 * that touch it, with the file and the reason in the log; every other image keeps serving.
 * Blocking (file I/O): run it on a blocking worker.
 */
final class TileHandler implements WorkerHandler {

    private static final Logger log = LoggerFactory.getLogger(TileHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TileCatalog catalog;
    private final ResourceCache<String, Pyramid> readers;

    TileHandler(TileCatalog catalog, ResourceCache<String, Pyramid> readers) {
        this.catalog = catalog;
        this.readers = readers;
    }

    /** A pyramid cache for {@code catalog} holding at most {@code size} open files. */
    static ResourceCache<String, Pyramid> readerCache(TileCatalog catalog, int size) {
        return ResourceCache.<String, Pyramid>builder(name -> Pyramid.open(catalog.image(name)
                        .orElseThrow(() -> new IllegalArgumentException("unknown image " + name)).file()))
                .maximumSize(size)
                .build();
    }

    ResourceCache<String, Pyramid> readers() {
        return readers;
    }

    @Override
    public Flux<Payload> handle(Request request, WorkerContext context) {
        return Flux.defer(() -> {
            String image = request.key();
            if (catalog.image(image).isEmpty()) {
                return Flux.error(new RelayException(ErrorCode.BAD_REQUEST, "unknown image '" + image + "'"));
            }
            int level;
            int x;
            int y;
            try {
                JsonNode body = JSON.readTree(request.payload().toByteArray());
                if (body == null || !body.path("level").canConvertToInt() || !body.path("x").canConvertToInt()
                        || !body.path("y").canConvertToInt()) {
                    return Flux.error(new RelayException(ErrorCode.BAD_REQUEST,
                            "a tile request's body is {\"level\": L, \"x\": X, \"y\": Y}"));
                }
                level = body.get("level").asInt();
                x = body.get("x").asInt();
                y = body.get("y").asInt();
            } catch (IOException e) {
                return Flux.error(new RelayException(ErrorCode.BAD_REQUEST, "a tile request's body must be JSON"));
            }
            try {
                return Flux.just(Payload.binary(readers.apply(image, p -> p.tile(level, x, y)).bytes()));
            } catch (IllegalArgumentException e) {
                return Flux.error(new RelayException(ErrorCode.BAD_REQUEST, e.getMessage()));
            } catch (UncheckedIOException e) {
                log.warn("image '{}' in {}: {}", image, context.workerId(), e.getMessage());
                log.debug("image '{}' in {}: the trace", image, context.workerId(), e);
                // a reader that failed may be broken for good (a channel closed under it): the next
                // request opens the file again rather than meeting the same reader
                readers.invalidate(image);
                return Flux.error(new RelayException(ErrorCode.WORKER_FAILED,
                        "image '" + image + "' cannot be read; the server's log says why"));
            }
        });
    }
}
