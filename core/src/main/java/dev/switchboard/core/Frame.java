package dev.switchboard.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One whole message on a client connection: a text frame (UTF-8) or a binary frame.
 *
 * <p>Frames are immutable. The factories that take a {@code byte[]} take ownership of the
 * array: the caller must not change it afterwards (transports copy at the boundary, so that
 * no Netty or ZeroMQ buffer ever reaches core).
 */
public final class Frame {

    /** What kind of frame this is. */
    public enum Type {
        /** A text frame; its bytes are UTF-8. */
        TEXT,
        /** A binary frame. */
        BINARY
    }

    private final Type type;
    private final byte[] data;

    private Frame(Type type, byte[] data) {
        this.type = type;
        this.data = data;
    }

    /**
     * A text frame holding {@code text} as UTF-8.
     *
     * @param text the text
     * @return a text frame holding {@code text} as UTF-8
     */
    public static Frame text(String text) {
        return new Frame(Type.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A text frame over {@code utf8}, which it now owns. The bytes must be valid UTF-8.
     *
     * @param utf8 the UTF-8 bytes, not copied
     * @return a text frame over {@code utf8}, which it now owns
     */
    public static Frame text(byte[] utf8) {
        return new Frame(Type.TEXT, Objects.requireNonNull(utf8, "utf8"));
    }

    /**
     * A binary frame over {@code data}, which it now owns.
     *
     * @param data the bytes, not copied
     * @return a binary frame over {@code data}, which it now owns
     */
    public static Frame binary(byte[] data) {
        return new Frame(Type.BINARY, Objects.requireNonNull(data, "data"));
    }

    /**
     * The kind of frame.
     *
     * @return the kind of frame
     */
    public Type type() {
        return type;
    }

    /**
     * Whether this is a text frame.
     *
     * @return whether this is a text frame
     */
    public boolean isText() {
        return type == Type.TEXT;
    }

    /**
     * The payload size in bytes.
     *
     * @return the payload size in bytes
     */
    public int size() {
        return data.length;
    }

    /**
     * A read-only view of the payload, without copying.
     *
     * @return a read-only view of the payload, without copying
     */
    public ByteBuffer data() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer();
    }

    /**
     * A copy of the payload.
     *
     * @return a copy of the payload
     */
    public byte[] toByteArray() {
        return data.clone();
    }

    /**
     * The payload decoded as UTF-8 (malformed input is replaced, never thrown).
     *
     * @return the payload decoded as UTF-8 (malformed input is replaced, never thrown)
     */
    public String text() {
        return new String(data, StandardCharsets.UTF_8);
    }

    /** The backing array, for core's codecs only: never exposed, never written. */
    byte[] array() {
        return data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.type == type && Arrays.equals(f.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return type == Type.TEXT && data.length <= 200
                ? "Frame[TEXT " + text() + "]"
                : "Frame[" + type + ", " + data.length + " bytes]";
    }
}
