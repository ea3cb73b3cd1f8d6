package dev.switchboard.examples.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.routing.Router;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives headless Chromium (Debian's, through playwright-core; {@code bash .ci/run} installs both)
 * against a live tile server. On the demo images: the gallery loads, a scripted session opens 20
 * images and zooms in twice on each, tiles are drawn, the page logs no error, the stats panel
 * shows an affinity hit ratio of at least 0.9, and open files stay within the workers' cache
 * bound. On vips-made TIFFs of every layout: the same, the tiles the page drew match vips' cut of
 * the image, and zooming fast sends cancel frames for the tiles the view left.
 */
class TileViewerBrowserTest {

    static final int WORKERS = 4;
    static final int CACHE = 4;

    TileServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aBrowserZoomsIntoImagesWithTilesFromCacheAffineWorkers() throws Exception {
        server = TileServer.start(new TileServer.Options("127.0.0.1", 0, WORKERS, CACHE, 4,
                TileHandlerTest.demoData(), null), Router.builder());
        JsonNode r = drive(20, DemoImages.IMAGES.size(), "tiles-viewer.png", false);

        assertEquals(20, r.get("visits").asInt());
        long served = server.relay().metrics().snapshot().frames();
        assertTrue(r.get("clientTiles").asInt() > 100, "too few tiles: " + r.get("clientTiles"));
        assertTrue(served >= r.get("clientTiles").asLong(), "server counted fewer frames than the page drew");
        double shown = Double.parseDouble(r.get("panel").get("affinity hit ratio").asText());
        assertTrue(shown >= 0.9, "affinity hit ratio on the stats panel: " + shown);
        assertTrue(TileHandlerTest.openPyramidFds() <= WORKERS * CACHE + 2, "open pyramid files exceed the cache bound");
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aBrowserZoomsIntoVipsMadeTiffsAndDrawsTheImagesPixels(@TempDir Path data) throws Exception {
        TestImages.vipsTiff(data, "classic.tif", "--pyramid", "--compression", "jpeg", "--Q", "90");
        TestImages.vipsTiff(data, "bigtiff.tif", "--pyramid", "--bigtiff", "--compression", "jpeg", "--Q", "90");
        TestImages.vipsTiff(data, "subifd.tif", "--pyramid", "--subifd", "--compression", "jpeg", "--Q", "90");
        TestImages.vipsTiff(data, "deflate.tif", "--pyramid", "--compression", "deflate");
        TestImages.svs(data);
        Path refs = Files.createDirectories(data.resolve("references"));
        Files.move(data.resolve("source.png"), refs.resolve("source.png"));
        try (var junk = Files.list(data)) {
            for (Path f : junk.filter(f -> f.getFileName().toString().startsWith("svs-")).toList()) {
                Files.delete(f);
            }
        }
        server = TileServer.start(new TileServer.Options("127.0.0.1", 0, WORKERS, CACHE, 4, data, null),
                Router.builder());
        JsonNode r = drive(5, 5, "tiles-viewer-tiff.png", true);

        assertEquals(5, r.get("visits").asInt());
        assertTrue(r.get("jpeg").asInt() > 20, "JPEG tiles drawn: " + r.get("jpeg"));
        assertTrue(r.get("png").asInt() > 5, "PNG tiles (the deflate file) drawn: " + r.get("png"));
        assertTrue(r.get("cancels").asInt() > 0, "zooming fast over a slow network cancels tiles the view left");
        assertEquals(0, server.relay().metrics().snapshot().inFlight(), "every cancelled request ended");
        assertTrue(r.get("recent").size() >= 4, "tiles to compare: " + r.get("recent").size());
        BufferedImage level0 = ImageIO.read(refs.resolve("source.png").toFile());
        for (JsonNode t : r.get("recent")) {
            byte[] bytes = Base64.getDecoder().decode(t.get("bytes").asText());
            BufferedImage got = TestImages.decode(bytes);
            int k = 11 - t.get("level").asInt();
            BufferedImage reference = level0;
            Path above = refs.resolve("source.png");
            for (int i = 1; i <= k; i++) {
                Path out = refs.resolve("shrunk-" + i + ".png");
                if (!Files.exists(out)) {
                    TestImages.run(List.of("vips", "shrink", above.toString(), out.toString(), "2", "2"));
                }
                above = out;
                reference = ImageIO.read(out.toFile());
            }
            double diff = PyramidTest.difference(reference, got, 256 * t.get("x").asInt(), 256 * t.get("y").asInt());
            assertTrue(diff <= PyramidTest.MADE_TOLERANCE, "tile " + t.get("image").asText() + " "
                    + t.get("level") + "/" + t.get("x") + "/" + t.get("y") + " differs from vips by " + diff);
        }
    }

    /** Runs the browser driver against the server; checks what every session must hold; returns its findings. */
    private JsonNode drive(int visits, int images, String screenshot, boolean fly) throws Exception {
        Path e2e = Path.of("src", "test", "e2e");
        assertTrue(Files.isDirectory(e2e.resolve("node_modules/playwright-core")),
                "playwright-core is missing: run `npm ci --prefix examples/src/test/e2e` (bash .ci/run does)");
        assertTrue(Files.isExecutable(Path.of("/usr/bin/chromium")),
                "Chromium is missing: run `apt-get install chromium` (bash .ci/run does)");
        String url = "http://127.0.0.1:" + server.address().getPort() + "/";
        Path shot = Path.of("target", screenshot).toAbsolutePath();
        Process node = new ProcessBuilder("node", "tiles.mjs", url, shot.toString(), Integer.toString(visits),
                Integer.toString(images), fly ? "fly" : "stay").directory(e2e.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
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
        System.out.println("browser session: errors " + r.get("errors") + ", tiles " + r.get("clientTiles")
                + " (jpeg " + r.get("jpeg") + ", png " + r.get("png") + "), cancels " + r.get("cancels")
                + ", drawn " + r.get("drawnPixels") + ", panel " + r.get("panel"));
        assertEquals(0, r.get("errors").size(), "the page or driver reported errors: " + r.get("errors"));
        for (JsonNode lit : r.get("drawnPixels")) {
            assertTrue(lit.asInt() > 10_000, "a zoomed view drew almost nothing: " + r.get("drawnPixels"));
        }
        assertTrue(Files.size(shot) > 10_000, "no screenshot");
        return r;
    }
}
