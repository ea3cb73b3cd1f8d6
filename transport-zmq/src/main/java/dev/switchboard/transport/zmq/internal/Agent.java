package dev.switchboard.transport.zmq.internal;

/**
 * Work that owns ZeroMQ sockets, run by a {@link LoopRunner} on its context's I/O thread, in the
 * manner of Agrona's {@code Agent}: {@link #onStart()}, then {@link #doWork()} until
 * {@link #isDone()}, then {@link #onClose()}, all on that thread. Nothing here may block.
 */
public interface Agent {

    /** The agent's name, for logs. */
    String roleName();

    /** Creates and binds or connects the sockets. A failure ends the agent. */
    void onStart();

    /** One round of non-blocking work; returns how much was done (0 lets the agent idle). */
    int doWork();

    /** After a round that did nothing: how long, in milliseconds, until a timer of the agent is due. */
    long idleMillis();

    /** Whether the agent was asked to stop (by a control message). */
    boolean isDone();

    /** Closes the sockets; runs on every path. */
    void onClose();
}
