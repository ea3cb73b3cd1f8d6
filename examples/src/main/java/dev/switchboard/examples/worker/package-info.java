/**
 * The {@code worker} example: a remote worker process that connects to ZeroMQ gateways
 * ({@link dev.switchboard.examples.worker.WorkerExample}).
 */
@NullMarked
package dev.switchboard.examples.worker;

import org.jspecify.annotations.NullMarked;
