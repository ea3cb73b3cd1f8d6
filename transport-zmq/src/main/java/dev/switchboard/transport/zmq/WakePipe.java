package dev.switchboard.transport.zmq;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * An inproc PAIR pipe that wakes a socket thread from any other thread, as {@code ZActor.pipe()}
 * does. The sending end is shared, so it is guarded by this object's lock; a pending flag sends
 * at most one wake-up until the socket thread has taken it, so the lock is rarely contended and a
 * send never finds the pipe full. A stop is a control message too, since socket threads must not
 * be interrupted.
 */
final class WakePipe {

    static final byte WAKE = 'W';
    static final byte STOP = 'S';

    private static final AtomicLong IDS = new AtomicLong();

    private final String address;
    private final ZMQ.Socket sender;
    private final AtomicBoolean pending = new AtomicBoolean();
    private boolean closed;

    WakePipe(ZContext context) {
        this.address = "inproc://switchboard-wake-" + IDS.incrementAndGet();
        this.sender = context.createSocket(SocketType.PAIR);
        this.sender.setLinger(0);
        this.sender.connect(address);
    }

    /** Creates the receiving end; call on the socket thread. */
    ZMQ.Socket bindReceiver(ZContext context) {
        ZMQ.Socket receiver = context.createSocket(SocketType.PAIR);
        receiver.setLinger(0);
        receiver.bind(address);
        return receiver;
    }

    /** Wakes the socket thread, unless a wake-up is already pending. Never blocks. */
    void wake() {
        if (pending.compareAndSet(false, true)) {
            send(WAKE);
        }
    }

    /** Tells the socket thread to stop. */
    void stop() {
        send(STOP);
    }

    /**
     * The socket thread took the pending wake-up: call before draining the queue, so that work
     * queued after the drain started wakes it again.
     */
    void clearPending() {
        pending.set(false);
    }

    private synchronized void send(byte signal) {
        if (!closed) {
            sender.send(new byte[] {signal}, ZMQ.DONTWAIT);
        }
    }

    /** Reads every waiting signal from {@code receiver}; returns whether a stop was among them. */
    static boolean drain(ZMQ.Socket receiver) {
        boolean stop = false;
        byte[] b;
        while ((b = receiver.recv(ZMQ.DONTWAIT)) != null) {
            if (b.length == 1 && b[0] == STOP) {
                stop = true;
            }
        }
        return stop;
    }

    /** Closes the sending end. */
    synchronized void close() {
        if (!closed) {
            closed = true;
            sender.close();
        }
    }
}
