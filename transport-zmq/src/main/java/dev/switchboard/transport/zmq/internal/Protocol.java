package dev.switchboard.transport.zmq.internal;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Limits;
import dev.switchboard.core.Payload;
import dev.switchboard.core.RequestId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.zeromq.ZMQ;

/**
 * The wire protocol of {@code PROTOCOL.md}: constants and the encoding of its fields. Every
 * decoder throws {@link MalformedException} on input that does not follow the page.
 */
public final class Protocol {

    /** The protocol version, the third byte of every message. */
    public static final byte VERSION = 3;
    /**
     * The signature and version that start frame 0 of every message, followed there by the type
     * byte. Receivers hand the other message types on as if signature and type were frames 0 and 1.
     */
    public static final byte[] SIGNATURE = {'S', 'B', VERSION};
    /** Length of the envelope: signature, version, type. */
    public static final int ENVELOPE = 4;

    public static final byte READY = 1;
    public static final byte REQUEST = 2;
    public static final byte RESPONSE = 3;
    public static final byte CREDIT = 4;
    public static final byte HEARTBEAT = 5;
    public static final byte CACHE = 6;
    public static final byte DISCONNECT = 7;
    public static final byte CANCEL = 8;
    /** Worker to gateway: hand back up to n unused request credits (answered by a one-field CREDIT). */
    public static final byte RECLAIM = 9;

    /** RESPONSE status: a data item, more follow. */
    public static final byte DATA = 0;
    /** RESPONSE status: the last data item. */
    public static final byte DATA_END = 1;
    /** RESPONSE status: the end, no data. */
    public static final byte END = 2;
    /** RESPONSE status: an error, which ends the stream. */
    public static final byte ERROR = 3;
    /**
     * RESPONSE status flag, on a terminal record only: the worker keeps the request's credit, which
     * does not return to the gateway (the rule under CREDIT in {@code PROTOCOL.md}).
     */
    public static final byte KEPT = (byte) 0x80;

    /** Largest capacity a worker announces in READY, and most credits one CREDIT or RECLAIM moves. */
    public static final int MAX_CAPACITY = 65_535;
    /**
     * Largest waiting count a gateway reports in HEARTBEAT: its pending bound for a worker of
     * {@link #MAX_CAPACITY} (see {@code CreditLedger.maxPending}); a larger one is malformed.
     */
    public static final int MAX_WAITING = GatewayAgent.PENDING_PER_CAPACITY * MAX_CAPACITY
            + GatewayAgent.PENDING_EXTRA;

    public static final byte PAYLOAD_JSON = 0;
    public static final byte PAYLOAD_BINARY = 1;

    public static final byte ID_STRING = 0;
    public static final byte ID_NUMBER = 1;

    public static final byte CACHED = 1;
    public static final byte EVICTED = 2;

    /** Most frames a message may have; longer messages are malformed. */
    public static final int MAX_FRAMES = 65_536;
    /**
     * Most cached keys a worker lists in READY: what fits {@link #MAX_FRAMES} after READY's own
     * frames, with room to spare. A worker with more cached keys lists only that many; the
     * gateway keeps at most {@link RemoteWorker#MAX_CACHED_KEYS} keys per worker in any case.
     */
    public static final int MAX_READY_KEYS = MAX_FRAMES - 11;
    /** Longest worker id, in bytes. */
    public static final int MAX_ID_BYTES = 256;
    /** Longest affinity key, in bytes: the relay's limit, {@link Limits#DEFAULT_MAX_KEY_BYTES}. */
    public static final int MAX_KEY_BYTES = Limits.DEFAULT_MAX_KEY_BYTES;
    /** Longest session id, in bytes: {@link Limits#DEFAULT_MAX_SESSION_ID_BYTES}. */
    public static final int MAX_SESSION_ID_BYTES = Limits.DEFAULT_MAX_SESSION_ID_BYTES;
    /** Longest principal, in bytes: {@link Limits#DEFAULT_MAX_PRINCIPAL_BYTES}. */
    public static final int MAX_PRINCIPAL_BYTES = Limits.DEFAULT_MAX_PRINCIPAL_BYTES;
    /** Longest request id, in bytes: {@link Limits#DEFAULT_MAX_REQUEST_ID_BYTES}. */
    public static final int MAX_REQUEST_ID_BYTES = Limits.DEFAULT_MAX_REQUEST_ID_BYTES;
    /** Largest request body, in bytes: {@link Limits#DEFAULT_MAX_BODY_BYTES}. */
    public static final int MAX_BODY_BYTES = Limits.DEFAULT_MAX_BODY_BYTES;

    private Protocol() {
    }

    /** Input that does not follow the protocol. */
    public static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        public MalformedException(String message) {
            super(message, null, false, false);
        }
    }

    public static boolean isSignature(byte[] frame) {
        return Arrays.equals(frame, SIGNATURE);
    }

    /** Payload 0 of a message of {@code type} other than REQUEST and RESPONSE. */
    public static byte[] envelope(byte type) {
        return new byte[] {'S', 'B', VERSION, type};
    }

    /**
     * The type of a message whose frame 0 is {@code head}, checking signature and version. A
     * REQUEST or RESPONSE is one frame: the envelope, then its records (see {@link #records});
     * every other type has a 4-byte frame 0.
     */
    public static int type(byte[] head, int frames) throws MalformedException {
        if (head.length < ENVELOPE || head[0] != 'S' || head[1] != 'B' || head[2] != VERSION) {
            throw new MalformedException("no protocol signature");
        }
        int type = head[3] & 0xff;
        if (type == REQUEST || type == RESPONSE) {
            if (frames != 1) {
                throw new MalformedException(typeName(type) + " must be one frame, had " + frames);
            }
        } else if (head.length != ENVELOPE) {
            throw new MalformedException(typeName(type) + " has " + head.length + " bytes in frame 0");
        }
        return type;
    }

    /**
     * Reads the frames that follow a message's first (already received) into {@code frames}, at
     * most {@link #MAX_FRAMES} of them; a longer message is read to its end and false returned,
     * so that the caller drops it as malformed.
     */
    public static boolean readRest(ZMQ.Socket socket, List<byte[]> frames) {
        boolean fits = true;
        while (socket.hasReceiveMore()) {
            byte[] f = socket.recv(ZMQ.DONTWAIT);
            if (f == null) {
                break;
            }
            if (frames.size() < MAX_FRAMES) {
                frames.add(f);
            } else {
                fits = false;
            }
        }
        return fits;
    }

    /** Receives the records of a REQUEST or RESPONSE batch, one at a time. */
    public interface RecordHandler {
        /** The record in {@code frame[from, to)}. */
        void record(byte[] frame, int from, int to) throws MalformedException;
    }

    /**
     * Hands each record of a REQUEST or RESPONSE frame (the envelope, then records each after a
     * {@code u32} length) to {@code handler}. A malformed record is skipped and the others still
     * count; a length that overruns the frame ends the walk. Throws (once) if anything was
     * malformed, so that the message counts once.
     */
    public static void records(byte[] frame, RecordHandler handler) throws MalformedException {
        MalformedException last = null;
        int pos = ENVELOPE;
        if (pos == frame.length) {
            throw new MalformedException("a batch without a record");
        }
        while (pos < frame.length) {
            if (frame.length - pos < 4) {
                throw new MalformedException("a record length is cut short");
            }
            int n = ByteBuffer.wrap(frame, pos, 4).getInt();
            if (n < 0 || n > frame.length - pos - 4) {
                throw new MalformedException("a record length overruns the frame");
            }
            try {
                handler.record(frame, pos + 4, pos + 4 + n);
            } catch (MalformedException e) {
                last = e;
            }
            pos += 4 + n;
        }
        if (last != null) {
            throw last;
        }
    }

    /** REQUEST flags: a principal follows the request id. */
    public static final int FLAG_PRINCIPAL = 1;

    /** A RESPONSE that ends a request without an item. */
    public static byte[] responseEnd(long tag) {
        return responseEnd(tag, false);
    }

    /** A RESPONSE that ends a request without data; {@code kept}: the worker keeps its credit. */
    public static byte[] responseEnd(long tag, boolean kept) {
        ByteBuffer b = ByteBuffer.allocate(ENVELOPE + 8 + 1);
        b.put((byte) 'S').put((byte) 'B').put(VERSION).put(RESPONSE).putLong(tag).put(status(END, kept));
        return b.array();
    }

    /** A terminal status byte, with {@link #KEPT} when the worker keeps the credit. */
    public static byte status(byte status, boolean kept) {
        return kept ? (byte) (status | KEPT) : status;
    }

    /** A RESPONSE that ends a request with an error. */
    public static byte[] responseError(long tag, String code, String message) {
        return responseError(tag, code, message, false);
    }

    /** A RESPONSE that ends a request with an error; {@code kept}: the worker keeps its credit. */
    public static byte[] responseError(long tag, String code, String message, boolean kept) {
        byte[] c = utf8(code);
        byte[] m = utf8(message);
        if (m.length > MAX_ERROR_MESSAGE_BYTES) {
            m = Arrays.copyOf(m, MAX_ERROR_MESSAGE_BYTES);
            // do not cut a UTF-8 sequence in two
            int end = m.length;
            while (end > 0 && (m[end - 1] & 0xC0) == 0x80) {
                end--;
            }
            if (end > 0 && (m[end - 1] & 0x80) != 0) {
                end--;
            }
            m = Arrays.copyOf(m, end);
        }
        ByteBuffer b = ByteBuffer.allocate(ENVELOPE + 8 + 1 + 2 + c.length + m.length);
        b.put((byte) 'S').put((byte) 'B').put(VERSION).put(RESPONSE).putLong(tag).put(status(ERROR, kept));
        text16(b, c);
        b.put(m);
        return b.array();
    }

    /** Longest error message, in bytes. */
    public static final int MAX_ERROR_MESSAGE_BYTES = 4096;

    static void text16(ByteBuffer b, byte[] text) {
        b.putShort((short) text.length).put(text);
    }

    /** A payload of {@code kind} over {@code data}. */
    public static Payload payload(int kind, byte[] data) throws MalformedException {
        if (kind == PAYLOAD_JSON) {
            return Payload.json(data);
        }
        if (kind == PAYLOAD_BINARY) {
            return Payload.binary(data);
        }
        throw new MalformedException("unknown payload kind " + kind);
    }

    /** A request id of {@code kind} and {@code text}. */
    public static RequestId requestId(int kind, String text) throws MalformedException {
        if (kind == ID_STRING) {
            return RequestId.of(text);
        }
        if (kind == ID_NUMBER) {
            try {
                return RequestId.of(Long.parseLong(text));
            } catch (NumberFormatException e) {
                throw new MalformedException("numeric request id is not a number");
            }
        }
        throw new MalformedException("unknown request id kind " + kind);
    }

    public static byte[] u8(int v) {
        return new byte[] {(byte) v};
    }

    public static byte[] u32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    public static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    public static int readU8(byte[] frame, String field) throws MalformedException {
        if (frame.length != 1) {
            throw new MalformedException(field + " must be 1 byte, was " + frame.length);
        }
        return frame[0] & 0xff;
    }

    /** An unsigned 32-bit value that must fit an int (at most 2^31-1). */
    public static int readU32(byte[] frame, String field) throws MalformedException {
        if (frame.length != 4) {
            throw new MalformedException(field + " must be 4 bytes, was " + frame.length);
        }
        int v = ByteBuffer.wrap(frame).getInt();
        if (v < 0) {
            throw new MalformedException(field + " is out of range");
        }
        return v;
    }

    public static long readU64(byte[] frame, String field) throws MalformedException {
        if (frame.length != 8) {
            throw new MalformedException(field + " must be 8 bytes, was " + frame.length);
        }
        return ByteBuffer.wrap(frame).getLong();
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String readUtf8(byte[] frame, int maxBytes, String field) throws MalformedException {
        return readUtf8(frame, 0, frame.length, maxBytes, field);
    }

    /**
     * {@code length} bytes of strict UTF-8 from {@code offset}. Keys, ids and session ids are
     * mostly ASCII, which needs no decoder.
     */
    public static String readUtf8(byte[] b, int offset, int length, int maxBytes, String field) throws MalformedException {
        if (length > maxBytes) {
            throw new MalformedException(field + " is longer than " + maxBytes + " bytes");
        }
        int end = offset + length;
        int i = offset;
        while (i < end && b[i] >= 0) {
            i++;
        }
        if (i == end) {
            return new String(b, offset, length, StandardCharsets.ISO_8859_1);
        }
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            return decoder.decode(ByteBuffer.wrap(b, offset, length)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new MalformedException(field + " is not valid UTF-8");
        }
    }

    public static @Nullable ErrorCode errorCode(String wireName) {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.wireName().equals(wireName)) {
                return c;
            }
        }
        return null;
    }

    public static String typeName(int type) {
        return switch (type) {
            case READY -> "READY";
            case REQUEST -> "REQUEST";
            case RESPONSE -> "RESPONSE";
            case CREDIT -> "CREDIT";
            case HEARTBEAT -> "HEARTBEAT";
            case CACHE -> "CACHE";
            case DISCONNECT -> "DISCONNECT";
            case CANCEL -> "CANCEL";
            case RECLAIM -> "RECLAIM";
            default -> "type " + type;
        };
    }
}
