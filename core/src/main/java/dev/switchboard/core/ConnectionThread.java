package dev.switchboard.core;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * The connection's own thread, when its transport has one (see
 * {@link dev.switchboard.core.transport.Connection#executor()}): a worker's answer that arrives
 * on another thread hops onto it, so that the session's work for one client stays on one thread.
 * It owns the executor and the knowledge of which thread is the executor's; it must not touch
 * the session's state: it only runs what it is handed, or says that it did not.
 */
final class ConnectionThread {

    private final @Nullable Executor executor;
    /** The executor's thread, once a task told it; null until then. */
    private volatile @Nullable Thread thread;

    ConnectionThread(@Nullable Executor executor) {
        this.executor = executor;
    }

    /** Asks the executor, if any, which thread it runs on. */
    void learnThread() {
        if (executor != null) {
            hop(() -> thread = Thread.currentThread());
        }
    }

    /**
     * Runs {@code task} on the connection's thread when a worker's answer arrives on another:
     * returns false, having done nothing, when there is no such thread, this is it, or it refuses
     * the task (the transport is shutting down), and the caller goes on where it is.
     */
    boolean hop(Runnable task) {
        Executor e = executor;
        if (e == null || Thread.currentThread() == thread) {
            return false;
        }
        try {
            e.execute(task);
            return true;
        } catch (RejectedExecutionException refused) {
            return false;
        }
    }
}
