/**
 * Test fixtures shared with the transports through core's test-jar: an in-JVM connection
 * ({@link dev.switchboard.core.test.LocalConnection}), a worker the test answers by hand
 * ({@link dev.switchboard.core.test.ManualWorker}), bounded polling
 * ({@link dev.switchboard.core.test.Await}), and the contract kits every transport runs:
 * {@link dev.switchboard.core.test.ConnectionContract} for client connections and
 * {@link dev.switchboard.core.test.WorkerLinkContract} for worker links.
 */
@NullMarked
package dev.switchboard.core.test;

import org.jspecify.annotations.NullMarked;
