package dev.switchboard.benchmarks;

import dev.switchboard.core.CloseStatus;
import dev.switchboard.core.Payload;
import dev.switchboard.core.transport.Connection;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * An in-JVM client {@link Connection} for the JMH benchmarks: its client sends pre-built frames as
 * fast as the relay reads them, up to a budget the benchmark thread hands out, and counts the
 * answers the relay sends back; an error answer (the default codec's {@code "error"} object, or
 * anything that does not end its request) is counted apart and fails {@link #exchange}, never
 * counted as an answer.
 */
final class BenchConnection implements Connection, Subscription {

    /** How long {@link #exchange} waits without an answer before it gives up. */
    static final long MAX_SILENCE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final AtomicIntegerFieldUpdater<BenchConnection> WIP =
            AtomicIntegerFieldUpdater.newUpdater(BenchConnection.class, "wip");
    /** How a successful single-item answer of the default codec ends. */
    private static final byte[] END = ",\"end\":true}".getBytes(StandardCharsets.US_ASCII);

    private final Payload[] frames;
    private final boolean park;
    private final AtomicLong answers = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final Sinks.One<CloseStatus> closed = Sinks.one();
    private volatile int wip;
    private volatile long relayDemand;
    private volatile long budget;
    private volatile long target = Long.MAX_VALUE;
    private volatile @Nullable Thread waiter;
    private long sent;
    private @Nullable Subscriber<? super Payload> inbound;

    /**
     * @param frames the request frames, sent in turn
     * @param park   whether {@link #exchange} parks its thread until the answers are in (leaving
     *               the core to the relay) rather than spinning
     */
    BenchConnection(Payload[] frames, boolean park) {
        this.frames = frames;
        this.park = park;
    }

    /**
     * Text request frames {@code {"id":i,"key":...,"body":"xx…"}} of the default codec, ids 0 to
     * {@code n − 1}, a JSON string body of {@code bodyBytes} bytes (quotes included), keys
     * {@code key-(i mod keys)}.
     */
    static Payload[] requestFrames(int n, int bodyBytes, int keys) {
        String body = "\"" + "x".repeat(bodyBytes - 2) + "\"";
        Payload[] out = new Payload[n];
        for (int i = 0; i < n; i++) {
            out[i] = Payload.text("{\"id\":" + i + ",\"key\":\"key-" + (i % keys) + "\",\"body\":" + body + "}");
        }
        return out;
    }

    /**
     * Sends {@code n} requests and returns once their {@code n} answers arrived.
     *
     * @throws IllegalStateException on an error answer, or when no answer came for
     *                               {@link #MAX_SILENCE_NANOS}
     */
    long exchange(int n) {
        long goal = answers.get() + n;
        if (park) {
            waiter = Thread.currentThread();
            target = goal;
        }
        synchronized (this) {
            budget += n;
        }
        emit();
        long seen = answers.get();
        long since = System.nanoTime();
        while (seen < goal) {
            if (errors.get() > 0) {
                throw new IllegalStateException(errors.get() + " error answers");
            }
            if (park) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
            } else {
                Thread.onSpinWait();
            }
            long now = answers.get();
            if (now != seen) {
                seen = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > MAX_SILENCE_NANOS) {
                throw new IllegalStateException("no answer for 10 s, " + (goal - now) + " missing");
            }
        }
        target = Long.MAX_VALUE;
        return goal;
    }

    long errors() {
        return errors.get();
    }

    @Override
    public Flux<Payload> receive() {
        return Flux.from(s -> {
            inbound = s;
            s.onSubscribe(this);
        });
    }

    @Override
    public void request(long n) {
        synchronized (this) {
            relayDemand += n;
        }
        emit();
    }

    @Override
    public void cancel() {
        closed.tryEmitValue(CloseStatus.GOING_AWAY);
    }

    private void emit() {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            Subscriber<? super Payload> s = inbound;
            for (;;) {
                synchronized (this) {
                    if (s == null || relayDemand == 0 || budget == 0) {
                        break;
                    }
                    relayDemand--;
                    budget--;
                }
                s.onNext(frames[(int) (sent++ % frames.length)]);
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private void answered(Payload frame) {
        if (!endsRequest(frame)) {
            errors.incrementAndGet();
            LockSupport.unpark(waiter);
            return;
        }
        if (answers.incrementAndGet() >= target) {
            LockSupport.unpark(waiter);
        }
    }

    /** Whether {@code frame} is a text answer of the default codec that ends its request. */
    static boolean endsRequest(Payload frame) {
        if (frame.isBinary() || frame.size() < END.length) {
            return false;
        }
        ByteBuffer data = frame.data();
        int from = data.limit() - END.length;
        for (int i = 0; i < END.length; i++) {
            if (data.get(from + i) != END[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Mono<Void> send(Publisher<Payload> out) {
        return Mono.create(sink -> out.subscribe(new Subscriber<Payload>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Payload frame) {
                answered(frame);
            }

            @Override
            public void onError(Throwable t) {
                sink.error(t);
            }

            @Override
            public void onComplete() {
                sink.success();
            }
        }));
    }

    @Override
    public Mono<Void> close(CloseStatus status) {
        return Mono.fromRunnable(() -> closed.tryEmitValue(status));
    }

    @Override
    public Mono<CloseStatus> onClose() {
        return closed.asMono();
    }

    @Override
    public Optional<SocketAddress> remoteAddress() {
        return Optional.empty();
    }
}
