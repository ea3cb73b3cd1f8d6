package dev.switchboard.examples.tiles;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.examples.tiles.tiff.TiffDirectory;
import dev.switchboard.examples.tiles.tiff.TiffFile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tiles of every layout people have (vips pyramids in the main chain, BigTIFF, SubIFDs, deflate,
 * LZW, none, an SVS layout assembled by tiffcp, the JDK-written big-endian demo) against the same
 * regions of the picture scaled and cut by vips: decoded pixels, within a small tolerance for JPEG.
 */
class PyramidTest {

    /** Mean absolute difference per sample allowed for a JPEG tile sent as stored: decoders differ a little. */
    static final double JPEG_TOLERANCE = 2.0;
    /** The same for a JPEG tile decoded, cropped and encoded again (an edge tile): a second generation. */
    static final double REENCODED_TOLERANCE = 4.0;
    /** The same for lossless files: only rounding. */
    static final double LOSSLESS_TOLERANCE = 0.5;
    /** A level the file lacks, made by halving, against vips' 2x2 box halving of the level above. */
    static final double MADE_TOLERANCE = 6.0;

    @TempDir
    static Path dir;

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of("classic JPEG pyramid", (Maker) d -> TestImages.vipsTiff(d, "classic.tif", "--pyramid",
                        "--compression", "jpeg", "--Q", "90"), true),
                Arguments.of("BigTIFF JPEG pyramid", (Maker) d -> TestImages.vipsTiff(d, "big.tif", "--pyramid",
                        "--bigtiff", "--compression", "jpeg", "--Q", "90"), true),
                Arguments.of("SubIFD JPEG pyramid", (Maker) d -> TestImages.vipsTiff(d, "subifd.tif", "--pyramid",
                        "--subifd", "--compression", "jpeg", "--Q", "90"), true),
                Arguments.of("deflate pyramid", (Maker) d -> TestImages.vipsTiff(d, "deflate.tif", "--pyramid",
                        "--compression", "deflate", "--predictor", "horizontal"), false),
                Arguments.of("LZW pyramid", (Maker) d -> TestImages.vipsTiff(d, "lzw.tif", "--pyramid",
                        "--compression", "lzw"), false),
                Arguments.of("uncompressed pyramid", (Maker) d -> TestImages.vipsTiff(d, "none.tif", "--pyramid",
                        "--compression", "none"), false),
                Arguments.of("SVS layout", (Maker) TestImages::svs, true),
                Arguments.of("JDK-written big-endian demo", (Maker) d -> {
                    Path f = d.resolve("demo.tif");
                    DemoImages.write(f, DemoImages.IMAGES.get(1), TestImages.WIDTH, TestImages.HEIGHT);
                    return f;
                }, true));
    }

    interface Maker {
        Path make(Path dir) throws IOException;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void everyLevelsTilesMatchTheRegionsVipsCuts(String name, Maker maker, boolean jpeg) throws IOException {
        Path file = maker.make(dir);
        try (Pyramid p = Pyramid.open(file)) {
            assertEquals(TestImages.WIDTH, p.width());
            assertEquals(TestImages.HEIGHT, p.height());
            assertEquals(256, p.tileSize());
            assertEquals(11, p.maxLevel());
            assertEquals(8, p.minLevel(), "the level that fits one tile");
            assertEquals(jpeg ? Pyramid.Format.JPEG : Pyramid.Format.PNG, p.format());
            Map<Integer, BufferedImage> reference = new HashMap<>();
            for (int level = p.maxLevel(); level >= p.minLevel(); level--) {
                reference.put(level, reference(file, p, level, reference, name.startsWith("SubIFD")));
                int cols = (p.levelWidth(level) + 255) / 256;
                int rows = (p.levelHeight(level) + 255) / 256;
                for (int[] t : new int[][] {{0, 0}, {cols - 1, rows - 1}, {cols / 2, rows / 2}, {cols - 1, 0}, {0, rows - 1}}) {
                    long raw = p.rawTiles();
                    Pyramid.Tile tile = p.tile(level, t[0], t[1]);
                    boolean stored = p.rawTiles() > raw;
                    BufferedImage got = TestImages.decode(tile.bytes());
                    assertEquals(Math.min(256, p.levelWidth(level) - 256 * t[0]), got.getWidth(), "edge tiles are cropped");
                    assertEquals(Math.min(256, p.levelHeight(level) - 256 * t[1]), got.getHeight());
                    double diff = difference(reference.get(level), got, 256 * t[0], 256 * t[1]);
                    double allowed = p.directoryAt(level).isEmpty() ? MADE_TOLERANCE
                            : !jpeg ? LOSSLESS_TOLERANCE : stored ? JPEG_TOLERANCE : REENCODED_TOLERANCE;
                    assertTrue(diff <= allowed, name + ": tile " + level + "/" + t[0] + "/" + t[1]
                            + " differs from vips by " + diff + " per sample (at most " + allowed + ")");
                }
            }
        }
    }

    /**
     * What vips makes of deep-zoom level {@code level}: the file's own directory for it, decoded
     * by vips, or, for a level the file lacks, vips' 2x2 box halving of the level above.
     */
    static BufferedImage reference(Path file, Pyramid p, int level, Map<Integer, BufferedImage> above,
                                   boolean subIfds) throws IOException {
        Path out = dir.resolve("reference-" + System.nanoTime() + ".png");
        Optional<TiffDirectory> d = p.directoryAt(level);
        if (d.isPresent()) {
            int i = d.get().index();
            String load = subIfds && i > 0 ? "[subifd=" + (i - 1) + "]" : "[page=" + i + "]";
            TestImages.run(List.of("vips", "copy", file + load, out.toString()));
        } else {
            Path finer = dir.resolve("finer-" + System.nanoTime() + ".png");
            ImageIO.write(above.get(level + 1), "png", finer.toFile());
            TestImages.run(List.of("vips", "shrink", finer.toString(), out.toString(), "2", "2"));
        }
        return ImageIO.read(out.toFile());
    }

    /** The mean difference of {@code tile} against the same region of {@code reference}, over their overlap. */
    static double difference(BufferedImage reference, BufferedImage tile, int left, int top) {
        int w = Math.min(tile.getWidth(), reference.getWidth() - left);
        int h = Math.min(tile.getHeight(), reference.getHeight() - top);
        assertTrue(w >= tile.getWidth() - 1 && h >= tile.getHeight() - 1, "vips' level is the same size");
        return TestImages.meanDifference(reference.getSubimage(left, top, w, h), tile.getSubimage(0, 0, w, h));
    }

    @Test
    void aJpegTileOnTheFilesGridIsSentAsStoredWithTheTablesMergedIn() throws IOException {
        Path file = TestImages.vipsTiff(dir, "raw.tif", "--pyramid", "--compression", "jpeg", "--Q", "90");
        try (Pyramid p = Pyramid.open(file); TiffFile tiff = TiffFile.open(file)) {
            TiffDirectory full = tiff.directories().get(0);
            byte[] tables = full.jpegTables().orElseThrow();
            byte[] stored = tiff.readTile(full, 2, 1);
            long decodedBefore = p.decodedTiles();

            Pyramid.Tile tile = p.tile(11, 2, 1);

            assertEquals(1, p.rawTiles());
            assertEquals(decodedBefore, p.decodedTiles(), "nothing was decoded");
            assertEquals(Pyramid.Format.JPEG, tile.format());
            // vips stores RGB (not YCbCr) JPEG at quality 90: an Adobe marker then says so to decoders
            byte[] adobe = full.photometric() == TiffDirectory.PHOTOMETRIC_RGB
                    ? new byte[] {(byte) 0xff, (byte) 0xee, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0}
                    : new byte[0];
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.write(tables, 0, tables.length - 2);
            expected.write(adobe);
            expected.write(stored, 2, stored.length - 2);
            assertArrayEquals(expected.toByteArray(), tile.bytes(),
                    "the tables without their EOI, then the tile without its SOI");
            BufferedImage vips = TestImages.vipsRegion(file, "[page=0]", 1, 512, 256, 256, 256, dir);
            assertTrue(TestImages.meanDifference(vips, TestImages.decode(tile.bytes())) < 1.0,
                    "the same pixels as vips decodes from the file");

            p.tile(11, 4, 2);
            assertEquals(1, p.rawTiles(), "an edge tile is cropped, not sent as stored");
            assertTrue(p.decodedTiles() > decodedBefore);
        }
    }

    @Test
    void anSvsLayoutServesItsLevelsListsItsExtrasAndMakesTheLevelsItLacks() throws IOException {
        try (Pyramid p = Pyramid.open(TestImages.svs(dir))) {
            assertEquals(List.of(7, 9, 11), p.levelsInFile());
            assertEquals(3, p.extras().size(), "thumbnail, label and macro: " + p.extras());
            assertTrue(p.extras().stream().allMatch(e -> e.contains("strips")), p.extras().toString());
            long before = p.decodedTiles();
            p.tile(10, 0, 0);
            assertEquals(before + 4, p.decodedTiles(), "made from the four tiles under it");
            p.tile(10, 0, 0);
            assertEquals(before + 4, p.decodedTiles(), "and kept");
        }
    }

    @Test
    void tilesOutsideThePyramidAreRefused() throws IOException {
        try (Pyramid p = Pyramid.open(TestImages.vipsTiff(dir, "bounds.tif", "--pyramid", "--compression", "jpeg"))) {
            for (int[] t : new int[][] {{12, 0, 0}, {7, 0, 0}, {11, 5, 0}, {11, 0, 4}, {11, -1, 0}}) {
                assertThrows(IllegalArgumentException.class, () -> p.tile(t[0], t[1], t[2]), Arrays.toString(t));
            }
        }
    }

    @Test
    void theDemoImagesAreStandardTiffThatVipsAndTiffinfoRead() throws IOException {
        Path f = dir.resolve("demo-check.tif");
        DemoImages.write(f, DemoImages.IMAGES.get(0), 600, 300);
        String info = TestImages.run(List.of("tiffinfo", f.toString()));
        assertTrue(info.contains("Compression Scheme: JPEG") && info.contains("Tile Width: 256"), info);
        assertTrue(info.contains("reduced-resolution image"), info);
        String header = TestImages.run(List.of("vipsheader", "-a", f + "[page=1]"));
        assertTrue(header.contains("300x150"), header);
    }
}
