/**
 * The tile server example: pyramid files of procedurally drawn images, tile workers that keep
 * open readers in a resource cache, and a deep-zoom viewer with a live stats panel.
 */
@NullMarked
package dev.switchboard.examples.tiles;

import org.jspecify.annotations.NullMarked;
