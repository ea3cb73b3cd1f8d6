package dev.switchboard.transport.zmq.internal;

import dev.switchboard.transport.zmq.IoThreads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import zmq.poll.IPollEvents;
import zmq.poll.Poller;

/**
 * A ZeroMQ context's I/O thread, opened up to run our socket agents ({@link LoopRunner}) beside
 * JeroMQ's own TCP engines, as Netty runs handlers on its event loop.
 *
 * <p>Why: a socket used on a thread of its own hands every message to the I/O thread through
 * JeroMQ's mailbox, whose {@code Signaler} writes its wake-up byte first and counts it
 * afterwards. The write wakes the I/O thread, which on a busy machine often preempts the writer
 * right there, on the same CPU, before the count: the I/O thread then finds its descriptor
 * readable and nothing counted, and calls {@code epoll_wait} in a loop until the writer runs
 * again, up to a scheduler slice later. Measured on two cores under the remote-worker load: about
 * 290,000 futile {@code epoll_wait} calls a second on each side, and throughput 1.6 times higher
 * once the I/O threads could not preempt their wakers. A socket used on the I/O thread itself
 * writes and counts without a thread in between, and the hand-off disappears altogether.
 *
 * <p>How: {@link #install} gives the context a thread factory before JeroMQ starts its threads;
 * for the I/O thread it keeps JeroMQ's {@link Poller} (a public class of JeroMQ's low-level API)
 * and registers, on that thread before its loop starts, a pipe of our own through which any
 * thread queues a task ({@link #execute}). A pending flag writes at most one wake-up byte until
 * the loop has taken it, and the loop reads every byte it is woken by, so unlike the mailbox it
 * never spins. Agents register their sockets' {@code ZMQ_FD} and their timers on the same
 * poller. Nothing that runs here may block: it would stall every socket of the context.
 */
public final class IoLoop implements IPollEvents {

    private static final Logger log = LoggerFactory.getLogger(IoLoop.class);
    /** Most tasks run per wake-up before the loop serves its sockets again. */
    private static final int MAX_TASKS = 256;

    private final Poller poller;
    private final Pipe pipe;
    private final ByteBuffer drain = ByteBuffer.allocate(64);
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean pending = new AtomicBoolean();
    /** The agents on this loop, told when it ends under them. */
    private final java.util.Set<LoopRunner> runners = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile @Nullable Thread thread;
    /** The loop ended with its context: tasks are dropped, not queued for no one. */
    private volatile boolean ended;

    private IoLoop(Poller poller) {
        this.poller = poller;
        try {
            this.pipe = Pipe.open();
            pipe.source().configureBlocking(false);
            pipe.sink().configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the I/O thread's task pipe", e);
        }
    }

    /**
     * Gives {@code context}, before it has made any socket, a thread factory that opens its I/O
     * thread to our agents; starts JeroMQ's threads (with a throwaway socket) and returns the
     * loop. The context must have exactly one I/O thread.
     */
    public static IoLoop install(ZContext context) {
        AtomicReference<@Nullable IoLoop> made = new AtomicReference<>();
        context.setThreadFactor((runnable, name) -> {
            Thread t;
            if (runnable instanceof Poller poller && name.startsWith("iothread") && made.get() == null) {
                IoLoop loop = new IoLoop(poller);
                made.set(loop);
                // named, so that BlockHound can be told to watch it (IoThreads)
                t = new Thread(() -> loop.run(poller), IoThreads.NAME_PREFIX + name);
            } else {
                t = new Thread(runnable, name);
            }
            t.setDaemon(true);
            t.setUncaughtExceptionHandler(context.getUncaughtExceptionHandler());
            return t;
        });
        // JeroMQ starts its reaper and I/O threads with the first socket of a context
        ZMQ.Socket starter = context.createSocket(SocketType.PAIR);
        context.destroySocket(starter);
        IoLoop loop = made.get();
        if (loop == null) {
            throw new IllegalStateException("JeroMQ did not start its I/O thread through the thread factory");
        }
        return loop;
    }

    /** The I/O thread's body: our pipe joins the poller, then JeroMQ's loop runs until the context ends. */
    private void run(Poller p) {
        thread = Thread.currentThread();
        try {
            Poller.Handle handle = p.addHandle(pipe.source(), this);
            p.setPollIn(handle);
            p.run();
        } finally {
            ended = true;
            thread = null;
            for (LoopRunner r : runners) {
                r.abandon();
            }
            runners.clear();
            Runnable r;
            while ((r = tasks.poll()) != null) {
                log.debug("a task for the ZeroMQ I/O thread was left when its context closed: {}", r);
            }
            try {
                pipe.sink().close();
                pipe.source().close();
            } catch (IOException e) {
                log.debug("closing the I/O thread's task pipe failed", e);
            }
        }
    }

    /** Counts {@code runner} among the agents on this loop, until {@link #release}. */
    void adopt(LoopRunner runner) {
        runners.add(runner);
    }

    /** {@code runner}'s agent closed. */
    void release(LoopRunner runner) {
        runners.remove(runner);
    }

    /** The poller; use on the I/O thread only. */
    Poller poller() {
        return poller;
    }

    /** Whether the caller runs on this loop's thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /**
     * Queues {@code task} for the I/O thread and wakes it, unless a wake-up is already pending.
     * Never blocks. The queue holds a few tasks per agent at most: each agent has one round
     * pending at a time.
     */
    public void execute(Runnable task) {
        if (ended) {
            return;
        }
        tasks.offer(task);
        if (pending.compareAndSet(false, true)) {
            wake();
        }
    }

    /**
     * Writes the wake-up byte; the caller has raised {@code pending}. If the write does not
     * complete, whatever it threw, the flag comes down again: left up, no later task would write
     * and the loop would never run a task again (every agent start would time out).
     */
    private void wake() {
        boolean written = false;
        try {
            pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
            written = true;
        } catch (IOException e) {
            // the context closed: its agents are gone with it
        } finally {
            if (!written) {
                pending.set(false);
            }
        }
    }

    /** The task pipe is readable: read every byte, then run the tasks queued so far. */
    @Override
    public void inEvent() {
        // read the wake-ups first, then take the flag down: a task queued after that writes anew
        try {
            int n;
            do {
                drain.clear();
                n = pipe.source().read(drain);
            } while (n > 0);
        } catch (IOException e) {
            log.warn("reading the I/O thread's task pipe failed", e);
        }
        pending.set(false);
        for (int i = 0; i < MAX_TASKS; i++) {
            Runnable r = tasks.poll();
            if (r == null) {
                return;
            }
            try {
                r.run();
            } catch (Throwable e) {
                // the thread carries every socket of the context: it does not die of one task
                log.error("a task on the ZeroMQ I/O thread failed", e);
            }
        }
        // more than a turn's worth: come back after the sockets had theirs
        if (!tasks.isEmpty() && pending.compareAndSet(false, true)) {
            wake();
        }
    }
}
