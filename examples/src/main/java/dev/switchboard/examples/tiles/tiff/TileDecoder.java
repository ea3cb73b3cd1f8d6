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
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;

/**
 * Decodes one stored tile to pixels with TwelveMonkeys' TIFF reader, which knows every
 * compression, predictor and colour model this server accepts. The tile is wrapped in a
 * single-tile TIFF in memory that carries the fields of its directory that decoding needs
 * (compression, photometric, samples, predictor, JPEG tables, YCbCr subsampling), so a tile of
 * any level, SubIFDs included, decodes the same way. Thread-safe: each call makes its own reader.
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
