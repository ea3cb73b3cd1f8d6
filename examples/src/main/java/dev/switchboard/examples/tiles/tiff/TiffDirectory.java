package dev.switchboard.examples.tiles.tiff;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One image file directory (IFD) as this reader uses it: its geometry, how its pixels are stored,
 * and, when it is tiled, where each tile is. Immutable once read; the arrays are never handed out.
 */
public final class TiffDirectory {

    /** Compression: none. */
    public static final int COMPRESSION_NONE = 1;
    /** Compression: LZW. */
    public static final int COMPRESSION_LZW = 5;
    /** Compression: JPEG ("new-style", TIFF technical note 2). */
    public static final int COMPRESSION_JPEG = 7;
    /** Compression: deflate (Adobe). */
    public static final int COMPRESSION_DEFLATE = 8;
    /** Compression: deflate (the older PKZIP code). */
    public static final int COMPRESSION_DEFLATE_OLD = 32946;

    /** Photometric interpretation: white is zero. */
    public static final int PHOTOMETRIC_WHITE_IS_ZERO = 0;
    /** Photometric interpretation: black is zero. */
    public static final int PHOTOMETRIC_BLACK_IS_ZERO = 1;
    /** Photometric interpretation: RGB. */
    public static final int PHOTOMETRIC_RGB = 2;
    /** Photometric interpretation: YCbCr. */
    public static final int PHOTOMETRIC_YCBCR = 6;

    final int index;
    final long offset;
    final int width;
    final int height;
    final int tileWidth;
    final int tileHeight;
    final int compression;
    final int photometric;
    final int samplesPerPixel;
    final int[] bitsPerSample;
    final int planarConfiguration;
    final int predictor;
    final int newSubfileType;
    final int @Nullable [] extraSamples;
    final int @Nullable [] sampleFormat;
    final int @Nullable [] ycbcrSubsampling;
    final long @Nullable [] tileOffsets;
    final long @Nullable [] tileByteCounts;
    final byte @Nullable [] jpegTables;
    final String description;

    TiffDirectory(int index, long offset, int width, int height, int tileWidth, int tileHeight, int compression,
                  int photometric, int samplesPerPixel, int[] bitsPerSample, int planarConfiguration, int predictor,
                  int newSubfileType, int @Nullable [] extraSamples, int @Nullable [] sampleFormat,
                  int @Nullable [] ycbcrSubsampling, long @Nullable [] tileOffsets, long @Nullable [] tileByteCounts,
                  byte @Nullable [] jpegTables, String description) {
        this.index = index;
        this.offset = offset;
        this.width = width;
        this.height = height;
        this.tileWidth = tileWidth;
        this.tileHeight = tileHeight;
        this.compression = compression;
        this.photometric = photometric;
        this.samplesPerPixel = samplesPerPixel;
        this.bitsPerSample = bitsPerSample;
        this.planarConfiguration = planarConfiguration;
        this.predictor = predictor;
        this.newSubfileType = newSubfileType;
        this.extraSamples = extraSamples;
        this.sampleFormat = sampleFormat;
        this.ycbcrSubsampling = ycbcrSubsampling;
        this.tileOffsets = tileOffsets;
        this.tileByteCounts = tileByteCounts;
        this.jpegTables = jpegTables;
        this.description = description;
    }

    /** The directory's place in the order it was read (main chain first, then SubIFDs). */
    public int index() {
        return index;
    }

    /** Where the directory starts in the file. */
    public long offset() {
        return offset;
    }

    /** Width in pixels. */
    public int width() {
        return width;
    }

    /** Height in pixels. */
    public int height() {
        return height;
    }

    /** Whether its pixels are stored in tiles (else in strips). */
    public boolean tiled() {
        return tileOffsets != null;
    }

    /** Tile width in pixels; 0 when stored in strips. */
    public int tileWidth() {
        return tileWidth;
    }

    /** Tile height in pixels; 0 when stored in strips. */
    public int tileHeight() {
        return tileHeight;
    }

    /** Tiles across. */
    public int tilesAcross() {
        return tiled() ? (width + tileWidth - 1) / tileWidth : 0;
    }

    /** Tiles down. */
    public int tilesDown() {
        return tiled() ? (height + tileHeight - 1) / tileHeight : 0;
    }

    /** The TIFF compression code. */
    public int compression() {
        return compression;
    }

    /** The TIFF photometric interpretation code. */
    public int photometric() {
        return photometric;
    }

    /** Samples per pixel. */
    public int samplesPerPixel() {
        return samplesPerPixel;
    }

    /** Whether a sample is an extra (alpha) channel beyond the colour ones. */
    public boolean hasAlpha() {
        return extraSamples != null && extraSamples.length > 0;
    }

    /** The NewSubfileType bits (1: a reduced-resolution copy, 8: a transparency mask). */
    public int newSubfileType() {
        return newSubfileType;
    }

    /** The ImageDescription text, empty when absent. */
    public String description() {
        return description;
    }

    /** The JPEGTables field, when the tiles are abbreviated JPEG streams that share it. */
    public Optional<byte[]> jpegTables() {
        return Optional.ofNullable(jpegTables == null ? null : jpegTables.clone());
    }

    /** The file offset of tile ({@code tx}, {@code ty}). */
    long tileOffset(int tx, int ty) {
        return tileOffsets()[ty * tilesAcross() + tx];
    }

    /** The stored length of tile ({@code tx}, {@code ty}); 0 for a tile the writer left out. */
    public int tileLength(int tx, int ty) {
        long[] counts = tileByteCounts;
        if (counts == null) {
            throw new IllegalStateException("directory " + index + " is not tiled");
        }
        return (int) counts[ty * tilesAcross() + tx];
    }

    private long[] tileOffsets() {
        long[] offsets = tileOffsets;
        if (offsets == null) {
            throw new IllegalStateException("directory " + index + " is not tiled");
        }
        return offsets;
    }

    /** A short description for logs and listings, such as {@code 4096x3072 tiled 256x256 JPEG}. */
    @Override
    public String toString() {
        return width + "x" + height + (tiled() ? " tiled " + tileWidth + "x" + tileHeight : " in strips") + ", "
                + TiffFile.compressionName(compression);
    }
}
