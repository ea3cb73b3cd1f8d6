package dev.switchboard.transport.zmq;

/**
 * The ZeroMQ I/O threads that run Switchboard's socket agents. Nothing may block there: they
 * carry every ZeroMQ socket of the process. To have BlockHound watch them, mark them
 * non-blocking in a {@code BlockHoundIntegration}:
 *
 * <pre>{@code
 * builder.nonBlockingThreadPredicate(p -> p.or(IoThreads::isIoThread));
 * }</pre>
 */
public final class IoThreads {

    /** The start of every such thread's name. */
    public static final String NAME_PREFIX = "switchboard-zmq-io-";

    private IoThreads() {
    }

    /**
     * Whether {@code thread} is one of the ZeroMQ I/O threads that run Switchboard's agents.
     *
     * @param thread the thread
     * @return whether {@code thread} is one of the ZeroMQ I/O threads that run Switchboard's agents
     */
    public static boolean isIoThread(Thread thread) {
        return thread.getName().startsWith(NAME_PREFIX);
    }
}
