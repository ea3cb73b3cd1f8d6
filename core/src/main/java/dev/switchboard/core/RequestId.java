package dev.switchboard.core;

import java.util.Objects;

/**
 * The id a client gave its request, echoed on every response item: a 64-bit integer or a
 * string, as the client sent it.
 */
public final class RequestId {

    private final long number;
    private final String text;
    private final boolean numeric;

    private RequestId(long number, String text, boolean numeric) {
        this.number = number;
        this.text = text;
        this.numeric = numeric;
    }

    /**
     * A numeric id.
     *
     * @param id the number the client sent
     * @return a numeric id
     */
    public static RequestId of(long id) {
        return new RequestId(id, Long.toString(id), true);
    }

    /**
     * A string id.
     *
     * @param id the string the client sent
     * @return a string id
     */
    public static RequestId of(String id) {
        return new RequestId(0, Objects.requireNonNull(id, "id"), false);
    }

    /**
     * Whether the client sent a number (otherwise a string).
     *
     * @return whether the client sent a number (otherwise a string)
     */
    public boolean isNumeric() {
        return numeric;
    }

    /**
     * The numeric value.
     *
     * @return the numeric value
     * @throws IllegalStateException if the id is a string
     */
    public long asLong() {
        if (!numeric) {
            throw new IllegalStateException("request id is a string: " + text);
        }
        return number;
    }

    /** The id as text (a number in decimal). */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestId r && r.numeric == numeric && r.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode() + (numeric ? 1 : 0);
    }
}
