package dev.switchboard.transport.zmq.internal;

import dev.switchboard.transport.zmq.ZmqGatewaySpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The gateway's ROUTER socket, from bind to close: its options, receiving a message's frames,
 * sending without ever blocking (an answer says sent, full or gone), and the bounded wait for
 * JeroMQ to release the endpoint after close. It owns the socket and nothing else: it knows no
 * worker, credit or request (that is {@link GatewayAgent}'s), and every method but
 * {@link #awaitClosed} runs on the agent's I/O thread.
 */
final class RouterSocket {

    private static final Logger log = LoggerFactory.getLogger(RouterSocket.class);
    /** Longest ZMTP handshake a peer gets before it is dropped, in milliseconds (ZMQ_HANDSHAKE_IVL). */
    static final int HANDSHAKE_IVL_MS = 5_000;
    /** The longest a disposal waits for JeroMQ to close the listening socket. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    private static final AtomicLong CLOSE_MONITORS = new AtomicLong();

    private final ZContext context;
    private volatile String endpoint = "";
    /** The closed ROUTER's monitor, which reports when its listener is gone; see {@link #awaitClosed}. */
    private volatile ZMQ.@Nullable Socket closeEvents;
    // I/O thread only
    private ZMQ.@Nullable Socket router;

    RouterSocket(ZContext context) {
        this.context = context;
    }

    /** Creates and binds the socket as {@code spec} says; returns it, for the runner to watch. */
    ZMQ.Socket open(ZmqGatewaySpec spec) {
        ZMQ.Socket r = context.createSocket(SocketType.ROUTER);
        router = r;
        r.setLinger(0);
        r.setRouterMandatory(true);
        r.setMaxMsgSize(spec.maxMessageBytes());
        // a peer that does not finish its handshake is dropped
        r.setHandshakeIvl(HANDSHAKE_IVL_MS);
        spec.curveKeys().ifPresent(keys -> {
            r.setZAPDomain("switchboard");
            r.setCurveServer(true);
            r.setCurveSecretKey(ZMQ.Curve.z85Decode(keys.secretKey()));
        });
        r.bind(spec.endpoint());
        endpoint = r.getLastEndpoint();
        return r;
    }

    /** The socket while it is open, else null. */
    ZMQ.@Nullable Socket socket() {
        return router;
    }

    String endpoint() {
        return endpoint;
    }

    /**
     * Receives one message: its routing id, or null when none was waiting; its other frames go
     * to {@code frames}, and false in {@code fits[0]} says it had more than {@link Protocol#MAX_FRAMES}.
     */
    byte @Nullable [] receive(List<byte[]> frames, boolean[] fits) {
        byte[] route = router.recv(ZMQ.DONTWAIT);
        if (route != null) {
            fits[0] = Protocol.readRest(router, frames);
        }
        return route;
    }

    /** Sends one message: 1 sent, 0 the peer's queue is full, -1 the peer is gone. */
    int send(byte[] route, byte type, byte[]... body) {
        try {
            if (!router.send(route, ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
                return 0;
            }
            router.send(Protocol.envelope(type), (body.length > 0 ? ZMQ.SNDMORE : 0) | ZMQ.DONTWAIT);
            for (int i = 0; i < body.length; i++) {
                router.send(body[i], (i < body.length - 1 ? ZMQ.SNDMORE : 0) | ZMQ.DONTWAIT);
            }
            return 1;
        } catch (ZMQException e) {
            return -1;
        }
    }

    /** Sends a message that is one frame (a REQUEST batch): as {@link #send(byte[], byte, byte[]...)}. */
    int sendFrame(byte[] route, byte[] frame) {
        try {
            if (!router.send(route, ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
                return 0;
            }
            router.send(frame, ZMQ.DONTWAIT);
            return 1;
        } catch (ZMQException e) {
            return -1;
        }
    }

    /**
     * Closes the socket, first giving it a monitor that reports when JeroMQ has closed its
     * listener (only once the socket and everything it owned are gone). The wait for that
     * report, {@link #awaitClosed}, runs off the I/O thread, which does the closing.
     */
    void close() {
        ZMQ.Socket r = router;
        if (r == null) {
            return;
        }
        router = null;
        String address = "inproc://switchboard-gateway-closed-" + CLOSE_MONITORS.incrementAndGet();
        ZMQ.Socket events = null;
        if (r.monitor(address, ZMQ.EVENT_MONITOR_STOPPED)) {
            events = context.createSocket(SocketType.PAIR);
            events.setLinger(0);
            events.setReceiveTimeOut((int) CLOSE_WAIT.toMillis());
            events.connect(address);
        }
        context.destroySocket(r);
        closeEvents = events;
    }

    /**
     * Waits, bounded, until JeroMQ has closed the listener, so that the endpoint can be bound
     * again once the gateway is disposed (the context, shared with other sockets of the process,
     * stays open, and closing a socket returns before its listener is closed). Blocks: call
     * after the agent closed, never on the I/O thread.
     */
    void awaitClosed() {
        ZMQ.Socket events = closeEvents;
        closeEvents = null;
        if (events != null) {
            try {
                if (ZMQ.Event.recv(events) == null) {
                    log.warn("the gateway socket did not finish closing within {}; {} may stay bound a little longer",
                            CLOSE_WAIT, endpoint);
                }
            } catch (ZMQException e) {
                log.warn("waiting for the gateway socket to close failed: {}", e.getMessage());
            } finally {
                context.destroySocket(events);
            }
        }
    }
}
