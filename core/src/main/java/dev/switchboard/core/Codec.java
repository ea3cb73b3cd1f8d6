package dev.switchboard.core;

/**
 * Turns client frames into requests and cancels, and response items into frames.
 *
 * <p>Implementations MUST be thread-safe and MUST NOT block. {@link #decode} MUST either return
 * a {@link ClientMessage} or throw {@link CodecException}; any other exception is treated as a
 * bad request too. {@link #encode} MUST produce exactly one frame per response item.
 *
 * <p>A codec written before cancel frames existed declares {@code Request decode(Payload,
 * Session)}; that still overrides {@link #decode} (a covariant return) and compiles unchanged.
 * Such a codec cannot express a cancel, and a codec that delegates to {@link #json()} must
 * widen its return type to {@link ClientMessage} to pass the JSON codec's cancels on.
 */
public interface Codec {

    /**
     * The default codec: JSON in text frames and a JSON header before raw bytes in binary frames,
     * with requests and cancels. See the project README's protocol section for both framings.
     *
     * @return the default JSON codec
     */
    static Codec json() {
        return JsonCodec.INSTANCE;
    }

    /**
     * Decodes one frame of the given session: a {@link Request} or a {@link Cancel}.
     *
     * @param frame the frame, as the client sent it
     * @param session the session that received it
     * @return the request or the cancel the frame carries
     * @throws CodecException when the frame is neither a valid request nor a valid cancel
     */
    ClientMessage decode(Payload frame, Session session) throws CodecException;

    /**
     * Encodes one response item as one frame.
     *
     * @param response the response item
     * @return the frame that carries it to the client
     */
    Payload encode(Response response);
}
