package dev.switchboard.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {

    @Test
    void aTraceIsCheckedAgainstTheServersImagesBeforeItRuns() throws IOException {
        JsonNode images = new ObjectMapper().readTree(
                "[{\"name\":\"big\",\"width\":16384,\"height\":16384,\"tileSize\":256,\"minLevel\":0,\"maxLevel\":14}]");
        List<TileTrace.Tile> trace = TileTrace.generate(16384, 16384, 256, 3, 10, 1);
        String[] requests = LoadGenerator.tileRequests(trace, "big", images);
        TileTrace.Tile first = trace.get(0);
        assertEquals(",\"key\":\"big\",\"body\":{\"level\":" + first.level() + ",\"x\":" + first.x() + ",\"y\":"
                + first.y() + "}}", requests[0]);
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> LoadGenerator.tileRequests(trace, "mandelbrot", images));
        assertTrue(missing.getMessage().contains("[big]"), missing.getMessage());
        List<TileTrace.Tile> outside = List.of(new TileTrace.Tile(14, 64, 0));
        assertThrows(IllegalStateException.class, () -> LoadGenerator.tileRequests(outside, "big", images));
    }
}
