package dev.switchboard.core.transport;

import dev.switchboard.core.CloseStatus;
import dev.switchboard.core.Payload;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One client connection, as a client transport (WebSocket, in-JVM, ...) presents it to the relay.
 *
 * <p>Implementations MUST honour demand: {@link #receive()} MUST NOT read from the socket beyond
 * what its subscriber requested, so that a relay with full queues pushes back, through TCP, on
 * the client. {@link #send} MUST request frames from its publisher only as fast as the socket can
 * take them. Frames handed to core MUST NOT share memory with transport buffers.
 */
public interface Connection {

    /**
     * The inbound frames. There is exactly one subscriber. It completes when the peer closes and
     * errors when the transport fails; control frames (ping, pong, close) never appear.
     *
     * @return the inbound frames
     */
    Flux<Payload> receive();

    /**
     * Sends the frames of {@code frames}, requesting more only when the socket can take them. The
     * returned Mono completes when {@code frames} completes and all were written, and errors when
     * writing fails. It is subscribed once per connection.
     *
     * @param frames the frames to send, requested as the socket takes them
     * @return a Mono that completes once every frame was written
     */
    Mono<Void> send(Publisher<Payload> frames);

    /**
     * Closes the connection with {@code status}: a close frame where the protocol has one, then
     * the socket. Idempotent; the Mono completes once the close is done.
     *
     * @param status the status to close with
     * @return a Mono that completes once the connection is closed
     */
    Mono<Void> close(CloseStatus status);

    /**
     * Completes with the status the connection closed with, whoever closed it. MUST complete on
     * every path (peer close, error, local close) so that the relay frees what the session held.
     *
     * @return the status the connection closed with
     */
    Mono<CloseStatus> onClose();

    /**
     * The peer's address, when the transport knows it.
     *
     * @return the peer's address, when the transport knows it
     */
    Optional<SocketAddress> remoteAddress();

    /**
     * Attributes the transport took from the handshake (path, query, headers it exposes).
     *
     * @return the handshake attributes, by name; empty when the transport exposes none
     */
    default Map<String, String> attributes() {
        return Map.of();
    }

    /**
     * The principal the transport authenticated at the handshake, if any.
     *
     * @return the principal the transport authenticated at the handshake, if any
     */
    default Optional<String> principal() {
        return Optional.empty();
    }

    /**
     * The connection's own thread, as an executor, when it has one (a Netty channel's event
     * loop): it runs its tasks in order, on one thread, which also reads and writes the socket.
     * The relay then handles a response that a worker answers from another thread (a ZeroMQ
     * gateway's socket thread, a blocking scheduler) on this thread: the encoding, the write and
     * the read of the next request happen next to the socket, and the worker's thread only hands
     * the response over. The executor may refuse tasks once the transport shuts down. Empty (the
     * default): the relay handles a response on the thread that delivers it.
     *
     * @return the connection's own thread as an executor, if it has one
     */
    default Optional<Executor> executor() {
        return Optional.empty();
    }
}
