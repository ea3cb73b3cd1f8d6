package dev.switchboard.transport.zmq.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A bounded many-to-one queue of work for a socket's agent: lock-free, and {@link #offer}
 * refuses (never blocks) when full, leaving the policy to the caller.
 *
 * @param <T> the command type
 */
final class CommandQueue<T> {

    private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;

    CommandQueue(int capacity) {
        this.capacity = capacity;
    }

    /** Whether no command waits. */
    boolean isEmpty() {
        return size.get() == 0;
    }

    /** Adds {@code command}; returns false, adding nothing, when the queue is full. */
    boolean offer(T command) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return false;
        }
        queue.offer(command);
        return true;
    }

    /** The oldest command, or null when empty; only the I/O thread polls. */
    @Nullable T poll() {
        T t = queue.poll();
        if (t != null) {
            size.decrementAndGet();
        }
        return t;
    }
}
