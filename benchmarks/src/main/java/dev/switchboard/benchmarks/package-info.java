/**
 * Benchmarks: JMH suites (run from {@code benchmarks/target/benchmarks.jar}), the routing
 * simulator and the WebSocket load generator. They use only Switchboard's public API.
 */
@NullMarked
package dev.switchboard.benchmarks;

import org.jspecify.annotations.NullMarked;
