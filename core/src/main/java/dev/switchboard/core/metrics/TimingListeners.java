package dev.switchboard.core.metrics;

import java.util.Arrays;
import java.util.Objects;
import reactor.core.Disposable;

/**
 * The listeners one relay or router reports its timings to: a copy-on-write array, read with one
 * volatile load per event (nothing else when none is registered), at most {@link #MAX_LISTENERS}.
 * Thread-safe. Components of the library record here; applications register through
 * {@link RelayMetrics#timings(TimingListener)}.
 */
public final class TimingListeners implements TimingListener {

    /** At most this many listeners at once; one more is refused. */
    public static final int MAX_LISTENERS = 16;

    private static final TimingListener[] NONE = new TimingListener[0];

    private volatile TimingListener[] listeners = NONE;

    /**
     * Whether any listener is registered: lets a caller skip reading its clock.
     *
     * @return whether any listener is registered: lets a caller skip reading its clock
     */
    public boolean active() {
        return listeners.length > 0;
    }

    /**
     * Registers {@code listener} until the returned {@link Disposable} is disposed.
     *
     * @param listener the listener
     * @return a handle that unregisters the listener
     * @throws IllegalStateException when {@link #MAX_LISTENERS} are registered already
     */
    public synchronized Disposable add(TimingListener listener) {
        Objects.requireNonNull(listener, "listener");
        TimingListener[] now = listeners;
        if (now.length >= MAX_LISTENERS) {
            throw new IllegalStateException("at most " + MAX_LISTENERS + " timing listeners may be registered");
        }
        TimingListener[] next = Arrays.copyOf(now, now.length + 1);
        next[now.length] = listener;
        listeners = next;
        return () -> remove(listener);
    }

    private synchronized void remove(TimingListener listener) {
        TimingListener[] now = listeners;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == listener) {
                TimingListener[] next = new TimingListener[now.length - 1];
                System.arraycopy(now, 0, next, 0, i);
                System.arraycopy(now, i + 1, next, i, now.length - i - 1);
                listeners = next;
                return;
            }
        }
    }

    @Override
    public void waited(long nanos) {
        for (TimingListener l : listeners) {
            l.waited(nanos);
        }
    }

    @Override
    public void served(String workerId, long nanos, boolean completed) {
        for (TimingListener l : listeners) {
            l.served(workerId, nanos, completed);
        }
    }

    @Override
    public void answered(long firstNanos, long lastNanos) {
        for (TimingListener l : listeners) {
            l.answered(firstNanos, lastNanos);
        }
    }
}
