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
import reactor.core.publisher.Flux;

/**
 * Serves one tile per request: the request's key names the image (its pyramid file, the
 * affinity key), its body {@code {"level": L, "x": X, "y": Y}} the tile. The open readers live
 * in the worker's {@link ResourceCache}, which closes the file of every reader it evicts.
 * Blocking (file I/O): run it on a blocking worker.
 */
final class TileHandler implements WorkerHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TileCatalog catalog;
    private final ResourceCache<String, PyramidReader> readers;

    TileHandler(TileCatalog catalog, ResourceCache<String, PyramidReader> readers) {
        this.catalog = catalog;
        this.readers = readers;
    }

    /** A reader cache for {@code catalog} holding at most {@code size} open files. */
    static ResourceCache<String, PyramidReader> readerCache(TileCatalog catalog, int size) {
        return ResourceCache.<String, PyramidReader>builder(name -> PyramidReader.open(catalog.image(name)
                        .orElseThrow(() -> new IllegalArgumentException("unknown image " + name)).file()))
                .maximumSize(size)
                .build();
    }

    ResourceCache<String, PyramidReader> readers() {
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
                byte[] png = readers.apply(image, r -> r.readTile(level, x, y));
                return Flux.just(Payload.binary(png));
            } catch (IllegalArgumentException e) {
                return Flux.error(new RelayException(ErrorCode.BAD_REQUEST, e.getMessage()));
            }
        });
    }
}
