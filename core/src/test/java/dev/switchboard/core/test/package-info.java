/** Test fixtures shared with the transports through core's test-jar: an in-JVM connection. */
@NullMarked
package dev.switchboard.core.test;

import org.jspecify.annotations.NullMarked;
