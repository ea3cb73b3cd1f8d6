package dev.switchboard.transport.zmq;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Payload;
import dev.switchboard.core.RequestId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The wire protocol of {@code PROTOCOL.md}: constants and the encoding of its fields. Every
 * decoder throws {@link MalformedException} on input that does not follow the page.
 */
final class Protocol {

    /** Frame 0 of every message: "SB" and the protocol version 1. */
    static final byte[] SIGNATURE = {'S', 'B', 1};

    static final byte READY = 1;
    static final byte REQUEST = 2;
    static final byte RESPONSE = 3;
    static final byte CREDIT = 4;
    static final byte HEARTBEAT = 5;
    static final byte CACHE = 6;
    static final byte DISCONNECT = 7;
    static final byte CANCEL = 8;

    /** RESPONSE status: a data item, more follow. */
    static final byte DATA = 0;
    /** RESPONSE status: the last data item. */
    static final byte DATA_END = 1;
    /** RESPONSE status: the end, no data. */
    static final byte END = 2;
    /** RESPONSE status: an error, which ends the stream. */
    static final byte ERROR = 3;

    static final byte PAYLOAD_JSON = 0;
    static final byte PAYLOAD_BINARY = 1;

    static final byte ID_STRING = 0;
    static final byte ID_NUMBER = 1;

    static final byte CACHED = 1;
    static final byte EVICTED = 2;

    /** Most frames a message may have; longer messages are malformed. */
    static final int MAX_FRAMES = 65_536;
    /** Longest worker id, in bytes. */
    static final int MAX_ID_BYTES = 256;
    /** Longest affinity key, in bytes. */
    static final int MAX_KEY_BYTES = 4096;

    private Protocol() {
    }

    /** Input that does not follow the protocol. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message, null, false, false);
        }
    }

    static boolean isSignature(byte[] frame) {
        return Arrays.equals(frame, SIGNATURE);
    }

    static byte[] u8(int v) {
        return new byte[] {(byte) v};
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    static int readU8(byte[] frame, String field) throws MalformedException {
        if (frame.length != 1) {
            throw new MalformedException(field + " must be 1 byte, was " + frame.length);
        }
        return frame[0] & 0xff;
    }

    /** An unsigned 32-bit value that must fit an int (at most 2^31-1). */
    static int readU32(byte[] frame, String field) throws MalformedException {
        if (frame.length != 4) {
            throw new MalformedException(field + " must be 4 bytes, was " + frame.length);
        }
        int v = ByteBuffer.wrap(frame).getInt();
        if (v < 0) {
            throw new MalformedException(field + " is out of range");
        }
        return v;
    }

    static long readU64(byte[] frame, String field) throws MalformedException {
        if (frame.length != 8) {
            throw new MalformedException(field + " must be 8 bytes, was " + frame.length);
        }
        return ByteBuffer.wrap(frame).getLong();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String readUtf8(byte[] frame, int maxBytes, String field) throws MalformedException {
        if (frame.length > maxBytes) {
            throw new MalformedException(field + " is longer than " + maxBytes + " bytes");
        }
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            return decoder.decode(ByteBuffer.wrap(frame)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new MalformedException(field + " is not valid UTF-8");
        }
    }

    static byte[] payloadKind(Payload p) {
        return u8(p.isBinary() ? PAYLOAD_BINARY : PAYLOAD_JSON);
    }

    static Payload readPayload(byte[] kind, byte[] data) throws MalformedException {
        int k = readU8(kind, "payload kind");
        if (k == PAYLOAD_JSON) {
            return Payload.json(data);
        }
        if (k == PAYLOAD_BINARY) {
            return Payload.binary(data);
        }
        throw new MalformedException("unknown payload kind " + k);
    }

    static byte[] requestId(RequestId id) {
        byte[] text = utf8(id.toString());
        byte[] out = new byte[text.length + 1];
        out[0] = id.isNumeric() ? ID_NUMBER : ID_STRING;
        System.arraycopy(text, 0, out, 1, text.length);
        return out;
    }

    static RequestId readRequestId(byte[] frame) throws MalformedException {
        if (frame.length < 1) {
            throw new MalformedException("request id is empty");
        }
        String text = readUtf8(Arrays.copyOfRange(frame, 1, frame.length), MAX_KEY_BYTES, "request id");
        if (frame[0] == ID_STRING) {
            return RequestId.of(text);
        }
        if (frame[0] == ID_NUMBER) {
            try {
                return RequestId.of(Long.parseLong(text));
            } catch (NumberFormatException e) {
                throw new MalformedException("numeric request id is not a number");
            }
        }
        throw new MalformedException("unknown request id kind " + frame[0]);
    }

    static @Nullable ErrorCode errorCode(String wireName) {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.wireName().equals(wireName)) {
                return c;
            }
        }
        return null;
    }

    static String typeName(int type) {
        return switch (type) {
            case READY -> "READY";
            case REQUEST -> "REQUEST";
            case RESPONSE -> "RESPONSE";
            case CREDIT -> "CREDIT";
            case HEARTBEAT -> "HEARTBEAT";
            case CACHE -> "CACHE";
            case DISCONNECT -> "DISCONNECT";
            case CANCEL -> "CANCEL";
            default -> "type " + type;
        };
    }
}
