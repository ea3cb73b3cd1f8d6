package dev.switchboard.transport.zmq.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import reactor.core.scheduler.Schedulers;

/**
 * Where the transport's blocking steps run (closing a context, waiting for a listener to close):
 * off the I/O thread, on Reactor's bounded elastic scheduler, or on a thread of their own when
 * the application has shut Reactor's schedulers down, so that a disposal always finishes.
 */
final class Blocking {

    /** Runs each task on {@link Schedulers#boundedElastic()}, or a daemon thread if it refuses. */
    static final Executor EXECUTOR = task -> {
        try {
            Schedulers.boundedElastic().schedule(task);
        } catch (RejectedExecutionException e) {
            Thread t = new Thread(task, "switchboard-zmq-close");
            t.setDaemon(true);
            t.start();
        }
    };

    private Blocking() {
    }
}
