package dev.switchboard.examples.tiles;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.switchboard.examples.tiles.tiff.TiffDirectory;
import dev.switchboard.examples.tiles.tiff.TiffException;
import dev.switchboard.examples.tiles.tiff.TiffFile;
import dev.switchboard.examples.tiles.tiff.TileDecoder;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.NodeList;

/**
 * An open pyramidal TIFF seen as a deep-zoom pyramid: deep-zoom level {@code maxLevel} is the
 * full image, each level below halves it (rounding up), tiles are {@link #tileSize()} square.
 *
 * <p>Opening parses the file's directories once (the expensive part, kept open by the workers'
 * reader caches). The full-resolution image is the first directory; every other tiled directory
 * of the same aspect whose size is a power-of-two reduction of it (within the one pixel by which
 * writers round) is the level of that size; anything else (an SVS label, macro or thumbnail,
 * stored in strips) is listed in {@link #extras()} and not served. A tile is then:
 * <ul>
 *   <li>on a level the file has, inside the image, on the file's tile grid, JPEG: the stored
 *       bytes with the directory's {@code JPEGTables} merged in, never decoded
 *       ({@link #rawTiles()} counts them);
 *   <li>on a level the file has but at its edge, off its grid, or not JPEG: the region decoded
 *       from the stored tiles, cropped to the image, encoded (JPEG for a JPEG file, PNG else);
 *   <li>on a level the file lacks: made from the four tiles under it on the next finer level,
 *       recursively down to a level the file has.
 * </ul>
 * Tiles it makes are kept in a cache bounded by {@link #MADE_TILE_CACHE_BYTES}. Thread-safe.
 */
final class Pyramid implements AutoCloseable {

    /** Bytes of made tiles (edges, made levels) each open pyramid keeps. */
    static final long MADE_TILE_CACHE_BYTES = 8L << 20;
    /** Levels below the coarsest level in the file that it makes (each needs four of the next). */
    static final int MAX_MADE_LEVELS_BELOW_FILE = 5;
    /** Quality of the JPEG tiles it encodes. */
    static final float JPEG_QUALITY = 0.95f;

    /** A tile's bytes and its format. */
    record Tile(byte[] bytes, Format format) {
    }

    /** What a tile's bytes are. */
    enum Format {
        JPEG("image/jpeg"), PNG("image/png");

        private final String mediaType;

        Format(String mediaType) {
            this.mediaType = mediaType;
        }

        String mediaType() {
            return mediaType;
        }
    }

    private record Key(int level, int x, int y) {
    }

    private final TiffFile file;
    private final int width;
    private final int height;
    private final int tileSize;
    private final int maxLevel;
    private final int minLevel;
    /** The file's directory for each deep-zoom level, or null where it has none. */
    private final @Nullable TiffDirectory[] atLevel;
    private final byte @Nullable [][] jpegPrefix;
    private final List<String> extras;
    private final Format format;
    private final boolean alpha;
    private final Cache<Key, Tile> made = Caffeine.newBuilder()
            .maximumWeight(MADE_TILE_CACHE_BYTES)
            .weigher((Key k, Tile t) -> t.bytes().length)
            .build();
    private final AtomicLong rawTiles = new AtomicLong();
    private final AtomicLong decodedTiles = new AtomicLong();

    private Pyramid(TiffFile file) throws TiffException {
        this.file = file;
        List<TiffDirectory> dirs = file.directories();
        TiffDirectory full = dirs.get(0);
        if (!full.tiled()) {
            throw new TiffException("not a tiled TIFF: its first image (" + full + ") has no tiles to serve");
        }
        Optional<String> why = TiffFile.unsupported(full);
        if (why.isPresent()) {
            throw new TiffException(why.get());
        }
        this.width = full.width();
        this.height = full.height();
        this.tileSize = full.tileWidth() == full.tileHeight() ? full.tileWidth() : 256;
        this.maxLevel = ceilLog2(Math.max(width, height));
        this.atLevel = new TiffDirectory[maxLevel + 1];
        this.jpegPrefix = new byte[maxLevel + 1][];
        this.alpha = full.hasAlpha();
        this.format = full.compression() == TiffDirectory.COMPRESSION_JPEG && !full.hasAlpha() ? Format.JPEG : Format.PNG;
        List<String> other = new ArrayList<>();
        List<TiffDirectory> bySize = new ArrayList<>(dirs);
        bySize.sort(Comparator.comparingInt(TiffDirectory::width).reversed());
        for (TiffDirectory d : bySize) {
            int level = levelOf(d);
            String unsupported = d.tiled() ? TiffFile.unsupported(d).orElse(null) : "stored in strips";
            if (level < 0 || unsupported != null || atLevel[level] != null) {
                if (d != full) {
                    other.add("directory " + d.index() + " (" + d + (d.description().isEmpty() ? "" : ", \""
                            + firstLine(d.description()) + "\"") + "): " + (unsupported != null ? unsupported
                            : level < 0 ? "not a power-of-two reduction of the image" : "a second copy of a level"));
                }
                continue;
            }
            atLevel[level] = d;
            jpegPrefix[level] = d.hasAlpha() ? null : TileDecoder.jpegPrefix(d).orElse(null);
        }
        int coarsestInFile = maxLevel;
        for (int l = maxLevel; l >= 0; l--) {
            if (atLevel[l] != null) {
                coarsestInFile = l;
            }
        }
        int oneTile = maxLevel - ceilLog2(Math.max(ceilDiv(width, tileSize), ceilDiv(height, tileSize)));
        this.minLevel = Math.max(oneTile, coarsestInFile - MAX_MADE_LEVELS_BELOW_FILE);
        this.extras = List.copyOf(other);
    }

    /**
     * Opens and indexes the pyramid in {@code path}; the caller owns it.
     *
     * @throws UncheckedIOException naming the file and the reason when it cannot be served
     */
    static Pyramid open(Path path) {
        TiffFile f = null;
        try {
            f = TiffFile.open(path);
            return new Pyramid(f);
        } catch (IOException | RuntimeException e) {
            if (f != null) {
                try {
                    f.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException(path + ": " + io.getMessage(), io);
            }
            throw new UncheckedIOException(path + ": " + e, new IOException(e));
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

    int minLevel() {
        return minLevel;
    }

    int maxLevel() {
        return maxLevel;
    }

    /** The format of the tiles it serves. */
    Format format() {
        return format;
    }

    /** The directories it does not serve, each with why. */
    List<String> extras() {
        return extras;
    }

    /** The deep-zoom levels the file holds (the others are made). */
    List<Integer> levelsInFile() {
        List<Integer> out = new ArrayList<>();
        for (int l = 0; l <= maxLevel; l++) {
            if (atLevel[l] != null) {
                out.add(l);
            }
        }
        return out;
    }

    /** The file's directory that holds deep-zoom level {@code level}, if it has one. */
    Optional<TiffDirectory> directoryAt(int level) {
        return level < 0 || level > maxLevel ? Optional.empty() : Optional.ofNullable(atLevel[level]);
    }

    /** Tiles sent as stored, without decoding. */
    long rawTiles() {
        return rawTiles.get();
    }

    /** Tiles decoded, stored ones and made ones, to make the tiles that are not sent as stored. */
    long decodedTiles() {
        return decodedTiles.get();
    }

    /** Width of deep-zoom level {@code level}. */
    int levelWidth(int level) {
        return scaled(width, maxLevel - level);
    }

    /** Height of deep-zoom level {@code level}. */
    int levelHeight(int level) {
        return scaled(height, maxLevel - level);
    }

    /**
     * The tile at deep-zoom {@code level}, column {@code x}, row {@code y}.
     *
     * @throws IllegalArgumentException for a tile outside the pyramid
     * @throws UncheckedIOException     when the file cannot be read or a stored tile decoded
     */
    Tile tile(int level, int x, int y) {
        if (level < minLevel || level > maxLevel || x < 0 || y < 0
                || x >= ceilDiv(levelWidth(level), tileSize) || y >= ceilDiv(levelHeight(level), tileSize)) {
            throw new IllegalArgumentException("no tile " + level + "/" + x + "/" + y + " (levels " + minLevel
                    + " to " + maxLevel + ")");
        }
        try {
            byte[] raw = raw(level, x, y);
            if (raw != null) {
                rawTiles.incrementAndGet();
                return new Tile(raw, Format.JPEG);
            }
            Key key = new Key(level, x, y);
            Tile t = made.getIfPresent(key);
            if (t == null) {
                t = new Tile(encode(render(level, x, y)), format);
                made.put(key, t);
            }
            return t;
        } catch (IOException e) {
            // the exception's class too: a closed channel's exceptions have no message
            throw new UncheckedIOException(file.path() + ": tile " + level + "/" + x + "/" + y + ": " + e, e);
        }
    }

    /** The stored JPEG of a tile that is on the file's grid and inside the image, else null. */
    private byte @Nullable [] raw(int level, int x, int y) throws IOException {
        TiffDirectory d = atLevel[level];
        byte[] prefix = jpegPrefix[level];
        if (d == null || prefix == null || d.tileWidth() != tileSize || d.tileHeight() != tileSize
                || (x + 1) * tileSize > Math.min(d.width(), levelWidth(level))
                || (y + 1) * tileSize > Math.min(d.height(), levelHeight(level))) {
            return null;
        }
        int length = d.tileLength(x, y);
        if (length < 4) {
            return null;
        }
        // prefix + the tile without its SOI: read the tile over the prefix's last two bytes,
        // check its SOI, then put the prefix in place
        byte[] out = new byte[prefix.length + length - 2];
        file.readTile(d, x, y, out, prefix.length - 2);
        if ((out[prefix.length - 2] & 0xff) != 0xff || (out[prefix.length - 1] & 0xff) != 0xd8) {
            throw new IOException("stored tile " + x + "," + y + " of directory " + d.index() + " is not a JPEG");
        }
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        return out;
    }

    /** The pixels of tile (level, x, y), cropped to the level's size. */
    private BufferedImage render(int level, int x, int y) throws IOException {
        int rx = x * tileSize;
        int ry = y * tileSize;
        int rw = Math.min(tileSize, levelWidth(level) - rx);
        int rh = Math.min(tileSize, levelHeight(level) - ry);
        BufferedImage out = new BufferedImage(rw, rh, alpha ? BufferedImage.TYPE_INT_ARGB
                : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            TiffDirectory d = atLevel[level];
            if (d != null) {
                // the file's level may be a pixel smaller than the deep-zoom one (writers round
                // down where deep zoom rounds up): draw what it has, then repeat its last column
                // and row into that pixel
                int sw = Math.max(1, Math.min(rw, d.width() - rx));
                int sh = Math.max(1, Math.min(rh, d.height() - ry));
                g.setClip(0, 0, sw, sh);
                for (int ty = ry / d.tileHeight(); ty <= (ry + sh - 1) / d.tileHeight(); ty++) {
                    for (int tx = rx / d.tileWidth(); tx <= (rx + sw - 1) / d.tileWidth(); tx++) {
                        if (d.tileLength(tx, ty) > 0) {
                            BufferedImage t = TileDecoder.decode(d, file.readTile(d, tx, ty));
                            decodedTiles.incrementAndGet();
                            g.drawImage(t, tx * d.tileWidth() - rx, ty * d.tileHeight() - ry, null);
                        }
                    }
                }
                g.setClip(null);
                if (sw < rw) {
                    g.drawImage(out.getSubimage(sw - 1, 0, 1, sh), sw, 0, rw - sw, sh, null);
                }
                if (sh < rh) {
                    g.drawImage(out.getSubimage(0, sh - 1, rw, 1), 0, sh, rw, rh - sh, null);
                }
            } else {
                g.scale(0.5, 0.5);
                int finer = level + 1;
                for (int cy = 2 * y; cy <= 2 * y + 1 && cy * tileSize < levelHeight(finer); cy++) {
                    for (int cx = 2 * x; cx <= 2 * x + 1 && cx * tileSize < levelWidth(finer); cx++) {
                        BufferedImage c = read(tile(finer, cx, cy).bytes());
                        decodedTiles.incrementAndGet();
                        g.drawImage(c, (cx - 2 * x) * tileSize, (cy - 2 * y) * tileSize, null);
                    }
                }
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private static BufferedImage read(byte[] encoded) throws IOException {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(encoded));
        } catch (RuntimeException e) {
            throw new IOException("a tile cannot be decoded: " + e, e);
        }
        if (img == null) {
            throw new IOException("a tile is neither JPEG nor PNG");
        }
        return img;
    }

    private byte[] encode(BufferedImage img) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 * 1024);
        if (format == Format.PNG) {
            if (!ImageIO.write(img, "png", bytes)) {
                throw new IOException("no PNG writer");
            }
            return bytes.toByteArray();
        }
        ImageWriter w = jdkJpegWriter();
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(JPEG_QUALITY);
            // no chroma subsampling (4:4:4): a tile cut from a JPEG is encoded a second time, and
            // halving its colour resolution again smears the detail the first encoding kept
            IIOMetadata md = w.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), p);
            IIOMetadataNode tree = (IIOMetadataNode) md.getAsTree(JPEG_METADATA);
            NodeList components = tree.getElementsByTagName("componentSpec");
            for (int i = 0; i < components.getLength(); i++) {
                IIOMetadataNode c = (IIOMetadataNode) components.item(i);
                c.setAttribute("HsamplingFactor", "1");
                c.setAttribute("VsamplingFactor", "1");
            }
            md.setFromTree(JPEG_METADATA, tree);
            w.setOutput(out);
            w.write(null, new IIOImage(img, null, md), p);
        } finally {
            w.dispose();
        }
        return bytes.toByteArray();
    }

    private static final String JPEG_METADATA = "javax_imageio_jpeg_image_1.0";

    /** The JDK's JPEG writer, whose metadata sets the sampling factors. */
    private static ImageWriter jdkJpegWriter() throws IOException {
        ImageWriter fallback = null;
        for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg"); it.hasNext(); ) {
            ImageWriter w = it.next();
            if (w.getClass().getName().startsWith("com.sun.imageio.plugins.jpeg.")) {
                if (fallback != null) {
                    fallback.dispose();
                }
                return w;
            }
            if (fallback == null) {
                fallback = w;
            } else {
                w.dispose();
            }
        }
        if (fallback == null) {
            throw new IOException("no JPEG writer");
        }
        return fallback;
    }

    /** The deep-zoom level whose size {@code d} has, within a pixel; -1 when none. */
    private int levelOf(TiffDirectory d) {
        for (int k = 0; k <= maxLevel; k++) {
            int w = scaled(width, k);
            int h = scaled(height, k);
            if (Math.abs(w - d.width()) <= 1 && Math.abs(h - d.height()) <= 1) {
                return maxLevel - k;
            }
            if (w < d.width() - 1) {
                return -1;
            }
        }
        return -1;
    }

    private static int scaled(int size, int halvings) {
        return (int) ((size + (1L << halvings) - 1) >> halvings);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static int ceilLog2(int n) {
        return n <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(n - 1);
    }

    private static String firstLine(String s) {
        String line = s.lines().findFirst().orElse("");
        return line.length() > 60 ? line.substring(0, 60) + "…" : line;
    }

    /** Closes the file. */
    @Override
    public void close() {
        made.invalidateAll();
        try {
            file.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
