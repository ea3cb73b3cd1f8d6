/** Runnable examples; {@link dev.switchboard.examples.Main} dispatches on the example's name. */
@NullMarked
package dev.switchboard.examples;

import org.jspecify.annotations.NullMarked;
