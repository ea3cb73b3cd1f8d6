package dev.switchboard.core;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** A frame a {@link Codec} could not decode; the client receives {@code bad_request}. */
public final class CodecException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient @Nullable RequestId requestId;

    /**
     * A decoding failure; {@code requestId} is the id if it could be read, else null.
     *
     * @param message what is wrong with the frame
     * @param requestId the id of the request, if it could be read; else null
     */
    public CodecException(String message, @Nullable RequestId requestId) {
        super(message, null, false, false);
        this.requestId = requestId;
    }

    /**
     * The request's id, when the codec could read it before failing.
     *
     * @return the request's id, when the codec could read it before failing
     */
    public Optional<RequestId> requestId() {
        return Optional.ofNullable(requestId);
    }
}
