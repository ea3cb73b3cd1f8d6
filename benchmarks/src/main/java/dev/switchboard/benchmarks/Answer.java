package dev.switchboard.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.function.IntUnaryOperator;

/**
 * What one frame from the server answers, read from the default codec's framings without a JSON
 * parser (the load generator reads every frame on its event loop): a text frame is one JSON
 * object {@code {"id": n, ...}}, an error {@code {"id": n, "error": {"code": "...", ...}}}; a
 * binary frame is a version byte 1, a two-byte big-endian header length N, N bytes of JSON header
 * {@code {"id": n, "end": true}} and the raw body, whose first bytes tell a JPEG (FF D8 FF) from
 * a PNG (89 'P' 'N' 'G').
 *
 * @param id     the request id it answers, or -1 when it names none (an error answer may not)
 * @param kind   what it is
 * @param detail the error's JSON for {@link Kind#ERROR} (see {@link #errorCode}), what is wrong
 *               for {@link Kind#MALFORMED}, else empty
 */
record Answer(long id, Kind kind, String detail) {

    /** The kinds of answers. */
    enum Kind {
        /** A text frame that is no error (the echo scenario's answers). */
        TEXT,
        /** A binary frame ending its request whose body is a JPEG. */
        JPEG,
        /** A binary frame ending its request whose body is a PNG. */
        PNG,
        /** A binary frame ending its request whose body is neither. */
        OTHER_BINARY,
        /** An error answer. */
        ERROR,
        /** Not a frame of the default codec's framings, or not the one frame a tile answer is. */
        MALFORMED
    }

    static final int BINARY_VERSION = 1;
    private static final int PREFIX = 3;

    /** Reads a text frame. */
    static Answer ofText(String frame) {
        long id = id(frame);
        if (frame.contains("\"error\"")) {
            return new Answer(id, Kind.ERROR, shorten(frame));
        }
        if (id < 0) {
            return new Answer(-1, Kind.MALFORMED, "a text frame without a numeric \"id\": " + shorten(frame));
        }
        return new Answer(id, Kind.TEXT, "");
    }

    /** Reads a binary frame of {@code length} bytes; {@code byteAt} gives byte i as 0..255. */
    static Answer ofBinary(int length, IntUnaryOperator byteAt) {
        if (length < PREFIX || byteAt.applyAsInt(0) != BINARY_VERSION) {
            return new Answer(-1, Kind.MALFORMED, "a binary frame not starting with version byte " + BINARY_VERSION);
        }
        int headerLength = (byteAt.applyAsInt(1) << 8) | byteAt.applyAsInt(2);
        if (PREFIX + headerLength > length) {
            return new Answer(-1, Kind.MALFORMED, "a binary frame's header length " + headerLength
                    + " exceeds its " + length + " bytes");
        }
        byte[] h = new byte[headerLength];
        for (int i = 0; i < headerLength; i++) {
            h[i] = (byte) byteAt.applyAsInt(PREFIX + i);
        }
        String header = new String(h, StandardCharsets.UTF_8);
        long id = id(header);
        if (header.contains("\"error\"")) {
            return new Answer(id, Kind.ERROR, shorten(header));
        }
        if (id < 0) {
            return new Answer(-1, Kind.MALFORMED, "a binary frame's header without a numeric \"id\": " + shorten(header));
        }
        if (!header.replace(" ", "").contains("\"end\":true")) {
            return new Answer(id, Kind.MALFORMED, "a binary frame that does not end its request (a tile is one frame): "
                    + shorten(header));
        }
        int body = PREFIX + headerLength;
        int n = length - body;
        if (n >= 3 && byteAt.applyAsInt(body) == 0xFF && byteAt.applyAsInt(body + 1) == 0xD8
                && byteAt.applyAsInt(body + 2) == 0xFF) {
            return new Answer(id, Kind.JPEG, "");
        }
        if (n >= 4 && byteAt.applyAsInt(body) == 0x89 && byteAt.applyAsInt(body + 1) == 'P'
                && byteAt.applyAsInt(body + 2) == 'N' && byteAt.applyAsInt(body + 3) == 'G') {
            return new Answer(id, Kind.PNG, "");
        }
        return new Answer(id, Kind.OTHER_BINARY, "");
    }

    /** The number after the first {@code "id":}, or -1. */
    static long id(String json) {
        int at = json.indexOf("\"id\"");
        if (at < 0) {
            return -1;
        }
        int i = at + 4;
        while (i < json.length() && (json.charAt(i) == ' ' || json.charAt(i) == ':')) {
            i++;
        }
        long id = 0;
        int digits = 0;
        while (i < json.length() && Character.isDigit(json.charAt(i)) && digits < 18) {
            id = id * 10 + (json.charAt(i++) - '0');
            digits++;
        }
        return digits == 0 ? -1 : id;
    }

    /** The error's {@code "code"} string, or {@code "?"}. */
    static String errorCode(String json) {
        int at = json.indexOf("\"code\"");
        int open = at < 0 ? -1 : json.indexOf('"', at + 6);
        int close = open < 0 ? -1 : json.indexOf('"', open + 1);
        return close < 0 ? "?" : json.substring(open + 1, close);
    }

    private static String shorten(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
