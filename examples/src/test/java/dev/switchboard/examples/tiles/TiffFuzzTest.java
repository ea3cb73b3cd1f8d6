package dev.switchboard.examples.tiles;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.examples.tiles.tiff.TiffDirectory;
import dev.switchboard.examples.tiles.tiff.TiffFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates the headers and directories of real TIFF files (little-endian classic and BigTIFF
 * written by vips, big-endian written by the JDK) and opens each mutant as the server would:
 * every one either opens and serves, or is refused with a clear error; none throws anything
 * else, allocates past the limits, or hangs. The unmutated files are the positive control.
 */
class TiffFuzzTest {

    static final int MUTANTS_PER_FILE = 700;

    @TempDir
    static Path dir;

    @Test
    void mutatedHeadersAndDirectoriesOpenOrAreRefusedCleanly() throws IOException {
        List<Path> seeds = List.of(
                TestImages.vipsTiff(dir, "le.tif", "--pyramid", "--compression", "jpeg"),
                TestImages.vipsTiff(dir, "bigtiff.tif", "--pyramid", "--bigtiff", "--compression", "deflate"),
                demo());
        Random random = new Random(20261205);
        int opened = 0;
        int refused = 0;
        for (Path seed : seeds) {
            byte[] original = Files.readAllBytes(seed);
            List<long[]> regions = new ArrayList<>();
            regions.add(new long[] {0, 16});
            try (TiffFile t = TiffFile.open(seed)) {
                for (TiffDirectory d : t.directories()) {
                    regions.add(new long[] {d.offset(), 8 + 20L * 24});
                }
            }
            assertTrue(serves(seed), "positive control: the unmutated " + seed.getFileName() + " serves");
            Path mutant = dir.resolve("mutant.tif");
            for (int i = 0; i < MUTANTS_PER_FILE; i++) {
                byte[] b = original.clone();
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    long[] r = regions.get(random.nextInt(regions.size()));
                    int at = (int) Math.min(b.length - 1, r[0] + random.nextInt((int) r[1]));
                    b[at] = random.nextInt(3) == 0 ? (byte) 0xff : (byte) random.nextInt(256);
                }
                Files.write(mutant, b);
                if (serves(mutant)) {
                    opened++;
                } else {
                    refused++;
                }
            }
        }
        System.out.println("fuzz: " + opened + " mutants served, " + refused + " refused");
        assertTrue(refused > MUTANTS_PER_FILE, "the mutations reach the checks: " + refused + " refused");
        assertTrue(opened > 50, "some mutations are harmless and still serve: " + opened);
    }

    /** Opens {@code f} as a pyramid and reads a few tiles; false when it is refused with a clear error. */
    static boolean serves(Path f) {
        try (Pyramid p = Pyramid.open(f)) {
            for (int level = p.minLevel(); level <= p.maxLevel(); level++) {
                p.tile(level, 0, 0);
            }
            return true;
        } catch (UncheckedIOException e) {
            assertTrue(e.getMessage() != null && e.getMessage().startsWith(f.toString()), "names the file: " + e);
            return false;
        }
    }

    static Path demo() throws IOException {
        Path f = dir.resolve("be.tif");
        DemoImages.write(f, DemoImages.IMAGES.get(3), 700, 500);
        return f;
    }
}
