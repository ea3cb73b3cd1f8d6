package dev.switchboard.transport.netty;

import java.security.Principal;
import java.util.Objects;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

/**
 * Authenticates a WebSocket handshake before the upgrade. The principal's name lands on the
 * session ({@link dev.switchboard.core.Session#principal()}) and on every request of it.
 *
 * <p>An empty Mono refuses the handshake with 401; an error (or no answer within the spec's
 * {@link WebSocketRelaySpec#authenticationTimeout()}) refuses it with 500. Implementations MUST
 * NOT block: the call runs on the event loop; move blocking lookups to a bounded scheduler.
 */
@FunctionalInterface
public interface HandshakeAuthenticator {

    /**
     * The name of the principal the handshake {@code request} authenticates, or empty to refuse it.
     *
     * @param request the handshake request
     * @return the name of the principal the handshake {@code request} authenticates, or empty to refuse it
     */
    Mono<String> authenticate(HttpServerRequest request);

    /**
     * An authenticator from one that yields a {@link Principal}; its name is what the session gets.
     *
     * @param fn yields the principal of a handshake request, or empty to refuse it
     * @return an authenticator from one that yields a {@link Principal}; its name is what the session gets
     */
    static HandshakeAuthenticator ofPrincipal(Function<? super HttpServerRequest, ? extends Mono<? extends Principal>> fn) {
        Objects.requireNonNull(fn, "fn");
        return request -> fn.apply(request).map(Principal::getName);
    }
}
