/** Embedding a relay in a host application's HTTP server (quoted by the README). */
@NullMarked
package dev.switchboard.examples.embed;

import org.jspecify.annotations.NullMarked;
