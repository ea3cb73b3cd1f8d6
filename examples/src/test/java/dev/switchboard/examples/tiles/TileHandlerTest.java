package dev.switchboard.examples.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Payload;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.worker.WorkerContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

class TileHandlerTest {

    @TempDir
    static Path dir;
    static TileCatalog catalog;

    @BeforeAll
    static void images() throws IOException {
        for (int i = 0; i < 6; i++) {
            DemoImages.write(dir.resolve("img" + i + DemoImages.SUFFIX), DemoImages.IMAGES.get(i), 300, 256);
        }
        catalog = TileCatalog.scan(dir);
    }

    static Request tile(String image, int level, int x, int y) {
        return Request.builder().id(RequestId.of(1)).key(image)
                .payload(Payload.json("{\"level\":" + level + ",\"x\":" + x + ",\"y\":" + y + "}")).build();
    }

    static final WorkerContext CTX = new WorkerContext() {
        @Override
        public String workerId() {
            return "t";
        }

        @Override
        public boolean cachedAtStart() {
            return false;
        }
    };

    /** The demo images, drawn once into target/tiles-data. */
    static Path demoData() {
        Path data = Path.of("target", "tiles-data");
        DemoImages.ensure(data);
        return data;
    }

    static long openPyramidFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().endsWith(DemoImages.SUFFIX);
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }

    @Test
    void openFilesStayWithinTheCacheBoundAndAllCloseAtTheEnd() throws IOException {
        long before = openPyramidFds();
        TileHandler handler = new TileHandler(catalog, TileHandler.readerCache(catalog, 2));
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 6; i++) {
                StepVerifier.create(handler.handle(tile("img" + i, 8, 0, 0), CTX))
                        .assertNext(p -> assertTrue(p.isBinary() && p.size() > 100))
                        .verifyComplete();
                assertTrue(openPyramidFds() - before <= 2, "open pyramid files exceed the cache bound");
            }
        }
        assertTrue(handler.readers().missCount() > 6, "rotating 6 files through 2 slots must reopen some");
        handler.readers().close();
        assertEquals(before, openPyramidFds());
        assertEquals(handler.readers().missCount(), handler.readers().closedCount());
    }

    @Test
    void badTileRequestsAreBadRequests() {
        TileHandler handler = new TileHandler(catalog, TileHandler.readerCache(catalog, 2));
        StepVerifier.create(handler.handle(tile("nope", 8, 0, 0), CTX))
                .verifyErrorMatches(e -> ((RelayException) e).code() == ErrorCode.BAD_REQUEST);
        StepVerifier.create(handler.handle(tile("img0", 8, 5, 0), CTX))
                .verifyErrorMatches(e -> ((RelayException) e).code() == ErrorCode.BAD_REQUEST);
        handler.readers().close();
    }
}
