package dev.switchboard.core;

import java.util.Objects;

/**
 * A failure with an {@link ErrorCode} the client should see. Any other exception from a worker
 * reaches the client as {@link ErrorCode#WORKER_FAILED}.
 */
public class RelayException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /** A failure with the given code and message. */
    public RelayException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The code the client receives. */
    public ErrorCode code() {
        return code;
    }
}
