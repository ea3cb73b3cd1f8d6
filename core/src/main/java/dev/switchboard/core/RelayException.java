package dev.switchboard.core;

import java.util.Objects;

/**
 * A failure addressed to the client: its {@link ErrorCode} and its message reach the client as
 * they are, from an in-process worker and from a remote one alike, so write the message for the
 * client. Any other exception from a handler reaches the client only as
 * {@link ErrorCode#WORKER_FAILED} with {@link #WORKER_FAILED_MESSAGE}; its text goes to the
 * worker's log, since it may describe internals (a path, a query).
 */
public class RelayException extends RuntimeException {

    /** The message a client gets for a handler's exception that is not a {@code RelayException}. */
    public static final String WORKER_FAILED_MESSAGE = "the worker failed";

    private static final long serialVersionUID = 1L;

    /** The code the client receives (serialized with the exception). */
    private final ErrorCode code;

    /**
     * A failure with the given code and message.
     *
     * @param code the code the client receives
     * @param message the message the client receives
     */
    public RelayException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = Objects.requireNonNull(code, "code");
    }

    /**
     * The code the client receives.
     *
     * @return the code the client receives
     */
    public ErrorCode code() {
        return code;
    }
}
