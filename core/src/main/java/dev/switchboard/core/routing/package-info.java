/**
 * Routing: the {@link dev.switchboard.core.routing.Membership} of live workers, the
 * {@link dev.switchboard.core.routing.Router} that holds their credits and bounded waiting
 * queues, and the {@link dev.switchboard.core.routing.RoutingStrategy} SPI with its strategies
 * ({@link dev.switchboard.core.routing.RoutingStrategies}): round robin, least loaded, rendezvous
 * hashing ({@link dev.switchboard.core.routing.Rendezvous}), bounded loads, and the default cache
 * affinity by expected completion time.
 */
@NullMarked
package dev.switchboard.core.routing;

import org.jspecify.annotations.NullMarked;
