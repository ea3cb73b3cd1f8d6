package dev.switchboard.transport.zmq.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;
import zmq.poll.IPollEvents;
import zmq.poll.Poller;

/**
 * Runs one {@link Agent} on its context's {@link IoLoop}: {@link Agent#onStart()} once, then
 * rounds of {@link Agent#doWork()} whenever one of its sockets may have input, another thread
 * {@linkplain #wake() wakes} it, or its timer is due; {@link Agent#onClose()} once it is done.
 * All on the I/O thread, so the agent is never run by two threads and never needs a lock.
 *
 * <p>Instead of a thread that waits, the runner re-arms a poller timer for
 * {@link Agent#idleMillis()} after every round that did nothing, and after a few busy rounds it
 * queues itself again, so that the context's other sockets get their turn.
 */
public final class LoopRunner implements IPollEvents {

    private static final Logger log = LoggerFactory.getLogger(LoopRunner.class);
    /** Busy rounds in a row before the runner lets the loop serve others. */
    private static final int MAX_ROUNDS = 8;

    private final IoLoop loop;
    private final Agent agent;
    private final AtomicBoolean woken = new AtomicBoolean();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean stopRequested;
    private volatile boolean startRequested;

    // I/O thread only
    private final List<Handle> handles = new ArrayList<>(2);
    private boolean running;
    private boolean over;
    private long timerDueMs = Long.MAX_VALUE;
    /**
     * The armed timer's id. JeroMQ keeps a cancelled timer until it falls due, and refuses a new
     * one equal to it (same handler, same id): each timer gets an id of its own.
     */
    private int timerId;

    private record Handle(ZMQ.Socket socket, Poller.Handle handle) {
    }

    public LoopRunner(IoLoop loop, Agent agent) {
        this.loop = loop;
        this.agent = agent;
    }

    /** Starts the agent on the I/O thread; returns at once. Never on the I/O thread (see {@link #awaitStart}). */
    public void start() {
        if (loop.inLoop()) {
            throw new IllegalStateException(agent.roleName() + " cannot be started from the ZeroMQ I/O thread");
        }
        startRequested = true;
        loop.adopt(this);
        loop.execute(this::begin);
    }

    private void begin() {
        if (over) {
            return;
        }
        try {
            agent.onStart();
        } catch (Throwable e) {
            // closed first, so that whoever waits for the start finds the sockets gone
            finish(e);
            return;
        }
        started.complete(null);
        run();
    }

    /** Waits, bounded, until the agent started; rethrows why it could not. Never on the I/O thread. */
    public void awaitStart(Duration timeout) {
        try {
            started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(agent.roleName() + " failed to start", cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException(agent.roleName() + " did not start within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + agent.roleName() + " started");
        }
    }

    /**
     * Completes on the I/O thread when the agent has closed its sockets: continue with
     * {@code *Async} on another executor for anything that blocks.
     */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    /**
     * Whether the runner is running the agent's rounds now (on the I/O thread): work handed to
     * the agent inline goes out with them; otherwise it needs a {@link #wake()}.
     */
    boolean inRun() {
        return running;
    }

    /** Lets the poller wake the agent when {@code socket} may have input; on the I/O thread. */
    void watch(ZMQ.Socket socket) {
        Poller.Handle h = loop.poller().addHandle(socket.getFD(), this);
        loop.poller().setPollIn(h);
        handles.add(new Handle(socket, h));
    }

    /** Stops watching {@code socket}; on the I/O thread, before closing it. */
    void unwatch(ZMQ.Socket socket) {
        for (int i = 0; i < handles.size(); i++) {
            if (handles.get(i).socket() == socket) {
                loop.poller().removeHandle(handles.remove(i).handle());
                return;
            }
        }
    }

    /** Runs a round soon, unless one is already pending. Never blocks; any thread. */
    public void wake() {
        if (woken.compareAndSet(false, true)) {
            loop.execute(this::run);
        }
    }

    /** The agent took the pending wake-up: call before draining its queue. */
    void clearPending() {
        woken.set(false);
    }

    /** Tells the agent to stop, and wakes it. */
    public void stop() {
        stopRequested = true;
        if (!startRequested) {
            // never started: nothing to close
            abandon();
            return;
        }
        loop.execute(this::run);
    }

    boolean stopRequested() {
        return stopRequested;
    }

    @Override
    public void inEvent() {
        run();
    }

    @Override
    public void timerEvent(int id) {
        if (id != timerId) {
            return;
        }
        timerDueMs = Long.MAX_VALUE;
        run();
    }

    /** Rounds until one does nothing, then the timer; on the I/O thread. */
    private void run() {
        if (over || running || !started.isDone()) {
            return;
        }
        running = true;
        try {
            for (int round = 0; ; round++) {
                if (agent.isDone()) {
                    finish(null);
                    return;
                }
                int work;
                try {
                    work = agent.doWork();
                } catch (RuntimeException e) {
                    log.error("{} failed in a round of work; it goes on", agent.roleName(), e);
                    work = 0;
                } catch (Error e) {
                    // not the thread's to die of: every socket of the context lives on it
                    log.error("{} failed in a round of work and stops", agent.roleName(), e);
                    finish(e);
                    return;
                }
                if (agent.isDone()) {
                    finish(null);
                    return;
                }
                if (work == 0 && !hasInput()) {
                    break;
                }
                if (round + 1 >= MAX_ROUNDS) {
                    loop.execute(this::run);
                    break;
                }
            }
            armTimer(Math.max(1, agent.idleMillis()));
        } finally {
            running = false;
        }
    }

    /**
     * Whether a watched socket has a message waiting. A socket's descriptor signals commands,
     * not messages, and a send processes the commands waiting (a message's arrival among them),
     * so input that came while the agent was sending leaves the descriptor quiet: ask the socket.
     */
    private boolean hasInput() {
        for (int i = 0; i < handles.size(); i++) {
            if ((handles.get(i).socket().getEvents() & ZMQ.Poller.POLLIN) != 0) {
                return true;
            }
        }
        return false;
    }

    private void armTimer(long inMs) {
        long due = System.currentTimeMillis() + inMs;
        if (due >= timerDueMs) {
            return;
        }
        if (timerDueMs != Long.MAX_VALUE) {
            loop.poller().cancelTimer(this, timerId);
        }
        timerId++;
        loop.poller().addTimer(inMs, this, timerId);
        timerDueMs = due;
    }

    /**
     * Nothing will run the agent (again): it was stopped before it started, or its loop ended
     * (the context closed) with the agent still on it. Whoever waits for its start or its close
     * hears of it now.
     */
    void abandon() {
        started.completeExceptionally(new IllegalStateException(agent.roleName() + " is not running"));
        closed.complete(null);
    }

    /** Closes the agent once, on every path; {@code failure} is why it could not start, if it did not. */
    private void finish(@org.jspecify.annotations.Nullable Throwable failure) {
        if (over) {
            return;
        }
        over = true;
        loop.release(this);
        try {
            agent.onClose();
        } catch (Throwable e) {
            log.warn("{} failed to close", agent.roleName(), e);
        } finally {
            for (Handle h : handles) {
                loop.poller().removeHandle(h.handle());
            }
            handles.clear();
            if (timerDueMs != Long.MAX_VALUE) {
                loop.poller().cancelTimer(this, timerId);
                timerDueMs = Long.MAX_VALUE;
            }
            started.completeExceptionally(failure != null ? failure : new IllegalStateException(agent.roleName() + " stopped"));
            closed.complete(null);
        }
    }
}
