package dev.switchboard.examples.tiles;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PyramidFileTest {

    @TempDir
    Path dir;

    @Test
    void aWrittenPyramidReadsBackEveryTileAsPng() throws Exception {
        Path file = dir.resolve("t.pyr");
        PyramidGenerator.write(file, PyramidGenerator.IMAGES.get(6), 512);
        try (PyramidReader r = PyramidReader.open(file)) {
            assertEquals(512, r.width());
            assertEquals(9, r.maxLevel());
            assertEquals(8, r.minLevel());
            BufferedImage whole = ImageIO.read(new ByteArrayInputStream(r.readTile(8, 0, 0)));
            assertEquals(256, whole.getWidth());
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 2; x++) {
                    BufferedImage t = ImageIO.read(new ByteArrayInputStream(r.readTile(9, x, y)));
                    assertEquals(256, t.getHeight());
                }
            }
            assertThrows(IllegalArgumentException.class, () -> r.readTile(9, 2, 0));
            assertThrows(IllegalArgumentException.class, () -> r.readTile(7, 0, 0));
        }
    }

    @Test
    void aCorruptFileIsRefusedAndItsChannelClosed() throws Exception {
        Path file = dir.resolve("bad.pyr");
        Files.write(file, new byte[] {'n', 'o', 'p', 'e', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0});
        assertThrows(java.io.UncheckedIOException.class, () -> PyramidReader.open(file));
        assertArrayEquals(new byte[] {'n', 'o', 'p', 'e'}, java.util.Arrays.copyOf(Files.readAllBytes(file), 4));
    }
}
