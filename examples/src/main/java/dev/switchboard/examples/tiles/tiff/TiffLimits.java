package dev.switchboard.examples.tiles.tiff;

/**
 * The bounds every number read from a TIFF file is checked against before it is used or
 * allocated. A file over any of them is refused at open with a message naming the limit.
 */
public final class TiffLimits {

    /** Directories read from one file, main chain and SubIFDs together. */
    public static final int MAX_DIRECTORIES = 64;
    /** Entries in one directory. */
    public static final int MAX_ENTRIES_PER_DIRECTORY = 1024;
    /** Width or height of an image, in pixels (1,048,576). */
    public static final int MAX_DIMENSION = 1 << 20;
    /** Width or height of a tile, in pixels. */
    public static final int MAX_TILE_SIDE = 2048;
    /** Tiles in one level (1,048,576: 16 MiB of index). */
    public static final int MAX_TILES_PER_LEVEL = 1 << 20;
    /** Bytes of one stored tile (16 MiB: a 2048 x 2048 RGBA tile uncompressed). */
    public static final int MAX_TILE_BYTES = 16 << 20;
    /** Bytes of the JPEGTables field. */
    public static final int MAX_JPEG_TABLES_BYTES = 64 << 10;
    /** Bytes of a text field such as ImageDescription (longer ones are cut). */
    public static final int MAX_TEXT_BYTES = 64 << 10;
    /** Samples per pixel. */
    public static final int MAX_SAMPLES_PER_PIXEL = 4;

    private TiffLimits() {
    }
}
