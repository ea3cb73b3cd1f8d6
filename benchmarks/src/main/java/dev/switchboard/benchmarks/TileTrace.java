package dev.switchboard.benchmarks;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A trace of tile requests for the tile scenario: "many viewers panning" over one large image,
 * drawn as tiles chosen uniformly over every tile of the {@code --levels} finest DeepZoom levels
 * (so each level weighs as many tiles as it has: the finest about three quarters), from a seed,
 * so that every server replays the same tiles in the same order. Written once to a file of
 * lines {@code L x y}, which both {@link LoadGenerator} ({@code --tile-trace}) and the peers'
 * {@code wrk} script replay.
 *
 * <p>DeepZoom geometry: level {@code maxLevel = ceil(log2(max(w, h)))} is the full
 * resolution, each level below halves it (rounding up), tiles are {@code --tile-size} pixels
 * with no overlap.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.switchboard.benchmarks.TileTrace
 * --width 16384 --height 16384 --levels 3 --length 200000 --seed 42 --out trace.txt}
 */
@Command(name = "TileTrace", mixinStandardHelpOptions = true,
        description = "Writes a seeded trace of DeepZoom tiles (one 'L x y' line per request)")
public final class TileTrace implements Callable<Integer> {

    /** One tile request. */
    public record Tile(int level, int x, int y) {
    }

    @Option(names = "--width", required = true, description = "image width in pixels")
    int width;
    @Option(names = "--height", required = true, description = "image height in pixels")
    int height;
    @Option(names = "--tile-size", defaultValue = "256", description = "tile size in pixels")
    int tileSize;
    @Option(names = "--levels", defaultValue = "3", description = "how many of the finest levels to draw from")
    int levels;
    @Option(names = "--length", defaultValue = "200000", description = "tiles in the trace")
    int length;
    @Option(names = "--seed", defaultValue = "42", description = "random seed")
    long seed;
    @Option(names = "--out", required = true, description = "file to write")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TileTrace()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        List<Tile> trace = generate(width, height, tileSize, levels, length, seed);
        write(out, trace);
        System.out.printf("wrote %d tiles over levels %d..%d (%d distinct tiles there) to %s%n", trace.size(),
                maxLevel(width, height) - levels + 1, maxLevel(width, height),
                tilesIn(width, height, tileSize, levels), out);
        return 0;
    }

    /** {@code ceil(log2(max(width, height)))}: the DeepZoom level of the full resolution. */
    public static int maxLevel(int width, int height) {
        int max = Math.max(width, height);
        return max <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(max - 1);
    }

    /** The width or height {@code size} of the full image at DeepZoom {@code level}. */
    public static int sizeAt(int size, int level, int maxLevel) {
        int shift = maxLevel - level;
        return shift >= 31 ? 1 : (int) Math.max(1, ((long) size + (1L << shift) - 1) >> shift);
    }

    /** Tile columns ({@code size} = width) or rows ({@code size} = height) at {@code level}. */
    public static int tilesAlong(int size, int tileSize, int level, int maxLevel) {
        return (sizeAt(size, level, maxLevel) + tileSize - 1) / tileSize;
    }

    /** Whether {@code tile} exists in an image of that size. */
    public static boolean contains(int width, int height, int tileSize, Tile tile) {
        int max = maxLevel(width, height);
        return tile.level() >= 0 && tile.level() <= max && tile.x() >= 0 && tile.y() >= 0
                && tile.x() < tilesAlong(width, tileSize, tile.level(), max)
                && tile.y() < tilesAlong(height, tileSize, tile.level(), max);
    }

    /** The number of distinct tiles of the {@code levels} finest levels. */
    public static long tilesIn(int width, int height, int tileSize, int levels) {
        int max = maxLevel(width, height);
        long n = 0;
        for (int l = max; l > max - levels && l >= 0; l--) {
            n += (long) tilesAlong(width, tileSize, l, max) * tilesAlong(height, tileSize, l, max);
        }
        return n;
    }

    /**
     * {@code length} tiles drawn uniformly, from {@code seed}, over all the tiles of the
     * {@code levels} finest levels of a {@code width} x {@code height} image.
     */
    public static List<Tile> generate(int width, int height, int tileSize, int levels, int length, long seed) {
        int max = maxLevel(width, height);
        if (width < 1 || height < 1 || tileSize < 1 || length < 1 || levels < 1 || levels > max + 1) {
            throw new IllegalArgumentException("width, height, tile size and length must be at least 1 and levels "
                    + "within 1.." + (max + 1) + ", were " + width + ", " + height + ", " + tileSize + ", "
                    + length + ", " + levels);
        }
        int[] level = new int[levels];
        long[] upTo = new long[levels];
        long total = 0;
        for (int i = 0; i < levels; i++) {
            level[i] = max - i;
            total += (long) tilesAlong(width, tileSize, level[i], max) * tilesAlong(height, tileSize, level[i], max);
            upTo[i] = total;
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Tile> out = new ArrayList<>(length);
        for (int n = 0; n < length; n++) {
            long t = random.nextLong(total);
            int i = 0;
            while (t >= upTo[i]) {
                i++;
            }
            long within = t - (i == 0 ? 0 : upTo[i - 1]);
            int cols = tilesAlong(width, tileSize, level[i], max);
            out.add(new Tile(level[i], (int) (within % cols), (int) (within / cols)));
        }
        return out;
    }

    /** Writes {@code trace} as lines {@code L x y}. */
    public static void write(Path file, List<Tile> trace) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            for (Tile t : trace) {
                w.write(t.level() + " " + t.x() + " " + t.y() + "\n");
            }
        }
    }

    /** Reads a trace written by {@link #write}; blank lines are skipped. */
    public static List<Tile> read(Path file) throws IOException {
        List<Tile> out = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            try {
                if (f.length != 3) {
                    throw new NumberFormatException();
                }
                out.add(new Tile(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2])));
            } catch (NumberFormatException e) {
                throw new IOException(file + ":" + n + ": expected 'level x y', got '" + line + "'");
            }
        }
        if (out.isEmpty()) {
            throw new IOException(file + " holds no tiles");
        }
        return out;
    }
}
