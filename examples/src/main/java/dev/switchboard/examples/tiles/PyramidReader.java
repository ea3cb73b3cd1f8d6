package dev.switchboard.examples.tiles;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * An open pyramid file: opening reads and checks the header and the whole tile index (real I/O,
 * the expensive part); {@link #readTile} is one positional read. Thread-safe; holds one file
 * descriptor until {@link #close()}.
 */
final class PyramidReader implements AutoCloseable {

    private final FileChannel channel;
    private final int width;
    private final int height;
    private final int tileSize;
    private final int maxLevel;
    private final int[] cols;
    private final int[] rows;
    private final int[] firstEntry;
    private final long[] offsets;
    private final int[] lengths;

    private PyramidReader(FileChannel channel) throws IOException {
        this.channel = channel;
        ByteBuffer head = read(0, PyramidFile.HEADER_BYTES);
        byte[] magic = new byte[8];
        head.get(magic);
        if (!Arrays.equals(magic, PyramidFile.MAGIC)) {
            throw new IOException("not a pyramid file (bad magic)");
        }
        width = head.getInt();
        height = head.getInt();
        tileSize = head.getInt();
        int levels = head.getInt();
        maxLevel = head.getInt();
        if (width < 1 || height < 1 || tileSize < 1 || levels < 1 || levels > 32 || maxLevel < levels - 1) {
            throw new IOException("corrupt pyramid header");
        }
        ByteBuffer table = read(PyramidFile.HEADER_BYTES, 8 * levels);
        cols = new int[levels];
        rows = new int[levels];
        firstEntry = new int[levels];
        int tiles = 0;
        for (int i = 0; i < levels; i++) {
            cols[i] = table.getInt();
            rows[i] = table.getInt();
            if (cols[i] < 1 || rows[i] < 1 || cols[i] > 1 << 16 || rows[i] > 1 << 16) {
                throw new IOException("corrupt pyramid level table");
            }
            firstEntry[i] = tiles;
            tiles += cols[i] * rows[i];
        }
        ByteBuffer index = read(PyramidFile.HEADER_BYTES + 8L * levels, PyramidFile.INDEX_ENTRY_BYTES * tiles);
        offsets = new long[tiles];
        lengths = new int[tiles];
        long size = channel.size();
        for (int i = 0; i < tiles; i++) {
            offsets[i] = index.getLong();
            lengths[i] = index.getInt();
            if (offsets[i] < 0 || lengths[i] < 0 || offsets[i] + lengths[i] > size) {
                throw new IOException("corrupt pyramid index entry " + i);
            }
        }
    }

    /** Opens and indexes {@code file}; the caller owns the returned reader. */
    static PyramidReader open(Path file) {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
            return new PyramidReader(ch);
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new UncheckedIOException("cannot open pyramid " + file, e);
        }
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    int tileSize() {
        return tileSize;
    }

    int maxLevel() {
        return maxLevel;
    }

    int minLevel() {
        return maxLevel - cols.length + 1;
    }

    /**
     * The encoded tile at deep-zoom {@code level}, column {@code x}, row {@code y}.
     *
     * @throws IllegalArgumentException for a tile outside the pyramid
     */
    byte[] readTile(int level, int x, int y) {
        int i = level - minLevel();
        if (i < 0 || i >= cols.length || x < 0 || y < 0 || x >= cols[i] || y >= rows[i]) {
            throw new IllegalArgumentException("no tile " + level + "/" + x + "/" + y);
        }
        int entry = firstEntry[i] + y * cols[i] + x;
        try {
            return read(offsets[entry], lengths[entry]).array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ByteBuffer read(long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (channel.read(b, position + b.position()) < 0) {
                throw new EOFException("pyramid file truncated");
            }
        }
        return b.flip();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
