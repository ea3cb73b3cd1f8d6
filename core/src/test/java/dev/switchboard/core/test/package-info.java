/**
 * Test fixtures shared with the transports through core's test-jar: an in-JVM connection
 * ({@link dev.switchboard.core.test.LocalConnection}), a worker the test answers by hand
 * ({@link dev.switchboard.core.test.ManualWorker}) and bounded polling
 * ({@link dev.switchboard.core.test.Await}).
 */
@NullMarked
package dev.switchboard.core.test;

import org.jspecify.annotations.NullMarked;
