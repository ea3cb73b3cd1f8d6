package dev.switchboard.core;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One item of the response stream to a request, as the codec turns it into one frame: a data
 * item (whose {@link #end()} flag marks the last one), an {@code end} with no data, or an error,
 * which also ends the stream.
 */
public final class Response {

    private final @Nullable RequestId id;
    private final @Nullable Payload payload;
    private final boolean end;
    private final @Nullable ErrorCode error;
    private final String message;

    private Response(@Nullable RequestId id, @Nullable Payload payload, boolean end,
                     @Nullable ErrorCode error, String message) {
        this.id = id;
        this.payload = payload;
        this.end = end;
        this.error = error;
        this.message = message;
    }

    /**
     * A data item; {@code last} marks it as the end of the stream.
     *
     * @param id the request it answers
     * @param payload the data
     * @param last whether this item ends the stream
     * @return a data item; {@code last} marks it as the end of the stream
     */
    public static Response data(RequestId id, Payload payload, boolean last) {
        return new Response(Objects.requireNonNull(id, "id"), Objects.requireNonNull(payload, "payload"),
                last, null, "");
    }

    /**
     * The end of a stream that carried no (more) data.
     *
     * @param id the request it ends
     * @return the end of a stream that carried no (more) data
     */
    public static Response end(RequestId id) {
        return new Response(Objects.requireNonNull(id, "id"), null, true, null, "");
    }

    /**
     * An error that ends the stream; {@code id} is null when the request's id is unknown.
     *
     * @param id the request it answers, or null when its id is unknown
     * @param code the code the client receives
     * @param message the message the client receives
     * @return an error that ends the stream; {@code id} is null when the request's id is unknown
     */
    public static Response error(@Nullable RequestId id, ErrorCode code, String message) {
        return new Response(id, null, true, Objects.requireNonNull(code, "code"),
                Objects.requireNonNull(message, "message"));
    }

    /**
     * The request's id; empty for an error about a frame whose id could not be read.
     *
     * @return the request's id; empty for an error about a frame whose id could not be read
     */
    public Optional<RequestId> id() {
        return Optional.ofNullable(id);
    }

    /**
     * The data, for a data item.
     *
     * @return the data, for a data item
     */
    public Optional<Payload> payload() {
        return Optional.ofNullable(payload);
    }

    /**
     * Whether this item ends the stream (always true for errors).
     *
     * @return whether this item ends the stream (always true for errors)
     */
    public boolean end() {
        return end;
    }

    /**
     * The error code, for an error.
     *
     * @return the error code, for an error
     */
    public Optional<ErrorCode> error() {
        return Optional.ofNullable(error);
    }

    /**
     * The error message, empty unless this is an error.
     *
     * @return the error message, empty unless this is an error
     */
    public String message() {
        return message;
    }

    @Nullable RequestId idOrNull() {
        return id;
    }

    @Nullable Payload payloadOrNull() {
        return payload;
    }

    @Nullable ErrorCode errorOrNull() {
        return error;
    }

    @Override
    public String toString() {
        return "Response[id=" + id + (payload != null ? ", " + payload : "") + (end ? ", end" : "")
                + (error != null ? ", " + error.wireName() + ": " + message : "") + "]";
    }
}
