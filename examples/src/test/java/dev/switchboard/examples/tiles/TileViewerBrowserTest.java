package dev.switchboard.examples.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.routing.Router;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Drives headless Chromium (Debian's, through playwright-core; {@code bash .ci/run} installs both)
 * against a live tile server: the gallery loads, a scripted session opens 20 images and zooms in
 * twice on each, tiles are drawn, the page logs no error, the stats panel shows an affinity hit
 * ratio of at least 0.9, and open pyramid files stay within the workers' cache bound.
 */
class TileViewerBrowserTest {

    static final int WORKERS = 4;
    static final int CACHE = 4;

    TileServer server;

    @BeforeEach
    void start() {
        server = TileServer.start(new TileServer.Options("127.0.0.1", 0, WORKERS, CACHE, 4,
                TileHandlerTest.demoData(), null), Router.builder());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aBrowserZoomsIntoImagesWithTilesFromCacheAffineWorkers() throws Exception {
        Path e2e = Path.of("src", "test", "e2e");
        assertTrue(Files.isDirectory(e2e.resolve("node_modules/playwright-core")),
                "playwright-core is missing: run `npm ci --prefix examples/src/test/e2e` (bash .ci/run does)");
        assertTrue(Files.isExecutable(Path.of("/usr/bin/chromium")),
                "Chromium is missing: run `apt-get install chromium` (bash .ci/run does)");
        String url = "http://127.0.0.1:" + server.address().getPort() + "/";
        Path shot = Path.of("target", "tiles-viewer.png").toAbsolutePath();
        Process node = new ProcessBuilder("node", "tiles.mjs", url, shot.toString(), "20")
                .directory(e2e.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out;
        try {
            out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(node.waitFor(3, TimeUnit.MINUTES), "the browser driver did not finish in time");
        } finally {
            node.destroyForcibly();
        }
        List<String> lines = out.lines().filter(l -> l.startsWith("{")).toList();
        assertTrue(!lines.isEmpty(), "no result from the browser driver: " + out);
        JsonNode r = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        System.out.println("browser session: " + r);

        assertEquals(0, r.get("errors").size(), "the page or driver reported errors: " + r.get("errors"));
        assertEquals(20, r.get("visits").asInt());
        for (JsonNode lit : r.get("drawnPixels")) {
            assertTrue(lit.asInt() > 10_000, "a zoomed view drew almost nothing: " + r.get("drawnPixels"));
        }
        long served = server.relay().metrics().snapshot().frames();
        assertTrue(r.get("clientTiles").asInt() > 100, "too few tiles: " + r.get("clientTiles"));
        assertTrue(served >= r.get("clientTiles").asLong(), "server counted fewer frames than the page drew");
        double shown = Double.parseDouble(r.get("panel").get("affinity hit ratio").asText());
        assertTrue(shown >= 0.9, "affinity hit ratio on the stats panel: " + shown);
        assertTrue(Files.size(shot) > 10_000, "no screenshot");
        assertTrue(TileHandlerTest.openPyramidFds() <= WORKERS * CACHE + 2, "open pyramid files exceed the cache bound");
    }
}
