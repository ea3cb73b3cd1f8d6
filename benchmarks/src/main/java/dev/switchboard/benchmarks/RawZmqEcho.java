package dev.switchboard.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The raw JeroMQ baselines of {@link ZmqRelayBenchmark}: a ROUTER on the benchmark thread and a
 * DEALER echoing on a thread of its own, over TCP on loopback, both in one context (one JeroMQ
 * I/O thread, as the relay's gateway and worker share one in a process); stopped by a control
 * message.
 *
 * <p>{@linkplain #batched(byte[]) Batched}, it packs as protocol 3 does: at the end of a round (a
 * blocking receive, then every message already there) each side sends what it has to answer or
 * to send as one frame of {@code u32}-length records behind a 4-byte header, at most
 * {@value #MAX_BATCH_RECORDS} records or {@value #MAX_BATCH_BYTES} bytes a frame (a larger record
 * travels alone), and the echo answers a batch with a batch, record by record.
 * {@linkplain #unbatched(byte[]) Unbatched}, one message per request each way.
 */
final class RawZmqEcho implements AutoCloseable {

    /** Records in one batch frame at most, as protocol 3's senders. */
    static final int MAX_BATCH_RECORDS = 128;
    /** Bytes in one batch frame at most, as protocol 3's senders. */
    static final int MAX_BATCH_BYTES = 256 * 1024;

    private static final byte[] ID = "echo".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STOP = "STOP".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEADER = {'S', 'B', 3, 2};
    private static final int RECORD_PREFIX = 4;

    private final byte[] body;
    private final boolean batched;
    private final ZContext context = new ZContext(1);
    private final ZMQ.Socket router;
    private final Batch requests;
    private final Thread echo;
    private volatile @Nullable Throwable echoFailure;
    private long frames;

    private RawZmqEcho(byte[] body, boolean batched) {
        this.body = body.clone();
        this.batched = batched;
        router = context.createSocket(SocketType.ROUTER);
        router.setRouterMandatory(true);
        router.setLinger(0);
        router.bind("tcp://127.0.0.1:*");
        requests = new Batch(router, ID);
        String endpoint = router.getLastEndpoint();
        echo = new Thread(() -> echo(endpoint), "raw-dealer-echo");
        echo.start();
        while (true) {
            try {
                router.send(ID, ZMQ.SNDMORE);
                router.send(new byte[0]);
                break;
            } catch (ZMQException e) {
                // the DEALER is not connected yet
                Thread.onSpinWait();
            }
        }
        router.recv();
        router.recv();
    }

    /** Requests and answers packed into batches, as the relay packs them. */
    static RawZmqEcho batched(byte[] body) {
        return new RawZmqEcho(body, true);
    }

    /** One message per request and per answer. */
    static RawZmqEcho unbatched(byte[] body) {
        return new RawZmqEcho(body, false);
    }

    /** Request frames the ROUTER received so far (answers, batched or not). */
    long framesReceived() {
        return frames;
    }

    /**
     * {@code count} round trips with {@code window} requests in flight; returns the answers'
     * body bytes.
     */
    long roundTrips(int count, int window) {
        return batched ? batchedRoundTrips(count, window) : unbatchedRoundTrips(count, window);
    }

    private long unbatchedRoundTrips(int count, int window) {
        int sent = 0;
        int received = 0;
        while (sent < Math.min(window, count)) {
            router.send(ID, ZMQ.SNDMORE);
            router.send(body.clone());
            sent++;
        }
        long bytes = 0;
        while (received < count) {
            router.recv();
            bytes += router.recv().length;
            frames++;
            received++;
            if (sent < count) {
                router.send(ID, ZMQ.SNDMORE);
                router.send(body.clone());
                sent++;
            }
        }
        return bytes;
    }

    private long batchedRoundTrips(int count, int window) {
        int sent = Math.min(window, count);
        for (int i = 0; i < sent; i++) {
            requests.add(body, 0, body.length);
        }
        requests.flush();
        int received = 0;
        long bytes = 0;
        while (received < count) {
            int answered = 0;
            byte[] frame = receive(0);
            while (frame != null) {
                frames++;
                int at = HEADER.length;
                while (at < frame.length) {
                    int n = recordLength(frame, at);
                    bytes += n;
                    answered++;
                    at += RECORD_PREFIX + n;
                }
                frame = receive(ZMQ.DONTWAIT);
            }
            received += answered;
            int more = Math.min(answered, count - sent);
            for (int i = 0; i < more; i++) {
                requests.add(body, 0, body.length);
            }
            sent += more;
            requests.flush();
            checkEcho();
        }
        return bytes;
    }

    /** The next answer frame, without the routing id; null when none is there (DONTWAIT). */
    private byte @Nullable [] receive(int flags) {
        byte[] id = router.recv(flags);
        if (id == null) {
            return null;
        }
        return router.recv();
    }

    private void echo(String endpoint) {
        ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
        try {
            dealer.setIdentity(ID);
            dealer.setLinger(0);
            dealer.connect(endpoint);
            Batch answers = new Batch(dealer, null);
            while (true) {
                byte[] m = dealer.recv();
                while (m != null) {
                    if (Arrays.equals(m, STOP)) {
                        return;
                    }
                    if (!batched || m.length == 0) {
                        dealer.send(m);
                    } else {
                        int at = HEADER.length;
                        while (at < m.length) {
                            int n = recordLength(m, at);
                            answers.add(m, at + RECORD_PREFIX, n);
                            at += RECORD_PREFIX + n;
                        }
                    }
                    m = batched ? dealer.recv(ZMQ.DONTWAIT) : null;
                }
                answers.flush();
            }
        } catch (Throwable e) {
            echoFailure = e;
        } finally {
            context.destroySocket(dealer);
        }
    }

    /** The length of the record at {@code at}, checked against the frame and the batch bound. */
    private static int recordLength(byte[] frame, int at) {
        if (at + RECORD_PREFIX > frame.length) {
            throw new IllegalStateException("a record header past the frame's " + frame.length + " bytes");
        }
        int n = ByteBuffer.wrap(frame, at, RECORD_PREFIX).getInt();
        if (n < 0 || n > frame.length - at - RECORD_PREFIX) {
            throw new IllegalStateException("a record of " + n + " bytes in a frame of " + frame.length);
        }
        return n;
    }

    private void checkEcho() {
        Throwable e = echoFailure;
        if (e != null) {
            throw new IllegalStateException("the echo thread failed", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        router.send(ID, ZMQ.SNDMORE);
        router.send(STOP);
        echo.join(10_000);
        context.close();
    }

    /**
     * Records written into one frame until a bound or the end of a round sends it; a frame of
     * its own each time (JeroMQ keeps the array until its I/O thread has written it).
     */
    private static final class Batch {
        private final ZMQ.Socket socket;
        private final byte @Nullable [] routingId;
        private final byte[] scratch = new byte[MAX_BATCH_BYTES];
        private int length = HEADER.length;
        private int records;

        Batch(ZMQ.Socket socket, byte @Nullable [] routingId) {
            this.socket = socket;
            this.routingId = routingId;
            System.arraycopy(HEADER, 0, scratch, 0, HEADER.length);
        }

        void add(byte[] src, int offset, int n) {
            int size = RECORD_PREFIX + n;
            if (records == MAX_BATCH_RECORDS || records > 0 && length + size > MAX_BATCH_BYTES) {
                flush();
            }
            if (HEADER.length + size > MAX_BATCH_BYTES) {
                // a record over the bound travels alone
                byte[] alone = new byte[HEADER.length + size];
                System.arraycopy(HEADER, 0, alone, 0, HEADER.length);
                ByteBuffer.wrap(alone, HEADER.length, RECORD_PREFIX).putInt(n);
                System.arraycopy(src, offset, alone, HEADER.length + RECORD_PREFIX, n);
                send(alone);
                return;
            }
            ByteBuffer.wrap(scratch, length, RECORD_PREFIX).putInt(n);
            System.arraycopy(src, offset, scratch, length + RECORD_PREFIX, n);
            length += size;
            records++;
        }

        void flush() {
            if (records == 0) {
                return;
            }
            send(Arrays.copyOf(scratch, length));
            length = HEADER.length;
            records = 0;
        }

        private void send(byte[] frame) {
            if (routingId != null) {
                socket.send(routingId, ZMQ.SNDMORE);
            }
            socket.send(frame);
        }
    }
}
