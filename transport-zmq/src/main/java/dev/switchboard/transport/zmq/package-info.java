/**
 * The ZeroMQ worker transport on JeroMQ: a {@link dev.switchboard.transport.zmq.ZmqGateway} that
 * binds a ROUTER socket and turns each remote worker that registers into a
 * {@link dev.switchboard.core.transport.WorkerLink} of a routing membership, and a
 * {@link dev.switchboard.transport.zmq.ZmqWorker} that runs a
 * {@link dev.switchboard.core.worker.WorkerHandler} in another process and connects a DEALER
 * socket to one or more gateways. The wire protocol is specified in {@code PROTOCOL.md}.
 *
 * <p>Every socket is owned, from creation to close, by an agent that runs on its context's JeroMQ
 * I/O thread, beside JeroMQ's own TCP engines ({@code IoLoop}); other threads hand it work through
 * a bounded queue and a wake-up. The sockets of a process share one ZeroMQ context (one I/O
 * thread), except a CURVE gateway's. Nothing that runs there blocks.
 */
@NullMarked
package dev.switchboard.transport.zmq;

import org.jspecify.annotations.NullMarked;
