/**
 * Switchboard's core: the {@link dev.switchboard.core.Relay} that serves one client
 * {@link dev.switchboard.core.transport.Connection} per session, the value types that
 * cross it ({@link dev.switchboard.core.Payload}, {@link dev.switchboard.core.Request},
 * {@link dev.switchboard.core.Response}, {@link dev.switchboard.core.Payload}) and the
 * {@link dev.switchboard.core.Codec} between frames and the requests and cancels they carry.
 *
 * <p>Nothing in this module depends on Netty or ZeroMQ; transports adapt the SPI in
 * {@link dev.switchboard.core.transport}.
 */
@NullMarked
package dev.switchboard.core;

import org.jspecify.annotations.NullMarked;
