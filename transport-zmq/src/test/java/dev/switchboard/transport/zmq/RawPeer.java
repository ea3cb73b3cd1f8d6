package dev.switchboard.transport.zmq;

import dev.switchboard.transport.zmq.internal.Protocol;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A hand-driven DEALER that speaks (or breaks) the protocol, owned by the test thread: a fake
 * worker that can go silent, or a fuzzer.
 */
final class RawPeer implements AutoCloseable {

    /** Signature and protocol version, the start of frame 0. */
    static final byte[] SIG = {'S', 'B', Protocol.VERSION};

    /** Payload 0 of a message of {@code type}: signature, version, type. */
    static byte[] env(int type) {
        return new byte[] {'S', 'B', Protocol.VERSION, (byte) type};
    }

    private final ZContext context = new ZContext(1);
    final ZMQ.Socket socket;

    RawPeer(String endpoint, @Nullable CurveKeyPair keys, @Nullable String serverKey) {
        socket = context.createSocket(SocketType.DEALER);
        socket.setLinger(0);
        socket.setHandshakeIvl(500);
        if (keys != null && serverKey != null) {
            socket.setCurveServerKey(ZMQ.Curve.z85Decode(serverKey));
            socket.setCurvePublicKey(ZMQ.Curve.z85Decode(keys.publicKey()));
            socket.setCurveSecretKey(ZMQ.Curve.z85Decode(keys.secretKey()));
        }
        socket.connect(endpoint);
    }

    RawPeer(String endpoint) {
        this(endpoint, null, null);
    }

    static byte[] u8(int v) {
        return new byte[] {(byte) v};
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Sends the frames as one message (blocking until queued). */
    void sendFrames(byte[]... frames) {
        for (int i = 0; i < frames.length; i++) {
            socket.send(frames[i], i < frames.length - 1 ? ZMQ.SNDMORE : 0);
        }
    }

    /** Sends a protocol message: the envelope (signature, version, type), then the body frames. */
    void send(int type, byte[]... body) {
        byte[][] all = new byte[body.length + 1][];
        all[0] = env(type);
        System.arraycopy(body, 0, all, 1, body.length);
        sendFrames(all);
    }

    void register(String id, int capacity, int intervalMs) {
        send(1, text(id), u32(capacity), u32(intervalMs));
        send(4, u32(capacity));
    }

    /** The next message, waiting at most {@code timeoutMs}; null if none came. */
    @Nullable List<byte[]> receive(int timeoutMs) {
        socket.setReceiveTimeOut(timeoutMs);
        byte[] first = socket.recv();
        if (first == null) {
            return null;
        }
        List<byte[]> frames = new ArrayList<>();
        frames.add(first);
        while (socket.hasReceiveMore()) {
            frames.add(socket.recv());
        }
        return frames;
    }

    /** The next message of {@code type}, skipping others, within {@code timeoutMs}; null if none. */
    @Nullable List<byte[]> receiveType(int type, int timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return null;
            }
            List<byte[]> m = receive((int) left);
            if (m == null) {
                return null;
            }
            if (m.get(0).length >= 4 && m.get(0)[3] == type) {
                return m;
            }
        }
    }

    @Override
    public void close() {
        context.close();
    }
}
