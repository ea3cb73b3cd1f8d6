package dev.switchboard.transport.zmq.internal;

import static dev.switchboard.transport.zmq.internal.Protocol.ENVELOPE;
import static dev.switchboard.transport.zmq.internal.Protocol.readUtf8;

import dev.switchboard.transport.zmq.internal.Protocol.MalformedException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads the fields of one record: a standalone frame after its envelope, or a slice of a batch. It owns only its position in the record; it neither copies the frame nor keeps it, and it checks every length against the record before reading.
 */
public final class RecordReader {
    private final byte[] frame;
    private final int limit;
    private int pos;

    public RecordReader(byte[] frame) {
        this(frame, ENVELOPE, frame.length);
    }

    public RecordReader(byte[] frame, int from, int to) {
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
