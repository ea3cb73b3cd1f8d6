package dev.switchboard.core;

/**
 * Turns client frames into requests and response items into frames.
 *
 * <p>Implementations MUST be thread-safe and MUST NOT block. {@link #decode} MUST either return
 * a request or throw {@link CodecException}; any other exception is treated as a bad request
 * too. {@link #encode} MUST produce exactly one frame per response item.
 */
public interface Codec {

    /**
     * The default codec: JSON in text frames and a JSON header before raw bytes in binary frames.
     * See the project README's protocol section for both framings.
     */
    static Codec json() {
        return JsonCodec.INSTANCE;
    }

    /**
     * Decodes one frame of the given session.
     *
     * @throws CodecException when the frame is not a valid request
     */
    Request decode(Frame frame, Session session) throws CodecException;

    /** Encodes one response item as one frame. */
    Frame encode(Response response);
}
