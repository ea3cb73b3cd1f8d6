/**
 * The WebSocket client transport on Reactor Netty: {@link
 * dev.switchboard.transport.netty.WebSocketRelayHandler}, a route a host's {@code HttpServer}
 * mounts beside its own routes, configured by an immutable {@link
 * dev.switchboard.transport.netty.WebSocketRelaySpec}, and {@link
 * dev.switchboard.transport.netty.WebSocketRelayServer}, a small standalone server for
 * applications that run none.
 *
 * <p>Every WebSocket becomes a core {@link dev.switchboard.core.transport.Connection}: frames are
 * copied into core {@link dev.switchboard.core.Payload}s at the boundary (every Netty buffer is
 * released here), the socket is read only as fast as the relay asks for frames, and responses
 * are written only as fast as the socket takes them.
 */
@NullMarked
package dev.switchboard.transport.netty;

import org.jspecify.annotations.NullMarked;
