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

    /** RESPONSE status: a data item, more follow. */
    public static final byte DATA = 0;
    /** RESPONSE status: the last data item. */
    public static final byte DATA_END = 1;
    /** RESPONSE status: the end, no data. */
    public static final byte END = 2;
    /** RESPONSE status: an error, which ends the stream. */
    public static final byte ERROR = 3;

    public static final byte PAYLOAD_JSON = 0;
    public static final byte PAYLOAD_BINARY = 1;

    public static final byte ID_STRING = 0;
    public static final byte ID_NUMBER = 1;

    public static final byte CACHED = 1;
    public static final byte EVICTED = 2;

    /** Most frames a message may have; longer messages are malformed. */
    public static final int MAX_FRAMES = 65_536;
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

    /** Frame 0 of a message of {@code type} other than REQUEST and RESPONSE. */
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

    /**
     * The REQUESTs or RESPONSEs of one round for one peer, as one frame: the envelope, then each
     * record after its {@code u32} length. Requests and data items write themselves straight
     * into the batch; the rarer records are added as the standalone frames the encoders below
     * make, whose envelope is dropped.
     */
    public static final class Batch {
        private final byte type;
        private byte[] buf = new byte[256];
        private int size;
        private int count;

        public Batch(byte type) {
            this.type = type;
        }

        public int count() {
            return count;
        }

        public int bytes() {
            return size;
        }

        public void add(byte[] standalone) {
            int n = standalone.length - ENVELOPE;
            int at = begin(n);
            System.arraycopy(standalone, ENVELOPE, buf, at, n);
        }

        public void add(Record record) {
            int n = record.size();
            int at = begin(n);
            record.writeTo(ByteBuffer.wrap(buf, at, n));
        }

        /** Makes room for a record of {@code n} bytes and writes its length; returns where it goes. */
        private int begin(int n) {
            if (count == 0) {
                size = 0;
                ensure(ENVELOPE + 4 + n);
                buf[0] = 'S';
                buf[1] = 'B';
                buf[2] = VERSION;
                buf[3] = type;
                size = ENVELOPE;
            } else {
                ensure(size + 4 + n);
            }
            buf[size] = (byte) (n >>> 24);
            buf[size + 1] = (byte) (n >>> 16);
            buf[size + 2] = (byte) (n >>> 8);
            buf[size + 3] = (byte) n;
            int at = size + 4;
            size += 4 + n;
            count++;
            return at;
        }

        private void ensure(int capacity) {
            if (buf.length < capacity) {
                buf = Arrays.copyOf(buf, Math.max(capacity, buf.length * 2));
            }
        }

    /** The frame to send; the batch is empty afterwards. */
        public byte[] take() {
            byte[] frame = Arrays.copyOf(buf, size);
            clear();
            return frame;
        }

        public void clear() {
            size = 0;
            count = 0;
            if (buf.length > 64 * 1024) {
                // a burst of large bodies does not pin its buffer
                buf = new byte[256];
            }
        }
    }

    /** A record that writes itself, without the envelope: into a batch, or after one. */
    public sealed interface Record permits RequestRecord, DataRecord {
        /** Its length in bytes. */
        int size();

        /** Writes it at {@code b}'s position; {@code b} has {@link #size()} bytes left. */
        void writeTo(ByteBuffer b);
    }

    /** A REQUEST's record: its fields encoded once, its body copied only where it is written. */
    public static final class RequestRecord implements Record {
        private final long tag;
        private final int window;
        private final byte[] key;
        private final byte[] session;
        private final boolean numericId;
        private final byte[] id;
        private final byte @Nullable [] principal;
        private final Payload payload;

        public RequestRecord(long tag, int window, String key, Payload payload, String session, RequestId id,
                      @Nullable String principal) {
            this.tag = tag;
            this.window = window;
            this.key = utf8(key);
            this.session = utf8(session);
            this.numericId = id.isNumeric();
            this.id = utf8(id.toString());
            this.principal = principal == null ? null : utf8(principal);
            this.payload = payload;
        }

        @Override
        public int size() {
            return 8 + 4 + 1 + 2 + key.length + 2 + session.length + 1 + 2 + id.length
                    + (principal == null ? 0 : 2 + principal.length) + 1 + payload.size();
        }

        @Override
        public void writeTo(ByteBuffer b) {
            b.putLong(tag).putInt(window).put((byte) (principal == null ? 0 : FLAG_PRINCIPAL));
            text16(b, key);
            text16(b, session);
            b.put(numericId ? ID_NUMBER : ID_STRING);
            text16(b, id);
            if (principal != null) {
                text16(b, principal);
            }
            b.put(payload.isBinary() ? PAYLOAD_BINARY : PAYLOAD_JSON).put(payload.data());
        }
    }

    /** A RESPONSE's record with a data item ({@link #DATA} or {@link #DATA_END}). */
    public record DataRecord(long tag, byte status, Payload payload) implements Record {
        @Override
        public int size() {
            return 8 + 1 + 1 + payload.size();
        }

        @Override
        public void writeTo(ByteBuffer b) {
            b.putLong(tag).put(status).put(payload.isBinary() ? PAYLOAD_BINARY : PAYLOAD_JSON).put(payload.data());
        }
    }

    /** REQUEST flags: a principal follows the request id. */
    public static final int FLAG_PRINCIPAL = 1;

    /** A RESPONSE that ends a request without an item. */
    public static byte[] responseEnd(long tag) {
        ByteBuffer b = ByteBuffer.allocate(ENVELOPE + 8 + 1);
        b.put((byte) 'S').put((byte) 'B').put(VERSION).put(RESPONSE).putLong(tag).put(END);
        return b.array();
    }

    /** A RESPONSE that ends a request with an error. */
    public static byte[] responseError(long tag, String code, String message) {
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
        b.put((byte) 'S').put((byte) 'B').put(VERSION).put(RESPONSE).putLong(tag).put(ERROR);
        text16(b, c);
        b.put(m);
        return b.array();
    }

    /** Longest error message, in bytes. */
    public static final int MAX_ERROR_MESSAGE_BYTES = 4096;

    private static void text16(ByteBuffer b, byte[] text) {
        b.putShort((short) text.length).put(text);
    }

    /** Reads the fields of one record: a standalone frame after its envelope, or a slice of a batch. */
    public static final class Reader {
        private final byte[] frame;
        private final int limit;
        private int pos;

        public Reader(byte[] frame) {
            this(frame, ENVELOPE, frame.length);
        }

        public Reader(byte[] frame, int from, int to) {
            this.frame = frame;
            this.pos = from;
            this.limit = to;
        }

        private void need(int n, String field) throws MalformedException {
            if (limit - pos < n) {
                throw new MalformedException(field + " is cut short");
            }
        }

        public int u8(String field) throws MalformedException {
            need(1, field);
            return frame[pos++] & 0xff;
        }

        public int u32(String field) throws MalformedException {
            need(4, field);
            int v = ByteBuffer.wrap(frame, pos, 4).getInt();
            pos += 4;
            if (v < 0) {
                throw new MalformedException(field + " is out of range");
            }
            return v;
        }

        public long u64(String field) throws MalformedException {
            need(8, field);
            long v = ByteBuffer.wrap(frame, pos, 8).getLong();
            pos += 8;
            return v;
        }

        /** A {@code u16} length and that many bytes of UTF-8. */
        public String text16(int maxBytes, String field) throws MalformedException {
            need(2, field);
            int n = ((frame[pos] & 0xff) << 8) | (frame[pos + 1] & 0xff);
            pos += 2;
            need(n, field);
            String s = readUtf8(frame, pos, n, maxBytes, field);
            pos += n;
            return s;
        }

        /** How many bytes of the record are left. */
        public int remaining() {
            return limit - pos;
        }

        /** The rest of the record. */
        public byte[] rest() {
            byte[] r = Arrays.copyOfRange(frame, pos, limit);
            pos = limit;
            return r;
        }

        /** Fails unless every byte was read. */
        public void end(String what) throws MalformedException {
            if (pos != limit) {
                throw new MalformedException(what + " has " + (limit - pos) + " bytes too many");
            }
        }
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
            default -> "type " + type;
        };
    }
}
