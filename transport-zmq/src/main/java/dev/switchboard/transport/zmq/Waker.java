package dev.switchboard.transport.zmq;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.zeromq.ZMQ;

/**
 * How a socket thread waits and how other threads wake it: one {@link Selector}, opened once,
 * watching the {@code ZMQ_FD} of the thread's sockets, and {@link Selector#wakeup()} for
 * hand-offs and stops.
 *
 * <p>It replaces a {@code ZMQ.Poller} plus an inproc wake-up pipe, which cost a round of
 * registrations, socket-event checks and several system calls on every wait and every round of
 * work. A socket's {@code ZMQ_FD} signals pending commands, not messages, so {@link #await}
 * first asks each socket for its events (which processes the commands) and waits only when none
 * has input: a message that arrives afterwards comes with a command and wakes the selector.
 *
 * <p>JeroMQ's {@code Signaler} writes its wake-up byte first and counts it afterwards, and a
 * socket that is asked for its events (as {@code ZMQ.poll} does too) trusts only the count. In
 * between, the descriptor is readable while the socket reports no input, so a plain poll loop
 * spins until the writing thread runs again: on a loaded machine, for milliseconds, and on the
 * very CPU that thread needs. {@link #await} therefore yields a few times and then parks with a
 * growing, bounded back-off until the socket has input or its descriptor is quiet again.
 */
final class Waker {

    /** Yields before parking while a signal is written but not yet counted. */
    private static final int YIELDS = 4;
    /** Longest single park in that back-off, in nanoseconds. */
    private static final long MAX_PARK_NANOS = 200_000;

    private final Selector selector;
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile boolean stopRequested;

    Waker() {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
    }

    /** Watches {@code socket}; call on the socket thread once it exists. */
    void watch(ZMQ.Socket socket) {
        try {
            socket.getFD().register(selector, SelectionKey.OP_READ);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch a ZeroMQ socket", e);
        }
    }

    /** Stops watching {@code socket}; call on the socket thread before closing it. */
    void unwatch(ZMQ.Socket socket) {
        SelectionKey key = socket.getFD().keyFor(selector);
        if (key != null) {
            key.cancel();
            try {
                // deregisters the cancelled key now, before the socket's descriptor closes
                selector.selectNow();
                selector.selectedKeys().clear();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot stop watching a ZeroMQ socket", e);
            }
        }
    }

    /** Wakes the socket thread, unless a wake-up is already pending. Never blocks. */
    void wake() {
        if (pending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** Tells the socket thread to stop, and wakes it. */
    void stop() {
        stopRequested = true;
        selector.wakeup();
    }

    boolean stopRequested() {
        return stopRequested;
    }

    /**
     * The socket thread took the pending wake-up: call before draining its queue, so that work
     * queued after the drain started wakes it again.
     */
    void clearPending() {
        pending.set(false);
    }

    /**
     * Waits, at most {@code timeoutMs} (at least 1), until one of {@code sockets} may have input,
     * another thread wakes this one, or the time is up. Returns at once if a socket has input.
     */
    void await(long timeoutMs, ZMQ.Socket... sockets) {
        if (hasInput(sockets) || pending.get() || stopRequested) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, timeoutMs));
        try {
            int ready = selector.select(Math.max(1, timeoutMs));
            selector.selectedKeys().clear();
            // a socket's descriptor is readable: normally a message came with its command
            for (int round = 0; ready > 0; round++) {
                if (hasInput(sockets) || pending.get() || stopRequested || System.nanoTime() - deadline > 0) {
                    return;
                }
                if (round < YIELDS) {
                    Thread.yield();
                } else {
                    LockSupport.parkNanos(Math.min(MAX_PARK_NANOS, 1_000L << Math.min(20, round - YIELDS)));
                }
                // still readable without input: the signal is written but not yet counted
                ready = selector.selectNow();
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("waiting for ZeroMQ sockets failed", e);
        } catch (ClosedSelectorException e) {
            // closing: the agent's loop ends on its own
        }
    }

    private static boolean hasInput(ZMQ.Socket[] sockets) {
        for (ZMQ.Socket s : sockets) {
            if ((s.getEvents() & ZMQ.Poller.POLLIN) != 0) {
                return true;
            }
        }
        return false;
    }

    /** Closes the selector; the sockets stay open for their owner to close. */
    void close() {
        try {
            selector.close();
        } catch (IOException e) {
            // nothing to release beyond what close released
        }
    }
}
