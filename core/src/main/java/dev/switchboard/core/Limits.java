package dev.switchboard.core;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The bounds on a {@link Request}'s fields, one set on every side: the default codec, the relay
 * (whatever codec built the request), the ZeroMQ gateway, the ZeroMQ worker and the Python worker
 * of the examples all hold a request to these numbers, and {@code transport-zmq/PROTOCOL.md}
 * lists them. A request over one is answered {@link ErrorCode#BAD_REQUEST} with a message naming
 * the limit, and never reaches a worker.
 *
 * <p>Lengths are UTF-8 bytes. The numbers are fixed in this version: a worker written from the
 * protocol page relies on them.
 */
public final class Limits {

    /** Longest affinity key, in UTF-8 bytes. */
    public static final int DEFAULT_MAX_KEY_BYTES = 4096;
    /** Longest session id, in UTF-8 bytes. */
    public static final int DEFAULT_MAX_SESSION_ID_BYTES = 256;
    /** Longest principal, in UTF-8 bytes. */
    public static final int DEFAULT_MAX_PRINCIPAL_BYTES = 1024;
    /**
     * Longest request id, in UTF-8 bytes. The default codec holds a string id to 256 characters,
     * at most 768 bytes.
     */
    public static final int DEFAULT_MAX_REQUEST_ID_BYTES = 1024;
    /**
     * Largest request body, in bytes: 8 MiB, which leaves a request within the ZeroMQ transport's
     * default message bound (16 MiB) with its other fields.
     */
    public static final int DEFAULT_MAX_BODY_BYTES = 8 << 20;

    private Limits() {
    }

    /**
     * What {@code request} exceeds, as a message for the client naming the limit; empty when it is
     * within every limit.
     *
     * @param request the decoded request
     * @return the message naming the exceeded limit; empty when there is none
     */
    public static Optional<String> violation(Request request) {
        String v = text("key", request.key(), DEFAULT_MAX_KEY_BYTES, "DEFAULT_MAX_KEY_BYTES");
        if (v == null) {
            v = text("session id", request.sessionId(), DEFAULT_MAX_SESSION_ID_BYTES, "DEFAULT_MAX_SESSION_ID_BYTES");
        }
        if (v == null && request.principal().isPresent()) {
            v = text("principal", request.principal().get(), DEFAULT_MAX_PRINCIPAL_BYTES, "DEFAULT_MAX_PRINCIPAL_BYTES");
        }
        if (v == null) {
            v = text("request id", request.id().toString(), DEFAULT_MAX_REQUEST_ID_BYTES, "DEFAULT_MAX_REQUEST_ID_BYTES");
        }
        if (v == null && request.payload().size() > DEFAULT_MAX_BODY_BYTES) {
            v = message("body", request.payload().size(), DEFAULT_MAX_BODY_BYTES, "DEFAULT_MAX_BODY_BYTES");
        }
        return Optional.ofNullable(v);
    }

    /** The message naming the limit a field of {@code bytes} exceeds. */
    static String message(String field, long bytes, int limit, String name) {
        return "the " + field + " has " + bytes + " bytes, more than the limit of " + limit + " (Limits." + name + ")";
    }

    private static @Nullable String text(String field, String value, int limit, String name) {
        // a char is at most 3 UTF-8 bytes: most values are decided without encoding them
        if (value.length() * 3L <= limit) {
            return null;
        }
        if (value.length() > limit) {
            return message(field, utf8Length(value), limit, name);
        }
        long bytes = utf8Length(value);
        return bytes > limit ? message(field, bytes, limit, name) : null;
    }

    private static long utf8Length(String value) {
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
