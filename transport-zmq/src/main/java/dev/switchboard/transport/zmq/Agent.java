package dev.switchboard.transport.zmq;

/**
 * Work done by one thread that owns its sockets, in the manner of Agrona's {@code Agent}:
 * {@link #onStart()}, then {@link #doWork()} until {@link #isDone()}, then {@link #onClose()}, all
 * on the same thread. When a round did nothing, {@link #idle()} waits for the sockets or the next
 * timer without spinning.
 */
interface Agent {

    /** The thread's name. */
    String roleName();

    /** Creates and binds or connects the sockets. A failure ends the agent. */
    void onStart();

    /** One round of non-blocking work; returns how much was done (0 lets the agent idle). */
    int doWork();

    /** Waits, bounded, until a socket is readable or a timer is due. */
    void idle();

    /** Whether the agent was asked to stop (by a control message). */
    boolean isDone();

    /** Closes the sockets; runs on every path. */
    void onClose();
}
