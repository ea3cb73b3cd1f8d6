package dev.switchboard.core.test;

import dev.switchboard.core.CloseStatus;
import dev.switchboard.core.Payload;
import dev.switchboard.core.transport.Connection;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * An in-JVM {@link Connection} for tests, with the client's side in the test's hands: frames the
 * client sends wait in a client-side buffer until the relay requests them (as bytes wait in a TCP
 * send buffer), and the client reads response frames only as fast as the test lets it.
 */
public final class LocalConnection implements Connection {

    private final Sinks.Many<Payload> inbound = Sinks.many().unicast().onBackpressureBuffer();
    private final Sinks.One<CloseStatus> closed = Sinks.one();
    private final AtomicLong requestedFrames = new AtomicLong();
    // appended to by the relay's thread, read by the test's: a copy-on-write list would cost O(n) per frame
    private final List<Payload> received = new ArrayList<>();
    private final Sinks.Many<Payload> arrivals = Sinks.many().replay().all();
    private final AtomicReference<@Nullable CloseStatus> closeStatus = new AtomicReference<>();
    private final AtomicReference<@Nullable Subscription> outbound = new AtomicReference<>();
    private final Map<String, String> attributes;
    private final @Nullable String principal;
    private volatile boolean autoRead;

    private LocalConnection(boolean autoRead, Map<String, String> attributes, @Nullable String principal) {
        this.autoRead = autoRead;
        this.attributes = attributes;
        this.principal = principal;
    }

    /** A connection whose client reads every response at once. */
    public static LocalConnection reading() {
        return new LocalConnection(true, Map.of(), null);
    }

    /** A connection whose client reads nothing until {@link #read(long)}. */
    public static LocalConnection notReading() {
        return new LocalConnection(false, Map.of(), null);
    }

    /** A reading connection with a principal and handshake attributes. */
    public static LocalConnection reading(@Nullable String principal, Map<String, String> attributes) {
        return new LocalConnection(true, Map.copyOf(attributes), principal);
    }

    // ---- the client's side

    /** The client sends a frame. */
    public void send(Payload frame) {
        Sinks.EmitResult r = inbound.tryEmitNext(frame);
        if (r.isFailure() && r != Sinks.EmitResult.FAIL_CANCELLED && r != Sinks.EmitResult.FAIL_TERMINATED) {
            throw new IllegalStateException("client send failed: " + r);
        }
    }

    /** The client sends a text frame. */
    public void sendText(String text) {
        send(Payload.text(text));
    }

    /** The client reads {@code n} more frames (or starts reading everything, for Long.MAX_VALUE). */
    public void read(long n) {
        if (n == Long.MAX_VALUE) {
            autoRead = true;
        }
        Subscription s = outbound.get();
        if (s != null) {
            s.request(n);
        }
    }

    /** The client goes away without a close handshake. */
    public void vanish() {
        inbound.tryEmitComplete();
        closed.tryEmitValue(new CloseStatus(1001, "vanished"));
    }

    /** A snapshot of the frames the client has received so far, in order. */
    public List<Payload> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /**
     * The frames the client receives, from the first on, as they arrive; completes when the relay
     * ends the session's frames.
     */
    public Flux<Payload> frames() {
        return arrivals.asFlux();
    }

    /** How many frames the client has received so far. */
    public int receivedCount() {
        synchronized (received) {
            return received.size();
        }
    }

    /** Frames the relay has requested from the client so far. */
    public long requestedFrames() {
        return requestedFrames.get();
    }

    /** The status the relay closed with, if it did. */
    public Optional<CloseStatus> closeStatus() {
        return Optional.ofNullable(closeStatus.get());
    }

    // ---- the relay's side

    @Override
    public Flux<Payload> receive() {
        return inbound.asFlux().doOnRequest(n -> requestedFrames.addAndGet(n));
    }

    @Override
    public Mono<Void> send(Publisher<Payload> frames) {
        return Mono.create(sink -> frames.subscribe(new BaseSubscriber<Payload>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                outbound.set(s);
                if (autoRead) {
                    s.request(Long.MAX_VALUE);
                }
            }

            @Override
            protected void hookOnNext(Payload f) {
                synchronized (received) {
                    received.add(f);
                }
                arrivals.tryEmitNext(f);
            }

            @Override
            protected void hookOnComplete() {
                arrivals.tryEmitComplete();
                sink.success();
            }

            @Override
            protected void hookOnError(Throwable t) {
                sink.error(t);
            }
        }));
    }

    @Override
    public Mono<Void> close(CloseStatus status) {
        return Mono.fromRunnable(() -> {
            closeStatus.compareAndSet(null, status);
            inbound.tryEmitComplete();
            closed.tryEmitValue(status);
        });
    }

    @Override
    public Mono<CloseStatus> onClose() {
        return closed.asMono();
    }

    @Override
    public Optional<SocketAddress> remoteAddress() {
        return Optional.empty();
    }

    @Override
    public Map<String, String> attributes() {
        return attributes;
    }

    @Override
    public Optional<String> principal() {
        return Optional.ofNullable(principal);
    }
}
