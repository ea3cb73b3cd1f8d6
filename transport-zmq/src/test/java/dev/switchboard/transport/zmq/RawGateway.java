package dev.switchboard.transport.zmq;

import dev.switchboard.transport.zmq.internal.Protocol;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A hand-driven ROUTER that plays a gateway for one worker, owned by the test thread: it
 * acknowledges READY and sends whatever REQUEST records a test makes, valid or not.
 */
final class RawGateway implements AutoCloseable {

    private final ZContext context = new ZContext(1);
    private final ZMQ.Socket socket;
    private final String endpoint;
    private byte @Nullable [] route;

    RawGateway() {
        socket = context.createSocket(SocketType.ROUTER);
        socket.setLinger(0);
        socket.bind("tcp://127.0.0.1:*");
        endpoint = socket.getLastEndpoint();
    }

    String endpoint() {
        return endpoint;
    }

    /** Waits for the worker's READY and acknowledges it with a HEARTBEAT. */
    void acceptReady(int timeoutMs) {
        List<byte[]> m = receiveType(Protocol.READY, timeoutMs);
        if (m == null) {
            throw new AssertionError("no READY within " + timeoutMs + " ms");
        }
        send(Protocol.HEARTBEAT, RawPeer.u32(60_000));
    }

    /** Sends one REQUEST frame holding {@code records}, each after its length. */
    void sendRequests(byte[]... records) {
        int size = Protocol.ENVELOPE;
        for (byte[] r : records) {
            size += 4 + r.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).put(RawPeer.env(Protocol.REQUEST));
        for (byte[] r : records) {
            b.putInt(r.length).put(r);
        }
        socket.send(route, ZMQ.SNDMORE);
        socket.send(b.array(), 0);
    }

    void send(byte type, byte[]... body) {
        socket.send(route, ZMQ.SNDMORE);
        socket.send(RawPeer.env(type), body.length > 0 ? ZMQ.SNDMORE : 0);
        for (int i = 0; i < body.length; i++) {
            socket.send(body[i], i < body.length - 1 ? ZMQ.SNDMORE : 0);
        }
    }

    /** A REQUEST record, as the gateway packs it, with the key and session as raw bytes. */
    static byte[] record(long tag, byte[] key, byte[] session, String body) {
        byte[] id = RawPeer.text("1");
        byte[] data = RawPeer.text(body);
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + 1 + 2 + key.length + 2 + session.length + 1 + 2 + id.length + 1
                + data.length);
        b.putLong(tag).putInt(4).put((byte) 0);
        b.putShort((short) key.length).put(key);
        b.putShort((short) session.length).put(session);
        b.put(Protocol.ID_NUMBER).putShort((short) id.length).put(id);
        b.put(Protocol.PAYLOAD_JSON).put(data);
        return b.array();
    }

    /** The next message of {@code type} (without the routing id), within {@code timeoutMs}; null if none. */
    @Nullable List<byte[]> receiveType(int type, int timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return null;
            }
            socket.setReceiveTimeOut((int) left);
            byte[] r = socket.recv();
            if (r == null) {
                return null;
            }
            route = r;
            List<byte[]> frames = new ArrayList<>();
            while (socket.hasReceiveMore()) {
                frames.add(socket.recv());
            }
            if (!frames.isEmpty() && frames.get(0).length >= 4 && frames.get(0)[3] == type) {
                return frames;
            }
        }
    }

    /** The next message of any type (without the routing id), within {@code timeoutMs}; null if none. */
    @Nullable List<byte[]> receiveAny(int timeoutMs) {
        socket.setReceiveTimeOut(timeoutMs);
        byte[] r = socket.recv();
        if (r == null) {
            return null;
        }
        route = r;
        List<byte[]> frames = new ArrayList<>();
        while (socket.hasReceiveMore()) {
            frames.add(socket.recv());
        }
        return frames;
    }

    @Override
    public void close() {
        context.close();
    }
}
