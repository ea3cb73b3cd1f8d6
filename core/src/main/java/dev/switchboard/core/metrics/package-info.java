/**
 * Metrics: {@link dev.switchboard.core.metrics.RelayMetrics}, snapshots of what a relay holds and
 * has done, on demand or as a stream.
 */
@NullMarked
package dev.switchboard.core.metrics;

import org.jspecify.annotations.NullMarked;
