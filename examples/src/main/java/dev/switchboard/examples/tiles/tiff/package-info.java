/**
 * A small, bounded reader of tiled TIFF files (classic and BigTIFF, either byte order): the
 * directory chain, SubIFDs, the tile index and the JPEG tables, so a tile can be read as it is
 * stored. Every count, length and offset read from a file is checked against the file's size
 * and a named limit in {@link dev.switchboard.examples.tiles.tiff.TiffLimits} before it is used.
 * Pixels are decoded by TwelveMonkeys ImageIO ({@link dev.switchboard.examples.tiles.tiff.TileDecoder}).
 */
@NullMarked
package dev.switchboard.examples.tiles.tiff;

import org.jspecify.annotations.NullMarked;
