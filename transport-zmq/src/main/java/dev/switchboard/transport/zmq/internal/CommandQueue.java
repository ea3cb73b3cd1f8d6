package dev.switchboard.transport.zmq.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A bounded many-to-one queue of work for a socket's agent: lock-free; {@link #offer} refuses
 * (never blocks) when full, leaving the policy to the caller, and {@link #submit} is the agents'
 * one rule for handing a command over (inline on the agent's thread behind nothing queued, else
 * queued and the loop woken, or counted dropped when full).
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

    /**
     * Hands {@code command} to its agent. On the agent's own thread ({@code inline}) and behind
     * nothing queued, it is handled at once, sparing a queue round and a wake-up (a command never
     * overtakes an earlier one), and a round follows unless one runs now, to send what it queued;
     * otherwise it is queued and the agent woken. Returns false, counting it in {@code dropped},
     * when the queue is full.
     */
    boolean submit(T command, boolean inline, Consumer<? super T> handle, LoopRunner wake, LongAdder dropped) {
        if (inline && isEmpty()) {
            handle.accept(command);
            if (!wake.inRun()) {
                wake.wake();
            }
            return true;
        }
        if (!offer(command)) {
            dropped.increment();
            return false;
        }
        wake.wake();
        return true;
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
