/**
 * The routing simulator: the real {@link dev.switchboard.core.routing.Router} and its strategies
 * on a discrete-event clock, with simulated workers that keep real Caffeine caches.
 */
@NullMarked
package dev.switchboard.benchmarks.routing;

import org.jspecify.annotations.NullMarked;
