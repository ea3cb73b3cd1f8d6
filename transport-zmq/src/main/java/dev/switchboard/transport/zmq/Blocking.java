package dev.switchboard.transport.zmq;

import java.util.concurrent.Executor;
import reactor.core.scheduler.Schedulers;

/** Where the transport's blocking steps run (closing a context, waiting for a listener to close): off the I/O thread, on Reactor's bounded elastic scheduler. */
final class Blocking {

    /** Runs each task on {@link Schedulers#boundedElastic()}. */
    static final Executor EXECUTOR = task -> Schedulers.boundedElastic().schedule(task);

    private Blocking() {
    }
}
