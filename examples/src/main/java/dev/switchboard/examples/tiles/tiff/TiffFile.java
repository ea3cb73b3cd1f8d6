package dev.switchboard.examples.tiles.tiff;

import static dev.switchboard.examples.tiles.tiff.TiffLimits.MAX_DIMENSION;
import static dev.switchboard.examples.tiles.tiff.TiffLimits.MAX_DIRECTORIES;
import static dev.switchboard.examples.tiles.tiff.TiffLimits.MAX_ENTRIES_PER_DIRECTORY;
import static dev.switchboard.examples.tiles.tiff.TiffLimits.MAX_JPEG_TABLES_BYTES;
import static dev.switchboard.examples.tiles.tiff.TiffLimits.MAX_SAMPLES_PER_PIXEL;
import static dev.switchboard.examples.tiles.tiff.TiffLimits.MAX_TEXT_BYTES;
import static dev.switchboard.examples.tiles.tiff.TiffLimits.MAX_TILES_PER_LEVEL;
import static dev.switchboard.examples.tiles.tiff.TiffLimits.MAX_TILE_BYTES;
import static dev.switchboard.examples.tiles.tiff.TiffLimits.MAX_TILE_SIDE;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An open TIFF file: opening reads its header and every directory (the main chain, then the
 * SubIFDs of the first directory), checks each count and offset against the file's size and
 * {@link TiffLimits}, and keeps the tile index in memory; reading a tile is then one positional
 * read. Classic TIFF and BigTIFF, little- and big-endian. Thread-safe; holds one file descriptor
 * until {@link #close()}.
 */
public final class TiffFile implements AutoCloseable {

    private static final int TAG_NEW_SUBFILE_TYPE = 254;
    private static final int TAG_IMAGE_WIDTH = 256;
    private static final int TAG_IMAGE_LENGTH = 257;
    private static final int TAG_BITS_PER_SAMPLE = 258;
    private static final int TAG_COMPRESSION = 259;
    private static final int TAG_PHOTOMETRIC = 262;
    private static final int TAG_IMAGE_DESCRIPTION = 270;
    private static final int TAG_SAMPLES_PER_PIXEL = 277;
    private static final int TAG_PLANAR_CONFIGURATION = 284;
    private static final int TAG_PREDICTOR = 317;
    private static final int TAG_TILE_WIDTH = 322;
    private static final int TAG_TILE_LENGTH = 323;
    private static final int TAG_TILE_OFFSETS = 324;
    private static final int TAG_TILE_BYTE_COUNTS = 325;
    private static final int TAG_SUB_IFDS = 330;
    private static final int TAG_EXTRA_SAMPLES = 338;
    private static final int TAG_SAMPLE_FORMAT = 339;
    private static final int TAG_JPEG_TABLES = 347;
    private static final int TAG_YCBCR_SUBSAMPLING = 530;

    private static final Map<Integer, String> COMPRESSIONS = Map.ofEntries(
            Map.entry(1, "none"), Map.entry(2, "CCITT RLE"), Map.entry(3, "CCITT fax 3"),
            Map.entry(4, "CCITT fax 4"), Map.entry(5, "LZW"), Map.entry(6, "old-style JPEG"),
            Map.entry(7, "JPEG"), Map.entry(8, "deflate"), Map.entry(32773, "PackBits"),
            Map.entry(32946, "deflate"), Map.entry(33003, "JPEG 2000 (Aperio YCbCr)"),
            Map.entry(33005, "JPEG 2000 (Aperio RGB)"), Map.entry(34712, "JPEG 2000"),
            Map.entry(34887, "LERC"), Map.entry(34925, "LZMA"), Map.entry(50000, "Zstandard"),
            Map.entry(50001, "WebP"), Map.entry(50002, "JPEG XL"));

    private final Path path;
    private final FileChannel channel;
    private final long size;
    private final List<TiffDirectory> directories;

    private TiffFile(Path path, FileChannel channel) throws IOException {
        this.path = path;
        this.channel = channel;
        this.size = channel.size();
        this.directories = List.copyOf(new Parser().parse());
    }

    /**
     * Opens and indexes {@code file}; the caller owns the returned file.
     *
     * @throws TiffException when it is not a TIFF this reader can index, with the reason
     * @throws IOException   when it cannot be read
     */
    public static TiffFile open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new TiffFile(file, ch);
        } catch (IOException | RuntimeException e) {
            try {
                ch.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The file it reads. */
    public Path path() {
        return path;
    }

    /** Every directory read, the main chain in order, then the SubIFDs of the first. */
    public List<TiffDirectory> directories() {
        return directories;
    }

    /**
     * The stored bytes of tile ({@code tx}, {@code ty}) of {@code d}, as the file holds them
     * (compressed; for JPEG, without the shared tables); empty for a tile the writer left out.
     */
    public byte[] readTile(TiffDirectory d, int tx, int ty) throws IOException {
        byte[] out = new byte[d.tileLength(tx, ty)];
        readTile(d, tx, ty, out, 0);
        return out;
    }

    /** Reads the stored bytes of tile ({@code tx}, {@code ty}) into {@code dst} at {@code at}. */
    public void readTile(TiffDirectory d, int tx, int ty, byte[] dst, int at) throws IOException {
        checkTile(d, tx, ty);
        int length = d.tileLength(tx, ty);
        ByteBuffer b = ByteBuffer.wrap(dst, at, length);
        long position = d.tileOffset(tx, ty) - at;
        while (b.hasRemaining()) {
            if (channel.read(b, position + b.position()) < 0) {
                throw new EOFException(path + " ends inside tile " + tx + "," + ty + " of directory " + d.index());
            }
        }
    }

    private static void checkTile(TiffDirectory d, int tx, int ty) {
        if (!d.tiled() || tx < 0 || ty < 0 || tx >= d.tilesAcross() || ty >= d.tilesDown()) {
            throw new IllegalArgumentException("no tile " + tx + "," + ty + " in directory " + d.index());
        }
    }

    /** The name of a TIFF compression code, for messages: {@code "JPEG"}, or {@code "code 34"}. */
    public static String compressionName(int compression) {
        String name = COMPRESSIONS.get(compression);
        return name != null ? name : "code " + compression;
    }

    /**
     * Why the pixels of {@code d} cannot be decoded, or empty when they can: JPEG, deflate, LZW
     * or none; 8 bits per sample; one plane; grey, RGB or YCbCr, with at most one alpha channel.
     */
    public static Optional<String> unsupported(TiffDirectory d) {
        int c = d.compression();
        if (c != TiffDirectory.COMPRESSION_NONE && c != TiffDirectory.COMPRESSION_LZW
                && c != TiffDirectory.COMPRESSION_JPEG && c != TiffDirectory.COMPRESSION_DEFLATE
                && c != TiffDirectory.COMPRESSION_DEFLATE_OLD) {
            return Optional.of("compression " + compressionName(c) + " is not supported "
                    + "(JPEG, deflate, LZW and none are)");
        }
        for (int bits : d.bitsPerSample) {
            if (bits != 8) {
                return Optional.of(bits + "-bit samples are not supported (8-bit are)");
            }
        }
        if (d.planarConfiguration != 1 && d.samplesPerPixel > 1) {
            return Optional.of("separate colour planes are not supported");
        }
        int p = d.photometric();
        boolean grey = p == TiffDirectory.PHOTOMETRIC_BLACK_IS_ZERO || p == TiffDirectory.PHOTOMETRIC_WHITE_IS_ZERO;
        int colours = grey ? 1 : 3;
        if (!grey && p != TiffDirectory.PHOTOMETRIC_RGB && p != TiffDirectory.PHOTOMETRIC_YCBCR) {
            return Optional.of("photometric interpretation " + p + " is not supported (grey, RGB and YCbCr are)");
        }
        if (d.samplesPerPixel != colours && d.samplesPerPixel != colours + 1) {
            return Optional.of(d.samplesPerPixel + " samples per pixel do not fit photometric interpretation " + p);
        }
        if (d.sampleFormat != null) {
            for (int f : d.sampleFormat) {
                if (f != 1) {
                    return Optional.of("sample format " + f + " is not supported (unsigned integers are)");
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "TiffFile[" + path + ", " + directories.size() + " directories]";
    }

    /** One directory entry: its tag, type, count and where its value is. */
    private record Entry(int tag, int type, long count, long valueOffset, byte[] inline) {
    }

    /** Reads the header and the directories; each method checks what it reads before using it. */
    private final class Parser {
        private ByteOrder order = ByteOrder.BIG_ENDIAN;
        private boolean big;
        private long[] subIfdsOfFirst = new long[0];

        List<TiffDirectory> parse() throws IOException {
            if (size < 8) {
                throw new TiffException("not a TIFF: " + size + " bytes are too few for a header");
            }
            ByteBuffer head = read(0, (int) Math.min(16, size));
            byte b0 = head.get(0);
            byte b1 = head.get(1);
            if (b0 == 'I' && b1 == 'I') {
                order = ByteOrder.LITTLE_ENDIAN;
            } else if (b0 != 'M' || b1 != 'M') {
                throw new TiffException("not a TIFF: no II or MM byte-order mark");
            }
            head.order(order);
            int version = head.getShort(2) & 0xffff;
            long first;
            if (version == 42) {
                first = head.getInt(4) & 0xffffffffL;
            } else if (version == 43) {
                if (size < 16 || head.getShort(4) != 8 || head.getShort(6) != 0) {
                    throw new TiffException("not a BigTIFF: bad offset size in the header");
                }
                big = true;
                first = head.getLong(8);
            } else {
                throw new TiffException("not a TIFF: version " + version + " (42 is TIFF, 43 BigTIFF)");
            }
            List<TiffDirectory> out = new ArrayList<>();
            Set<Long> seen = new HashSet<>();
            walkChain(first, out, seen);
            if (out.isEmpty()) {
                throw new TiffException("no image directory");
            }
            for (long s : subIfdsOfFirst) {
                walkChain(s, out, seen);
            }
            return out;
        }

        private void walkChain(long offset, List<TiffDirectory> out, Set<Long> seen) throws IOException {
            long next = offset;
            while (next != 0) {
                if (!seen.add(next)) {
                    throw new TiffException("directory loop: offset " + next + " is reached twice");
                }
                if (out.size() >= MAX_DIRECTORIES) {
                    throw new TiffException("more than " + MAX_DIRECTORIES + " directories (TiffLimits.MAX_DIRECTORIES)");
                }
                next = readDirectory(out.size(), next, out);
            }
        }

        /** Reads the directory at {@code offset} into {@code out}; returns the next one's offset. */
        private long readDirectory(int index, long offset, List<TiffDirectory> out) throws IOException {
            int countBytes = big ? 8 : 2;
            int entryBytes = big ? 20 : 12;
            checkRange(offset, countBytes, "directory " + index);
            ByteBuffer c = read(offset, countBytes);
            long count = big ? c.getLong(0) : c.getShort(0) & 0xffff;
            if (count < 1 || count > MAX_ENTRIES_PER_DIRECTORY) {
                throw new TiffException("directory " + index + " has " + count + " entries (1 to "
                        + MAX_ENTRIES_PER_DIRECTORY + " allowed)");
            }
            int n = (int) count;
            ByteBuffer e = read(offset + countBytes, n * entryBytes + (big ? 8 : 4));
            Map<Integer, Entry> entries = new HashMap<>();
            for (int i = 0; i < n; i++) {
                int at = i * entryBytes;
                int tag = e.getShort(at) & 0xffff;
                int type = e.getShort(at + 2) & 0xffff;
                long cnt = big ? e.getLong(at + 4) : e.getInt(at + 4) & 0xffffffffL;
                int valueAt = at + (big ? 12 : 8);
                byte[] inline = new byte[big ? 8 : 4];
                e.get(valueAt, inline);
                long value = big ? e.getLong(valueAt) : e.getInt(valueAt) & 0xffffffffL;
                entries.putIfAbsent(tag, new Entry(tag, type, cnt, value, inline));
            }
            long next = big ? e.getLong(n * entryBytes) : e.getInt(n * entryBytes) & 0xffffffffL;
            out.add(directory(index, offset, entries));
            return next;
        }

        private TiffDirectory directory(int index, long offset, Map<Integer, Entry> e) throws IOException {
            String where = "directory " + index;
            int width = (int) number(e, TAG_IMAGE_WIDTH, -1, MAX_DIMENSION, where);
            int height = (int) number(e, TAG_IMAGE_LENGTH, -1, MAX_DIMENSION, where);
            if (width < 1 || height < 1) {
                throw new TiffException(where + " has no image size");
            }
            int spp = (int) number(e, TAG_SAMPLES_PER_PIXEL, 1, MAX_SAMPLES_PER_PIXEL, where);
            if (spp < 1) {
                throw new TiffException(where + ": samples per pixel must be at least 1");
            }
            long[] bits = numbers(e, TAG_BITS_PER_SAMPLE, MAX_SAMPLES_PER_PIXEL, where);
            int[] bitsPerSample = new int[spp];
            for (int i = 0; i < spp; i++) {
                bitsPerSample[i] = bits.length == 0 ? 1 : (int) Math.min(bits[Math.min(i, bits.length - 1)], 64);
            }
            int compression = (int) number(e, TAG_COMPRESSION, 1, 65535, where);
            int photometric = (int) number(e, TAG_PHOTOMETRIC, spp >= 3 ? 2 : 1, 65535, where);
            int planar = (int) number(e, TAG_PLANAR_CONFIGURATION, 1, 2, where);
            int predictor = (int) number(e, TAG_PREDICTOR, 1, 65535, where);
            int subfile = (int) number(e, TAG_NEW_SUBFILE_TYPE, 0, Integer.MAX_VALUE, where);
            int[] extra = ints(e, TAG_EXTRA_SAMPLES, MAX_SAMPLES_PER_PIXEL, where);
            int[] format = ints(e, TAG_SAMPLE_FORMAT, MAX_SAMPLES_PER_PIXEL, where);
            int[] ycbcr = ints(e, TAG_YCBCR_SUBSAMPLING, 2, where);
            if (e.containsKey(TAG_SUB_IFDS) && index == 0) {
                subIfdsOfFirst = numbers(e, TAG_SUB_IFDS, MAX_DIRECTORIES, where);
            }
            String description = e.containsKey(TAG_IMAGE_DESCRIPTION)
                    ? new String(bytes(e.get(TAG_IMAGE_DESCRIPTION), MAX_TEXT_BYTES, true, where),
                    StandardCharsets.ISO_8859_1).replace("\0", "").strip() : "";
            int tileWidth = 0;
            int tileHeight = 0;
            long[] offsets = null;
            long[] counts = null;
            byte[] tables = null;
            if (e.containsKey(TAG_TILE_OFFSETS)) {
                tileWidth = (int) number(e, TAG_TILE_WIDTH, -1, MAX_TILE_SIDE, where);
                tileHeight = (int) number(e, TAG_TILE_LENGTH, -1, MAX_TILE_SIDE, where);
                if (tileWidth < 1 || tileHeight < 1) {
                    throw new TiffException(where + " has tile offsets but no tile size");
                }
                long across = (width + (long) tileWidth - 1) / tileWidth;
                long down = (height + (long) tileHeight - 1) / tileHeight;
                long planes = planar == 2 ? spp : 1;
                long tiles = across * down * planes;
                if (tiles > MAX_TILES_PER_LEVEL) {
                    throw new TiffException(where + " has " + tiles + " tiles (at most "
                            + MAX_TILES_PER_LEVEL + ", TiffLimits.MAX_TILES_PER_LEVEL)");
                }
                offsets = numbers(e, TAG_TILE_OFFSETS, (int) tiles, where);
                counts = numbers(e, TAG_TILE_BYTE_COUNTS, (int) tiles, where);
                if (offsets.length != tiles || counts.length != tiles) {
                    throw new TiffException(where + " lists " + offsets.length + " tile offsets and "
                            + counts.length + " byte counts for " + tiles + " tiles");
                }
                for (int i = 0; i < tiles; i++) {
                    if (counts[i] > MAX_TILE_BYTES) {
                        throw new TiffException(where + ": tile " + i + " is " + counts[i] + " bytes (at most "
                                + MAX_TILE_BYTES + ", TiffLimits.MAX_TILE_BYTES)");
                    }
                    if (counts[i] > 0) {
                        checkRange(offsets[i], counts[i], where + " tile " + i);
                    }
                }
                if (e.containsKey(TAG_JPEG_TABLES)) {
                    tables = bytes(e.get(TAG_JPEG_TABLES), MAX_JPEG_TABLES_BYTES, false, where);
                    if (tables.length < 4 || (tables[0] & 0xff) != 0xff || (tables[1] & 0xff) != 0xd8) {
                        throw new TiffException(where + ": JPEGTables is not a JPEG stream");
                    }
                }
            }
            return new TiffDirectory(index, offset, width, height, tileWidth, tileHeight, compression, photometric,
                    spp, bitsPerSample, planar, predictor, subfile, extra.length == 0 ? null : extra,
                    format.length == 0 ? null : format, ycbcr.length == 0 ? null : ycbcr, offsets, counts, tables,
                    description);
        }

        /** A single unsigned number; {@code absent} when the tag is missing; at most {@code max}. */
        private long number(Map<Integer, Entry> e, int tag, long absent, long max, String where) throws IOException {
            Entry entry = e.get(tag);
            if (entry == null) {
                return absent;
            }
            long[] v = numbers(entry, 1, where);
            if (v.length < 1) {
                throw new TiffException(where + ": tag " + tag + " has no value");
            }
            if (v[0] < 0 || v[0] > max) {
                throw new TiffException(where + ": tag " + tag + " is " + v[0] + " (at most " + max + ")");
            }
            return v[0];
        }

        private long[] numbers(Map<Integer, Entry> e, int tag, int maxCount, String where) throws IOException {
            Entry entry = e.get(tag);
            return entry == null ? new long[0] : numbers(entry, maxCount, where);
        }

        private int[] ints(Map<Integer, Entry> e, int tag, int maxCount, String where) throws IOException {
            long[] v = numbers(e, tag, maxCount, where);
            int[] out = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = (int) Math.min(v[i], Integer.MAX_VALUE);
            }
            return out;
        }

        /** Reads up to {@code maxCount} unsigned integers of an entry (its first values if more). */
        private long[] numbers(Entry entry, int maxCount, String where) throws IOException {
            int size = switch (entry.type()) {
                case 1, 7 -> 1;
                case 3 -> 2;
                case 4, 13 -> 4;
                case 16, 18 -> 8;
                default -> throw new TiffException(where + ": tag " + entry.tag() + " has type " + entry.type()
                        + " where an unsigned integer is expected");
            };
            if (entry.count() > maxCount && entry.tag() != TAG_BITS_PER_SAMPLE && entry.tag() != TAG_SUB_IFDS) {
                throw new TiffException(where + ": tag " + entry.tag() + " has " + entry.count()
                        + " values (at most " + maxCount + ")");
            }
            int n = (int) Math.min(entry.count(), maxCount);
            ByteBuffer b = valueBytes(entry, (long) n * size, where);
            long[] out = new long[n];
            for (int i = 0; i < n; i++) {
                out[i] = switch (size) {
                    case 1 -> b.get(i) & 0xff;
                    case 2 -> b.getShort(2 * i) & 0xffff;
                    case 4 -> b.getInt(4 * i) & 0xffffffffL;
                    default -> b.getLong(8 * i);
                };
                if (out[i] < 0) {
                    throw new TiffException(where + ": tag " + entry.tag() + " holds a negative 64-bit value");
                }
            }
            return out;
        }

        private byte[] bytes(Entry entry, int max, boolean cut, String where) throws IOException {
            if (entry.type() != 1 && entry.type() != 2 && entry.type() != 7) {
                throw new TiffException(where + ": tag " + entry.tag() + " has type " + entry.type()
                        + " where bytes are expected");
            }
            if (entry.count() > max && !cut) {
                throw new TiffException(where + ": tag " + entry.tag() + " is " + entry.count()
                        + " bytes (at most " + max + ")");
            }
            ByteBuffer b = valueBytes(entry, Math.min(entry.count(), max), where);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }

        /** The first {@code length} bytes of an entry's value: inline, or at its offset. */
        private ByteBuffer valueBytes(Entry entry, long length, String where) throws IOException {
            long total = entry.count() * switch (entry.type()) {
                case 3, 8 -> 2;
                case 4, 9, 11, 13 -> 4;
                case 5, 10, 12, 16, 17, 18 -> 8;
                default -> 1;
            };
            if (entry.count() < 0 || total < 0) {
                throw new TiffException(where + ": tag " + entry.tag() + " has an absurd count");
            }
            if (total <= entry.inline().length) {
                return ByteBuffer.wrap(entry.inline(), 0, (int) length).slice().order(order);
            }
            checkRange(entry.valueOffset(), length, where + " tag " + entry.tag());
            return read(entry.valueOffset(), (int) length);
        }

        private void checkRange(long offset, long length, String what) throws TiffException {
            if (offset < 0 || length < 0 || offset > size || length > size - offset) {
                throw new TiffException(what + " lies past the end of the file (offset " + offset + ", "
                        + length + " bytes, file " + size + " bytes)");
            }
        }

        private ByteBuffer read(long position, int length) throws IOException {
            checkRange(position, length, "data");
            ByteBuffer b = ByteBuffer.allocate(length).order(order);
            while (b.hasRemaining()) {
                if (channel.read(b, position + b.position()) < 0) {
                    throw new EOFException("the file ended while reading it");
                }
            }
            return b.flip().order(order);
        }
    }
}
