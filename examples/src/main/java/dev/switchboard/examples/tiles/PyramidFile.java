package dev.switchboard.examples.tiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The pyramid file format: a fixed header, a level table, a tile index, then the pre-encoded
 * tiles (PNG), level by level, row by row. All numbers are big-endian.
 *
 * <pre>
 * header   magic "SBPYRAM1" (8 bytes), width (int), height (int), tileSize (int),
 *          levelCount (int), maxLevel (int: the deep-zoom level of the full-size image)
 * levels   levelCount × (cols int, rows int), coarsest first; level i is deep-zoom level
 *          maxLevel - levelCount + 1 + i
 * index    for each level, row, column: offset (long, from the start of the file), length (int)
 * tiles    the encoded tiles
 * </pre>
 *
 * See {@link PyramidReader} for reading. Writing goes to a temporary file that is moved into
 * place, so a reader never sees half a file.
 */
final class PyramidFile {

    static final byte[] MAGIC = {'S', 'B', 'P', 'Y', 'R', 'A', 'M', '1'};
    static final int HEADER_BYTES = 8 + 5 * 4;
    static final int INDEX_ENTRY_BYTES = 12;

    private PyramidFile() {
    }

    /** One level's tiles, encoded, in row-major order. */
    record Level(int cols, int rows, List<byte[]> tiles) {
        Level {
            if (tiles.size() != cols * rows) {
                throw new IllegalArgumentException("a level of " + cols + "x" + rows + " needs " + cols * rows
                        + " tiles, got " + tiles.size());
            }
        }
    }

    /** Writes a pyramid; {@code levels} coarsest first. */
    static void write(Path file, int width, int height, int tileSize, int maxLevel, List<Level> levels)
            throws IOException {
        int tileCount = levels.stream().mapToInt(l -> l.tiles().size()).sum();
        long offset = HEADER_BYTES + 8L * levels.size() + (long) INDEX_ENTRY_BYTES * tileCount;
        ByteBuffer head = ByteBuffer.allocate((int) offset);
        head.put(MAGIC).putInt(width).putInt(height).putInt(tileSize).putInt(levels.size()).putInt(maxLevel);
        for (Level l : levels) {
            head.putInt(l.cols()).putInt(l.rows());
        }
        for (Level l : levels) {
            for (byte[] t : l.tiles()) {
                head.putLong(offset).putInt(t.length);
                offset += t.length;
            }
        }
        head.flip();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, head);
            for (Level l : levels) {
                for (byte[] t : l.tiles()) {
                    writeFully(ch, ByteBuffer.wrap(t));
                }
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
