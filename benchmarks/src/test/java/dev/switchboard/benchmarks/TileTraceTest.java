package dev.switchboard.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TileTraceTest {

    @Test
    void levelsFollowDeepZoom() {
        assertEquals(14, TileTrace.maxLevel(16384, 16384));
        assertEquals(11, TileTrace.maxLevel(2048, 1000));
        assertEquals(13, TileTrace.maxLevel(5000, 3000));
        assertEquals(0, TileTrace.maxLevel(1, 1));
        // each level halves, rounding up: 5000, 2500, 1250, 625 wide
        assertEquals(20, TileTrace.tilesAlong(5000, 256, 13, 13));
        assertEquals(10, TileTrace.tilesAlong(5000, 256, 12, 13));
        assertEquals(5, TileTrace.tilesAlong(5000, 256, 11, 13));
        assertEquals(3, TileTrace.tilesAlong(5000, 256, 10, 13));
        assertEquals(1, TileTrace.sizeAt(5000, 0, 13));
        assertEquals(4096 + 1024 + 256, TileTrace.tilesIn(16384, 16384, 256, 3));
    }

    @Test
    void theSameSeedGivesTheSameTrace() {
        assertEquals(TileTrace.generate(5000, 3000, 256, 3, 1000, 42), TileTrace.generate(5000, 3000, 256, 3, 1000, 42));
        assertNotEquals(TileTrace.generate(5000, 3000, 256, 3, 1000, 42), TileTrace.generate(5000, 3000, 256, 3, 1000, 43));
    }

    @Test
    void everyTileIsInTheImageOnOneOfTheFinestLevels() {
        for (TileTrace.Tile t : TileTrace.generate(5000, 3000, 256, 3, 20_000, 1)) {
            assertTrue(t.level() >= 11 && t.level() <= 13, t::toString);
            assertTrue(TileTrace.contains(5000, 3000, 256, t), t::toString);
        }
        assertTrue(!TileTrace.contains(5000, 3000, 256, new TileTrace.Tile(13, 20, 0)));
        assertTrue(!TileTrace.contains(5000, 3000, 256, new TileTrace.Tile(13, 0, 12)));
    }

    @Test
    void eachTileIsEquallyLikelySoLevelsWeighTheirTileCounts() {
        List<TileTrace.Tile> trace = TileTrace.generate(16384, 16384, 256, 3, 200_000, 7);
        long finest = trace.stream().filter(t -> t.level() == 14).count();
        long coarsest = trace.stream().filter(t -> t.level() == 12).count();
        assertEquals(4096.0 / 5376, finest / 200_000.0, 0.01);
        assertEquals(256.0 / 5376, coarsest / 200_000.0, 0.005);
        // and over the tiles of a level, uniform: both halves of the finest level alike
        long left = trace.stream().filter(t -> t.level() == 14 && t.x() < 32).count();
        assertEquals(0.5, left / (double) finest, 0.01);
    }

    @Test
    void aWrittenTraceReadsBack(@TempDir Path dir) throws IOException {
        List<TileTrace.Tile> trace = TileTrace.generate(2048, 2048, 256, 2, 500, 3);
        Path file = dir.resolve("trace.txt");
        TileTrace.write(file, trace);
        assertEquals(trace, TileTrace.read(file));
        TileTrace.Tile first = trace.get(0);
        assertEquals(first.level() + " " + first.x() + " " + first.y(), Files.readAllLines(file).get(0));
    }

    @Test
    void aMalformedLineIsRejectedWithItsNumber(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.txt");
        Files.writeString(file, "11 0 0\n11 zero 0\n");
        IOException e = assertThrows(IOException.class, () -> TileTrace.read(file));
        assertTrue(e.getMessage().contains(":2:"), e.getMessage());
    }
}
