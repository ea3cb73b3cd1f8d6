package dev.switchboard.transport.zmq.internal;

import static dev.switchboard.transport.zmq.internal.Protocol.ENVELOPE;
import static dev.switchboard.transport.zmq.internal.Protocol.VERSION;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The REQUESTs or RESPONSEs of one round for one peer, as one frame: the envelope, then each
 * record after its {@code u32} length. Requests and data items write themselves straight
 * into the batch; the rarer records are added as the standalone frames the encoders of {@link Protocol}
 * make, whose envelope is dropped.
 * It owns only its buffer; it never touches a socket (its owner sends what {@link #take} returns) and is used on one thread.
 */
public final class Batch {
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
