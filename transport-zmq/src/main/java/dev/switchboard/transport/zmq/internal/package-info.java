/**
 * The internals of the ZeroMQ transport: the socket agents that run on JeroMQ's I/O thread
 * ({@code IoLoop}, {@code LoopRunner}), the gateway's and the worker's agents and what they are
 * made of (socket owners, decoders, credit ledger, heartbeats, registry), and the wire encoding
 * of {@code PROTOCOL.md} ({@code Protocol}).
 *
 * <p><b>Not API.</b> Types here are public only so that the package above can reach them; they
 * may change in any release without notice. Applications use {@code dev.switchboard.transport.zmq}:
 * {@code ZmqGateway}, {@code ZmqWorker}, their specs and stats.
 */
@NullMarked
package dev.switchboard.transport.zmq.internal;

import org.jspecify.annotations.NullMarked;
