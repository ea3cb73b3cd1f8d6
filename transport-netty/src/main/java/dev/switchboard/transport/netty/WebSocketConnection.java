package dev.switchboard.transport.netty;

import dev.switchboard.core.CloseStatus;
import dev.switchboard.core.Payload;
import dev.switchboard.core.transport.Connection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * One WebSocket as a core {@link Connection}.
 *
 * <p>Inbound: the relay's demand is forwarded to Reactor Netty's frame flux one for one, so the
 * socket is read only while the relay wants frames; each data frame is checked (size, UTF-8),
 * copied into a core {@link Payload} (Reactor Netty releases the buffer when the call returns). Pings and pongs are consumed here, each
 * replaced by a request for one more frame, so they never count against the relay's demand.
 * Cancelling the inbound never reaches Reactor Netty (which would send an empty close frame):
 * it stops the reads, and {@link #close} ends the socket.
 *
 * <p>Outbound: core frames are wrapped (core's arrays are immutable) and written by Reactor
 * Netty's {@code sendObject}, which writes only while the channel is writable and requests more
 * only as writes complete: besides the relay's own bounded queue, a session holds at most that
 * operator's prefetch (Reactor's small buffer size, 256 frames, as heap wrappers) plus Netty's
 * outbound buffer up to its high-water mark.
 *
 * <p>Keep-alive and idle timers run on the channel's event loop; their state is confined to it.
 */
final class WebSocketConnection implements Connection {

    private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);

    static final CloseStatus NO_PONG = CloseStatus.POLICY_VIOLATION.withReason("no pong");
    static final CloseStatus IDLE = CloseStatus.NORMAL.withReason("idle");
    static final CloseStatus ABNORMAL = new CloseStatus(1006, "abnormal closure");

    private final WebsocketInbound in;
    private final WebsocketOutbound out;
    private final Channel channel;
    private final WebSocketRelaySpec spec;
    private final int maxPayload;
    private final @Nullable String principal;
    private final Map<String, String> attributes;
    private final @Nullable SocketAddress remote;

    private final AtomicReference<@Nullable CloseStatus> closeStatus = new AtomicReference<>();
    private final Sinks.One<CloseStatus> closed = Sinks.one();
    private final Sinks.Empty<Void> sendDone = Sinks.empty();
    private final AtomicBoolean sendStarted = new AtomicBoolean();
    private final Inbound inbound = new Inbound();
    private volatile long lastDataNanos;

    // confined to the event loop
    private boolean awaitingPong;
    private long pingSentNanos;
    private long pingCount;
    private @Nullable ScheduledFuture<?> keepAliveTask;
    private @Nullable ScheduledFuture<?> idleTask;
    private @Nullable ScheduledFuture<?> forceCloseTask;

    WebSocketConnection(WebsocketInbound in, WebsocketOutbound out, WebSocketRelaySpec spec,
                        @Nullable String principal, Map<String, String> attributes, @Nullable SocketAddress remote) {
        this.in = in;
        this.out = out;
        this.spec = spec;
        this.maxPayload = spec.maxFramePayloadBytes();
        this.principal = principal;
        this.attributes = Map.copyOf(attributes);
        this.remote = remote;
        Channel[] ch = new Channel[1];
        in.withConnection(c -> ch[0] = c.channel());
        this.channel = java.util.Objects.requireNonNull(ch[0], "channel");
        this.lastDataNanos = System.nanoTime();
        // a fragmented message is aggregated up to the limit; a longer one fails with TooLongFrameException
        in.aggregateFrames(maxPayload);
        in.receiveCloseStatus().subscribe(s -> closeStatus.compareAndSet(null, toCore(s)), e -> { });
        in.withConnection(c -> c.onDispose(this::onChannelClosed));
        channel.eventLoop().execute(this::startTimers);
    }

    // ---- Connection

    @Override
    public Flux<Payload> receive() {
        return inbound;
    }

    @Override
    public Mono<Void> send(Publisher<Payload> frames) {
        if (!sendStarted.compareAndSet(false, true)) {
            return Mono.error(new IllegalStateException("send may be called once per connection"));
        }
        Flux<WebSocketFrame> wire = Flux.from(frames).map(this::toWire);
        return out.sendObject(wire).then()
                .onErrorResume(e -> channel.isActive() ? Mono.error(e) : Mono.empty())
                .doFinally(s -> sendDone.tryEmitEmpty());
    }

    @Override
    public Mono<Void> close(CloseStatus status) {
        startClose(status, true);
        return closed.asMono().then();
    }

    @Override
    public Mono<CloseStatus> onClose() {
        return closed.asMono();
    }

    @Override
    public Optional<SocketAddress> remoteAddress() {
        return Optional.ofNullable(remote);
    }

    /** The channel's event loop, which reads and writes it. */
    @Override
    public Optional<Executor> executor() {
        return Optional.of(channel.eventLoop());
    }

    @Override
    public Map<String, String> attributes() {
        return attributes;
    }

    @Override
    public Optional<String> principal() {
        return Optional.ofNullable(principal);
    }

    // ---- for the handler

    /** Stops handing frames to the relay (a graceful shutdown began); later frames are dropped. */
    void stopReading() {
        inbound.stop();
    }

    /** Closes with 1001 and ends the relay's session. */
    void goAway() {
        closeAndEnd(CloseStatus.GOING_AWAY);
    }

    // ---- closing

    /** Closes with {@code status} (if nothing closed it before) and completes the relay's inbound. */
    private void closeAndEnd(CloseStatus status) {
        startClose(status, true);
        inbound.end(null);
    }

    /**
     * The first status wins. With {@code sendFrame}, the close frame follows the last frames the
     * relay handed over (waiting at most half the close timeout for them); the socket is closed
     * at most {@link WebSocketRelaySpec#closeTimeout()} from now whatever the peer does.
     */
    private void startClose(CloseStatus status, boolean sendFrame) {
        if (!closeStatus.compareAndSet(null, status)) {
            return;
        }
        if (log.isDebugEnabled()) {
            log.debug("{}: closing with {}", channel, status);
        }
        long timeoutMs = spec.closeTimeout().toMillis();
        channel.eventLoop().execute(() -> {
            if (channel.isActive() && forceCloseTask == null) {
                forceCloseTask = channel.eventLoop().schedule(() -> channel.close(), timeoutMs, TimeUnit.MILLISECONDS);
            }
        });
        if (!sendFrame) {
            return;
        }
        Mono<Void> flushed = sendStarted.get()
                ? sendDone.asMono().timeout(java.time.Duration.ofMillis(Math.max(1, timeoutMs / 2)), Mono.empty())
                : Mono.empty();
        flushed.subscribe(null, e -> sendCloseFrame(status), () -> sendCloseFrame(status));
    }

    /**
     * Sends the close frame from the channel's event loop, and only while the channel is open.
     * Reactor Netty's {@code sendClose} makes the frame, drops the inbound and emits the close
     * status on the calling thread, state it otherwise touches only on the event loop (an unsafe
     * sink, the receive queue); called from a timer thread as the channel closed, its frame was
     * seen neither written nor released (a leak under the paranoid detector).
     */
    private void sendCloseFrame(CloseStatus status) {
        if (!channel.eventLoop().inEventLoop()) {
            try {
                channel.eventLoop().execute(() -> sendCloseFrame(status));
            } catch (RejectedExecutionException e) {
                // the loop is shutting down, and the channel with it: no frame to send
                channel.close();
            }
            return;
        }
        if (!channel.isActive()) {
            return;
        }
        out.sendClose(status.code(), status.reason()).subscribe(null, e -> channel.close());
    }

    private void onChannelClosed() {
        CloseStatus s = closeStatus.get();
        if (s == null) {
            closeStatus.compareAndSet(null, ABNORMAL);
            s = closeStatus.get();
        }
        closed.tryEmitValue(s == null ? ABNORMAL : s);
        inbound.end(null);
        inbound.discardQueued();
        if (channel.eventLoop().inEventLoop()) {
            cancelTimers();
        } else {
            channel.eventLoop().execute(this::cancelTimers);
        }
    }

    private void cancelTimers() {
        if (keepAliveTask != null) {
            keepAliveTask.cancel(false);
        }
        if (idleTask != null) {
            idleTask.cancel(false);
        }
        if (forceCloseTask != null) {
            forceCloseTask.cancel(false);
        }
    }

    static CloseStatus toCore(WebSocketCloseStatus s) {
        int code = s.code();
        if (code < 1000 || code > 4999) {
            return new CloseStatus(1005, "");
        }
        return new CloseStatus(code, s.reasonText() == null ? "" : s.reasonText());
    }

    // ---- frames

    /**
     * Wraps the frame's immutable bytes without copying: a frame waiting in Reactor Netty's send
     * queue holds no direct memory; the transport copies it into a direct buffer as it writes.
     */
    private WebSocketFrame toWire(Payload f) {
        lastDataNanos = System.nanoTime();
        ByteBuf buf = Unpooled.wrappedBuffer(f.data());
        return f.isBinary() ? new BinaryWebSocketFrame(buf) : new TextWebSocketFrame(buf);
    }

    /** Checks and copies a data frame; null when the frame broke a rule (the close has begun). */
    private @Nullable Payload toCore(WebSocketFrame f) {
        ByteBuf content = f.content();
        if (content.readableBytes() > maxPayload) {
            closeAndEnd(CloseStatus.MESSAGE_TOO_BIG);
            return null;
        }
        if (f instanceof TextWebSocketFrame) {
            byte[] text = ByteBufUtil.getBytes(content);
            if (!Utf8.isValid(text)) {
                closeAndEnd(CloseStatus.INVALID_PAYLOAD);
                return null;
            }
            return Payload.text(text);
        }
        if (f instanceof BinaryWebSocketFrame) {
            return Payload.binary(ByteBufUtil.getBytes(content));
        }
        closeAndEnd(CloseStatus.PROTOCOL_ERROR.withReason("unexpected frame"));
        return null;
    }

    // ---- keep-alive and idle (event loop)

    private void startTimers() {
        if (!channel.isActive()) {
            return;
        }
        if (!spec.pingInterval().isZero()) {
            keepAliveTask = channel.eventLoop().schedule(this::ping, spec.pingInterval().toNanos(), TimeUnit.NANOSECONDS);
        }
        if (!spec.idleTimeout().isZero()) {
            idleTask = channel.eventLoop().schedule(this::checkIdle, spec.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void ping() {
        if (!channel.isActive() || closeStatus.get() != null) {
            return;
        }
        awaitingPong = true;
        pingSentNanos = System.nanoTime();
        ByteBuf data = channel.alloc().buffer(Long.BYTES).writeLong(++pingCount);
        channel.writeAndFlush(new PingWebSocketFrame(data));
        keepAliveTask = channel.eventLoop().schedule(this::checkPong, spec.pongTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void checkPong() {
        if (!channel.isActive() || closeStatus.get() != null) {
            return;
        }
        if (!awaitingPong) {
            long next = Math.max(0, pingSentNanos + spec.pingInterval().toNanos() - System.nanoTime());
            keepAliveTask = channel.eventLoop().schedule(this::ping, next, TimeUnit.NANOSECONDS);
        } else if (inbound.paused()) {
            // the relay is not reading: the pong may be waiting in the socket; look again later
            keepAliveTask = channel.eventLoop().schedule(this::checkPong, spec.pongTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } else {
            log.debug("{}: no pong within {}", channel, spec.pongTimeout());
            closeAndEnd(NO_PONG);
        }
    }

    private void checkIdle() {
        if (!channel.isActive() || closeStatus.get() != null) {
            return;
        }
        long idleNanos = spec.idleTimeout().toNanos();
        long left = lastDataNanos + idleNanos - System.nanoTime();
        if (left <= 0) {
            log.debug("{}: idle for {}", channel, spec.idleTimeout());
            closeAndEnd(IDLE);
        } else {
            idleTask = channel.eventLoop().schedule(this::checkIdle, left, TimeUnit.NANOSECONDS);
        }
    }

    /** Any frame from the peer shows it is alive. Event loop. */
    private void alive() {
        awaitingPong = false;
    }

    // ---- the inbound bridge

    /**
     * Between Reactor Netty's frame flux and the relay. Demand goes upstream one for one; data
     * frames are copied and released; control frames are consumed and replaced.
     */
    private final class Inbound extends Flux<Payload> implements CoreSubscriber<WebSocketFrame>, Subscription {
        private final AtomicBoolean subscribed = new AtomicBoolean();
        private final AtomicBoolean terminated = new AtomicBoolean();
        /** Data frames requested from Reactor Netty and not yet received. */
        private final AtomicLong outstanding = new AtomicLong();
        private volatile @Nullable CoreSubscriber<? super Payload> actual;
        private volatile @Nullable Subscription upstream;
        private volatile boolean stopped;
        /** The channel is closed: whatever Reactor Netty still queues is taken and dropped. */
        private volatile boolean discarding;
        // demand that arrived before Reactor Netty's subscription (guarded by this)
        private long early;

        @Override
        public void subscribe(CoreSubscriber<? super Payload> s) {
            if (!subscribed.compareAndSet(false, true)) {
                Operators.error(s, new IllegalStateException("receive() allows one subscriber"));
                return;
            }
            actual = s;
            s.onSubscribe(this);
            if (terminated.get()) {
                s.onComplete();
                return;
            }
            in.receiveFrames().subscribe(this);
        }

        // from the relay

        @Override
        public void request(long n) {
            if (!Operators.validate(n) || stopped) {
                return;
            }
            outstanding.getAndUpdate(r -> Operators.addCap(r, n));
            Subscription s;
            synchronized (this) {
                s = upstream;
                if (s == null) {
                    early = Operators.addCap(early, n);
                    return;
                }
            }
            s.request(n);
        }

        @Override
        public void cancel() {
            // no cancel upstream: Reactor Netty would answer it with an empty close frame
            stopped = true;
            actual = null;
        }

        void stop() {
            stopped = true;
        }

        /**
         * Frames read beyond the relay's demand wait in Reactor Netty's receive queue, which
         * releases them only as they are requested; once the channel is closed nobody would ask,
         * so ask for all of them: {@link #onNext} drops them and Reactor Netty releases each.
         */
        void discardQueued() {
            discarding = true;
            Subscription s = upstream;
            if (s != null) {
                s.request(Long.MAX_VALUE);
            }
        }

        boolean paused() {
            return outstanding.get() == 0;
        }

        /** Completes the relay's inbound (or fails it with {@code error}) once. */
        void end(@Nullable Throwable error) {
            stopped = true;
            if (!terminated.compareAndSet(false, true)) {
                return;
            }
            CoreSubscriber<? super Payload> a = actual;
            actual = null;
            if (a != null) {
                if (error == null) {
                    a.onComplete();
                } else {
                    a.onError(error);
                }
            }
        }

        // from Reactor Netty (event loop)

        @Override
        public void onSubscribe(Subscription s) {
            long n;
            synchronized (this) {
                if (upstream != null) {
                    s.cancel();
                    return;
                }
                upstream = s;
                n = early;
                early = 0;
            }
            if (discarding) {
                s.request(Long.MAX_VALUE);
            } else if (n > 0) {
                s.request(n);
            }
        }

        @Override
        public void onNext(WebSocketFrame f) {
            // Reactor Netty releases f when this returns: copy what must outlive the call
            alive();
            if (f instanceof PingWebSocketFrame) {
                channel.writeAndFlush(new PongWebSocketFrame(f.content().retainedDuplicate()));
                replace();
                return;
            }
            if (f instanceof PongWebSocketFrame) {
                replace();
                return;
            }
            outstanding.decrementAndGet();
            lastDataNanos = System.nanoTime();
            if (stopped || terminated.get()) {
                return;
            }
            Payload frame = toCore(f);
            CoreSubscriber<? super Payload> a = actual;
            if (frame != null && a != null) {
                a.onNext(frame);
            }
        }

        private void replace() {
            Subscription s = upstream;
            if (s != null && !stopped) {
                s.request(1);
            }
        }

        @Override
        public void onError(Throwable t) {
            if (t instanceof CorruptedWebSocketFrameException cwe) {
                // Netty's decoder already wrote the close frame (1009 for a frame over the limit)
                WebSocketCloseStatus s = cwe.closeStatus();
                startClose(s != null ? toCore(s) : CloseStatus.PROTOCOL_ERROR, false);
                end(null);
            } else if (t instanceof TooLongFrameException) {
                closeAndEnd(CloseStatus.MESSAGE_TOO_BIG);
            } else {
                log.debug("{}: inbound failed", channel, t);
                startClose(CloseStatus.INTERNAL_ERROR.withReason("transport error"), true);
                end(t);
            }
        }

        @Override
        public void onComplete() {
            end(null);
        }
    }
}
