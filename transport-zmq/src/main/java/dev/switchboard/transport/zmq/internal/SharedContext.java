package dev.switchboard.transport.zmq.internal;

import org.jspecify.annotations.Nullable;
import org.zeromq.ZContext;

/**
 * The process's one ZeroMQ context, as the ZeroMQ guide advises: every gateway without CURVE and
 * every worker runtime in a JVM share its I/O thread and reaper thread, instead of two threads
 * each. A gateway and a worker in one process then exchange their messages through one I/O
 * thread, one thread hand-off fewer each way.
 *
 * <p>Counted: the first {@link #acquire()} opens the context and the last {@link #release} closes
 * it, so a process that stops using ZeroMQ keeps no thread. Each user closes its own sockets
 * before it releases. A gateway under CURVE keeps a context of its own, because the ZAP handler
 * that checks worker keys is bound once per context.
 */
public final class SharedContext {

    private static @Nullable ZContext context;
    private static @Nullable IoLoop loop;
    private static int users;

    private SharedContext() {
    }

    /** The shared context, opened if no one uses it yet; pair with {@link #release}. */
    public static synchronized ZContext acquire() {
        ZContext c = context;
        if (c == null) {
            c = new ZContext(1);
            c.setLinger(0);
            loop = IoLoop.install(c);
            context = c;
        }
        users++;
        return c;
    }

    /** The I/O thread of the shared context {@code c}, which its agents run on. */
    public static synchronized IoLoop loop(ZContext c) {
        IoLoop l = loop;
        if (c != context || l == null) {
            throw new IllegalArgumentException("not the shared context");
        }
        return l;
    }

    /**
     * Gives back a context from {@link #acquire()}; the last user's release closes it, which
     * waits at most for the lingers of sockets closed just before. Blocks: never on the I/O thread.
     */
    public static synchronized void release(ZContext c) {
        if (c != context) {
            throw new IllegalArgumentException("not the shared context, or released too often");
        }
        if (--users == 0) {
            context = null;
            loop = null;
            c.close();
        }
    }

    /** How many users hold the shared context now (for tests). */
    public static synchronized int users() {
        return users;
    }
}
