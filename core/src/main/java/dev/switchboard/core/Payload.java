package dev.switchboard.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Bytes that are text (UTF-8) or binary: the one value type for what moves through a relay, a
 * whole message on a client connection (a WebSocket text or binary frame) as well as the body of
 * a request or of one response item.
 *
 * <p>Immutable. The factories that take a {@code byte[]} take ownership of it: the caller must
 * not change the array afterwards (transports copy at the boundary, so that no Netty or ZeroMQ
 * buffer ever reaches core). A body made by {@link #json} must hold exactly one valid JSON value;
 * the default codec embeds it verbatim. {@link #text} and {@link #json} make the same kind of
 * payload: the name says what the caller promises about its content.
 */
public final class Payload {

    private static final byte[] NULL_JSON = "null".getBytes(StandardCharsets.US_ASCII);
    private static final Payload NULL = new Payload(false, NULL_JSON);

    private final boolean binary;
    private final byte[] data;

    private Payload(boolean binary, byte[] data) {
        this.binary = binary;
        this.data = data;
    }

    /**
     * A text payload from {@code text}, as UTF-8: a client's text frame, say.
     *
     * @param text the text
     * @return a text payload holding {@code text} as UTF-8
     */
    public static Payload text(String text) {
        return new Payload(false, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A text payload over {@code utf8}, which it now owns. The bytes must be valid UTF-8.
     *
     * @param utf8 the text as UTF-8 bytes, not copied
     * @return a text payload over {@code utf8}
     */
    public static Payload text(byte[] utf8) {
        return new Payload(false, Objects.requireNonNull(utf8, "utf8"));
    }

    /**
     * A JSON payload from its text.
     *
     * @param json the JSON text
     * @return a JSON payload from its text
     */
    public static Payload json(String json) {
        return new Payload(false, json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A JSON payload over UTF-8 bytes, which it now owns.
     *
     * @param utf8Json the JSON text as UTF-8 bytes, not copied
     * @return a JSON payload over UTF-8 bytes, which it now owns
     */
    public static Payload json(byte[] utf8Json) {
        return new Payload(false, Objects.requireNonNull(utf8Json, "utf8Json"));
    }

    /**
     * A binary payload over {@code data}, which it now owns.
     *
     * @param data the bytes, not copied
     * @return a binary payload over {@code data}, which it now owns
     */
    public static Payload binary(byte[] data) {
        return new Payload(true, Objects.requireNonNull(data, "data"));
    }

    /**
     * The JSON {@code null} payload.
     *
     * @return the JSON {@code null} payload
     */
    public static Payload jsonNull() {
        return NULL;
    }

    /**
     * Whether the payload is raw binary rather than text (JSON or any UTF-8).
     *
     * @return whether the payload is raw binary
     */
    public boolean isBinary() {
        return binary;
    }

    /**
     * The size in bytes.
     *
     * @return the size in bytes
     */
    public int size() {
        return data.length;
    }

    /**
     * A read-only view of the bytes, without copying.
     *
     * @return a read-only view of the bytes, without copying
     */
    public ByteBuffer data() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer();
    }

    /**
     * A copy of the bytes.
     *
     * @return a copy of the bytes
     */
    public byte[] toByteArray() {
        return data.clone();
    }

    /**
     * The bytes decoded as UTF-8 (malformed input is replaced, never thrown).
     *
     * @return the bytes decoded as UTF-8
     */
    public String utf8() {
        return new String(data, StandardCharsets.UTF_8);
    }

    /** The backing array, for core's codecs only: never exposed, never written. */
    byte[] array() {
        return data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Payload p && p.binary == binary && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return (binary ? 31 : 0) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return binary || data.length > 200 ? "Payload[" + (binary ? "binary, " : "text, ") + data.length + " bytes]"
                : "Payload[" + utf8() + "]";
    }
}
