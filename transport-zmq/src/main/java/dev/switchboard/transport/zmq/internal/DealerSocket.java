package dev.switchboard.transport.zmq.internal;

import dev.switchboard.transport.zmq.CurveKeyPair;
import dev.switchboard.transport.zmq.ZmqWorkerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * A worker's DEALER socket to one gateway: its options, connecting and reconnecting, reading a
 * message, the non-blocking sends, and the outbox of RESPONSE records sent as one frame at the end
 * of a round. It owns the socket and the outbox (what cannot be sent is counted in
 * {@code dropped}); it must not decide what a message means, track requests or registration, nor
 * be used from any thread but the worker agent's I/O thread.
 */
final class DealerSocket {

    /** Longest ZMTP handshake before the connection is dropped and retried, in milliseconds. */
    static final int HANDSHAKE_IVL_MS = 500;
    /** First wait before the DEALER reconnects to a gateway it lost, in milliseconds (ZMQ_RECONNECT_IVL). */
    static final int RECONNECT_IVL_MS = 100;
    /** Longest wait between reconnect attempts, in milliseconds (ZMQ_RECONNECT_IVL_MAX): a restarted gateway is found within it. */
    static final int RECONNECT_IVL_MAX_MS = 500;
    /** How long a replaced connection may still deliver its last DISCONNECT, in milliseconds. */
    private static final int RECONNECT_LINGER_MS = 100;

    private final ZContext context;
    private final ZmqWorkerSpec spec;
    private final String endpoint;
    private final LoopRunner wake;
    private final LongAdder dropped;
    /** RESPONSEs of this round, sent together as one frame when the round ends. */
    private final Batch outbox = new Batch(Protocol.RESPONSE);
    private ZMQ.@Nullable Socket dealer;

    DealerSocket(ZContext context, ZmqWorkerSpec spec, String endpoint, LoopRunner wake, LongAdder dropped) {
        this.context = context;
        this.spec = spec;
        this.endpoint = endpoint;
        this.wake = wake;
        this.dropped = dropped;
    }

    boolean isOpen() {
        return dealer != null;
    }

    /** Creates the DEALER socket, connects it to the gateway and lets the runner watch it. */
    void open() {
        ZMQ.Socket d = context.createSocket(SocketType.DEALER);
        d.setLinger(0);
        // a message to a gateway that is not connected is dropped, not queued for a later one
        d.setImmediate(true);
        // JeroMQ 0.6.0 sometimes stalls a fresh connection's handshake until a timer wakes its
        // I/O thread; a short handshake deadline makes it reconnect instead of waiting 30 s
        d.setHandshakeIvl(HANDSHAKE_IVL_MS);
        d.setReconnectIVL(RECONNECT_IVL_MS);
        d.setReconnectIVLMax(RECONNECT_IVL_MAX_MS);
        d.setMaxMsgSize(spec.maxMessageBytes());
        if (spec.curveKeys().isPresent() && spec.curveServerKey().isPresent()) {
            CurveKeyPair keys = spec.curveKeys().get();
            d.setCurveServerKey(ZMQ.Curve.z85Decode(spec.curveServerKey().get()));
            d.setCurvePublicKey(ZMQ.Curve.z85Decode(keys.publicKey()));
            d.setCurveSecretKey(ZMQ.Curve.z85Decode(keys.secretKey()));
        }
        d.connect(endpoint);
        dealer = d;
        wake.watch(d);
    }

    /**
     * Replaces the connection with a fresh one. Whatever the gateway queued for the old
     * registration (requests sent before it declared this worker dead) is dropped with the old
     * socket instead of being served after the new READY, where it would take the slots that the
     * new registration's credits promised to the gateway.
     */
    void reconnect() {
        ZMQ.Socket d = socket();
        // responses to the old registration: the gateway has failed those requests already
        outbox.clear();
        wake.unwatch(d);
        // long enough for the DISCONNECT just queued to leave; closing never blocks this thread
        d.setLinger(RECONNECT_LINGER_MS);
        // close() (unlike ZContext.destroySocket) keeps that linger, and leaves the context's list
        d.close();
        open();
    }

    /** Stops watching and destroys the socket, if it was opened. */
    void close() {
        ZMQ.Socket d = dealer;
        if (d != null) {
            wake.unwatch(d);
            context.destroySocket(d);
        }
    }

    private ZMQ.Socket socket() {
        ZMQ.Socket d = dealer;
        if (d == null) {
            throw new IllegalStateException("the DEALER socket is not open");
        }
        return d;
    }

    /**
     * Reads one message without waiting.
     *
     * @param fits set to false when the message had more than {@link Protocol#MAX_FRAMES} frames
     * @return its frames, or null when none was waiting
     */
    @Nullable List<byte[]> receive(boolean[] fits) {
        ZMQ.Socket d = socket();
        byte[] first = d.recv(ZMQ.DONTWAIT);
        if (first == null) {
            return null;
        }
        List<byte[]> frames = new ArrayList<>(10);
        frames.add(first);
        fits[0] = Protocol.readRest(d, frames);
        return frames;
    }

    /** Sends a message of {@code type} after this round's RESPONSEs; false (counted) when it cannot go. */
    boolean send(byte type, byte[]... body) {
        // RESPONSEs of this round go first, in order
        sendOutbox();
        ZMQ.Socket d = socket();
        try {
            if (!d.send(Protocol.envelope(type), (body.length > 0 ? ZMQ.SNDMORE : 0) | ZMQ.DONTWAIT)) {
                dropped.increment();
                return false;
            }
            for (int i = 0; i < body.length; i++) {
                d.send(body[i], (i < body.length - 1 ? ZMQ.SNDMORE : 0) | ZMQ.DONTWAIT);
            }
            return true;
        } catch (ZMQException e) {
            dropped.increment();
            return false;
        }
    }

    /**
     * Puts a RESPONSE in the outbox. The outbox goes out as one frame at the end of the round
     * (or when it is full): the responses to the requests of one batch travel back together,
     * which spares the I/O threads a wake-up, a system call and a ZeroMQ frame per response.
     */
    void sendFrame(byte[] standalone) {
        makeRoom(standalone.length);
        outbox.add(standalone);
        sendIfFull();
    }

    /** Puts a DATA record in the outbox, as {@link #sendFrame} does. */
    void sendData(DataRecord record) {
        makeRoom(4 + record.size());
        outbox.add(record);
        sendIfFull();
    }

    /** Sends the outbox first if a record of {@code bytes} would take it past its limit. */
    private void makeRoom(int bytes) {
        if (outbox.count() > 0 && outbox.bytes() + bytes > GatewayAgent.MAX_OUTBOX_BYTES) {
            // a large item goes in a frame of its own, within the gateway's message limit
            sendOutbox();
        }
    }

    private void sendIfFull() {
        if (outbox.count() >= GatewayAgent.MAX_OUTBOX_RECORDS || outbox.bytes() >= GatewayAgent.MAX_OUTBOX_BYTES) {
            sendOutbox();
        }
    }

    /** Sends the outbox as one RESPONSE frame; what cannot be sent is counted as dropped. */
    void sendOutbox() {
        int n = outbox.count();
        if (n == 0) {
            return;
        }
        try {
            if (!socket().send(outbox.take(), ZMQ.DONTWAIT)) {
                dropped.add(n);
            }
        } catch (ZMQException e) {
            dropped.add(n);
        }
    }
}
