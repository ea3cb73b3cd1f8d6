package dev.switchboard.examples.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Test images made by the tools people make them with: {@code vips} (Debian's libvips-tools)
 * writes the pyramids, {@code tiffcp} (libtiff-tools) assembles an SVS-layout file, and
 * {@code tiffinfo} reads them back. {@code bash .ci/run} installs both packages.
 */
public final class TestImages {

    /** The source picture's size: odd, so that levels round and edge tiles are partial. */
    public static final int WIDTH = 1234;
    public static final int HEIGHT = 777;

    private TestImages() {
    }

    /** A fractal drawn at {@link #WIDTH} x {@link #HEIGHT}, as a PNG in {@code dir}. */
    public static Path source(Path dir) throws IOException {
        Path png = dir.resolve("source.png");
        if (!Files.exists(png)) {
            BufferedImage img = DemoImages.render(DemoImages.IMAGES.get(1), WIDTH, HEIGHT);
            assertTrue(ImageIO.write(img, "png", png.toFile()));
        }
        return png;
    }

    /** {@code vips tiffsave} of the source into {@code dir/name} with {@code options}. */
    public static Path vipsTiff(Path dir, String name, String... options) throws IOException {
        Path out = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("vips", "tiffsave", source(dir).toString(), out.toString(),
                "--tile", "--tile-width", "256", "--tile-height", "256"));
        cmd.addAll(List.of(options));
        run(cmd);
        return out;
    }

    /**
     * An Aperio SVS layout assembled by {@code tiffcp}: the full image tiled, a thumbnail in
     * strips, levels at 1/4 and 1/16 tiled, then a label and a macro image in strips.
     */
    public static Path svs(Path dir) throws IOException {
        Path src = source(dir);
        Path full = vipsTiff(dir, "svs-full.tif", "--compression", "jpeg", "--Q", "90");
        Path quarter = dir.resolve("svs-quarter.v");
        run(List.of("vips", "shrink", src.toString(), quarter.toString(), "4", "4"));
        Path q = dir.resolve("svs-q.tif");
        run(List.of("vips", "tiffsave", quarter.toString(), q.toString(), "--tile", "--tile-width", "256",
                "--tile-height", "256", "--compression", "jpeg", "--Q", "90"));
        Path sixteenth = dir.resolve("svs-sixteenth.v");
        run(List.of("vips", "shrink", src.toString(), sixteenth.toString(), "16", "16"));
        Path s = dir.resolve("svs-s.tif");
        run(List.of("vips", "tiffsave", sixteenth.toString(), s.toString(), "--tile", "--tile-width", "256",
                "--tile-height", "256", "--compression", "jpeg", "--Q", "90"));
        Path thumb = dir.resolve("svs-thumb.tif");
        run(List.of("vips", "tiffsave", sixteenth.toString(), thumb.toString(), "--compression", "jpeg"));
        Path label = dir.resolve("svs-label.tif");
        run(List.of("vips", "tiffsave", quarter.toString(), label.toString(), "--compression", "lzw"));
        // one tiffcp per directory: a single call would store every directory the way the
        // first is stored (tiled), and the SVS layout keeps its thumbnail, label and macro in strips
        Path out = dir.resolve("slide.svs");
        Files.deleteIfExists(out);
        run(List.of("tiffcp", full.toString(), out.toString()));
        run(List.of("tiffcp", "-a", "-s", thumb.toString(), out.toString()));
        run(List.of("tiffcp", "-a", q.toString(), out.toString()));
        run(List.of("tiffcp", "-a", s.toString(), out.toString()));
        run(List.of("tiffcp", "-a", "-s", label.toString(), out.toString()));
        run(List.of("tiffcp", "-a", "-s", label.toString(), out.toString()));
        return out;
    }

    /** Runs {@code cmd}, at most a minute; returns what it printed; fails the test on a non-zero exit. */
    public static String run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(1, TimeUnit.MINUTES), "timed out: " + cmd);
            assertEquals(0, p.exitValue(), cmd + " failed: " + out);
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            p.destroyForcibly();
        }
    }

    /** The region of {@code file} that vips extracts from {@code page}, scaled first by {@code scale}. */
    public static BufferedImage vipsRegion(Path file, String load, double scale, int left, int top, int width,
                                           int height, Path dir) throws IOException {
        Path scaled = dir.resolve("ref-" + System.nanoTime() + ".v");
        String in = file + load;
        if (scale != 1) {
            run(List.of("vips", "resize", in, scaled.toString(), Double.toString(scale)));
            in = scaled.toString();
        }
        Path png = dir.resolve("ref-" + System.nanoTime() + ".png");
        run(List.of("vips", "extract_area", in, png.toString(), Integer.toString(left), Integer.toString(top),
                Integer.toString(width), Integer.toString(height)));
        BufferedImage img = ImageIO.read(png.toFile());
        Files.deleteIfExists(png);
        Files.deleteIfExists(scaled);
        return img;
    }

    /** Decodes a tile's bytes (JPEG or PNG). */
    public static BufferedImage decode(byte[] bytes) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
        assertTrue(img != null, "neither JPEG nor PNG");
        return img;
    }

    /** The mean absolute difference of the RGB samples of two images of one size. */
    public static double meanDifference(BufferedImage a, BufferedImage b) {
        assertEquals(a.getWidth(), b.getWidth(), "width");
        assertEquals(a.getHeight(), b.getHeight(), "height");
        long sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift < 24; shift += 8) {
                    sum += Math.abs(((p >> shift) & 0xff) - ((q >> shift) & 0xff));
                }
            }
        }
        return sum / (3.0 * a.getWidth() * a.getHeight());
    }
}
