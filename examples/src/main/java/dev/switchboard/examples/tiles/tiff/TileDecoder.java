package dev.switchboard.examples.tiles.tiff;

import com.twelvemonkeys.imageio.plugins.tiff.TIFFImageReaderSpi;
import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;

/**
 * Decodes one stored tile to pixels with TwelveMonkeys ImageIO. A JPEG tile becomes a whole JPEG
 * stream ({@link #jpegPrefix} before the tile's own bytes, as it is also sent to browsers) read by
 * the JPEG reader; any other tile is wrapped in a single-tile TIFF in memory that carries the
 * fields of its directory that decoding needs (compression, photometric, samples, predictor), read
 * by the TIFF reader, which knows deflate, LZW and the predictors. So a tile of any level, SubIFDs
 * included, decodes the same way. Thread-safe: each call makes its own reader.
 */
public final class TileDecoder {

    private static final ImageReaderSpi TIFF = new TIFFImageReaderSpi();

    private TileDecoder() {
    }

    /**
     * The pixels of a stored tile of {@code d}: {@code d.tileWidth() x d.tileHeight()}.
     *
     * @throws IOException when the stored bytes cannot be decoded
     */
    public static BufferedImage decode(TiffDirectory d, byte[] stored) throws IOException {
        if (!d.tiled()) {
            throw new IllegalArgumentException("directory " + d.index() + " is not tiled");
        }
        Optional<byte[]> prefix = jpegPrefix(d);
        if (prefix.isPresent()) {
            return decodeJpeg(prefix.get(), stored);
        }
        byte[] tiff = wrap(d, stored);
        ImageReader reader = TIFF.createReaderInstance();
        try (ByteArrayImageInputStream in = new ByteArrayImageInputStream(tiff)) {
            reader.setInput(in, true, true);
            return reader.read(0);
        } catch (RuntimeException e) {
            throw new IOException("tile cannot be decoded: " + e, e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * What goes before a stored JPEG tile of {@code d} (the tile's own SOI dropped) to make it a
     * whole JPEG file: SOI and the directory's JPEGTables (without their EOI), and, for RGB data,
     * an Adobe marker saying "no colour transform", without which decoders, browsers included,
     * read the samples as YCbCr. Empty when {@code d} is not JPEG-compressed.
     */
    public static Optional<byte[]> jpegPrefix(TiffDirectory d) {
        if (d.compression() != TiffDirectory.COMPRESSION_JPEG) {
            return Optional.empty();
        }
        byte[] tables = d.jpegTables == null ? new byte[] {(byte) 0xff, (byte) 0xd8} : d.jpegTables;
        int end = tables.length;
        if (end >= 4 && (tables[end - 2] & 0xff) == 0xff && (tables[end - 1] & 0xff) == 0xd9) {
            end -= 2;
        }
        byte[] adobe = d.photometric() == TiffDirectory.PHOTOMETRIC_RGB ? ADOBE_NO_TRANSFORM : new byte[0];
        byte[] out = new byte[end + adobe.length];
        System.arraycopy(tables, 0, out, 0, end);
        System.arraycopy(adobe, 0, out, end, adobe.length);
        return Optional.of(out);
    }

    private static final byte[] ADOBE_NO_TRANSFORM = {(byte) 0xff, (byte) 0xee, 0, 14, 'A', 'd', 'o', 'b', 'e',
        0, 100, 0, 0, 0, 0, 0};

    private static BufferedImage decodeJpeg(byte[] prefix, byte[] stored) throws IOException {
        if (stored.length < 4 || (stored[0] & 0xff) != 0xff || (stored[1] & 0xff) != 0xd8) {
            throw new IOException("a stored JPEG tile does not start with SOI");
        }
        byte[] jpeg = new byte[prefix.length + stored.length - 2];
        System.arraycopy(prefix, 0, jpeg, 0, prefix.length);
        System.arraycopy(stored, 2, jpeg, prefix.length, stored.length - 2);
        try {
            BufferedImage img = ImageIO.read(new ByteArrayImageInputStream(jpeg));
            if (img == null) {
                throw new IOException("no JPEG reader");
            }
            return img;
        } catch (RuntimeException e) {
            throw new IOException("tile cannot be decoded: " + e, e);
        }
    }

    /** A little-endian classic TIFF of one directory holding one tile, {@code stored}. */
    static byte[] wrap(TiffDirectory d, byte[] stored) {
        List<Field> fields = new ArrayList<>();
        fields.add(Field.longs(256, d.tileWidth()));
        fields.add(Field.longs(257, d.tileHeight()));
        fields.add(Field.shorts(258, d.bitsPerSample));
        fields.add(Field.shorts(259, d.compression()));
        fields.add(Field.shorts(262, d.photometric()));
        fields.add(Field.shorts(277, d.samplesPerPixel()));
        fields.add(Field.shorts(284, 1));
        if (d.predictor != 1) {
            fields.add(Field.shorts(317, d.predictor));
        }
        fields.add(Field.longs(322, d.tileWidth()));
        fields.add(Field.longs(323, d.tileHeight()));
        fields.add(Field.longs(324, 0));
        fields.add(Field.longs(325, stored.length));
        if (d.extraSamples != null) {
            fields.add(Field.shorts(338, d.extraSamples));
        }
        if (d.sampleFormat != null) {
            fields.add(Field.shorts(339, d.sampleFormat));
        }
        if (d.jpegTables != null) {
            fields.add(new Field(347, 7, d.jpegTables.length, d.jpegTables));
        }
        if (d.ycbcrSubsampling != null && d.ycbcrSubsampling.length == 2) {
            fields.add(Field.shorts(530, d.ycbcrSubsampling));
        }
        fields.sort(Comparator.comparingInt(Field::tag));
        int ifdBytes = 2 + 12 * fields.size() + 4;
        int overflow = 0;
        for (Field f : fields) {
            if (f.value().length > 4) {
                overflow += f.value().length + (f.value().length & 1);
            }
        }
        int dataAt = 8 + ifdBytes + overflow;
        ByteBuffer out = ByteBuffer.allocate(dataAt + stored.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        out.putShort((short) fields.size());
        int next = 8 + ifdBytes;
        for (Field f : fields) {
            out.putShort((short) f.tag()).putShort((short) f.type()).putInt(f.count());
            byte[] v = f.tag() == 324 ? le32(dataAt) : f.value();
            if (v.length <= 4) {
                out.put(v).put(new byte[4 - v.length]);
            } else {
                out.putInt(next);
                out.put(next, v);
                next += v.length + (v.length & 1);
            }
        }
        out.putInt(0);
        out.put(dataAt, stored);
        return out.array();
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    /** One field of the in-memory TIFF, its value already in little-endian bytes. */
    private record Field(int tag, int type, int count, byte[] value) {
        static Field shorts(int tag, int... values) {
            ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : values) {
                b.putShort((short) v);
            }
            return new Field(tag, 3, values.length, b.array());
        }

        static Field longs(int tag, int value) {
            return new Field(tag, 4, 1, le32(value));
        }
    }
}
