package dev.switchboard.core;

import dev.switchboard.core.metrics.RelayMetrics;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.transport.Connection;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Relays client connections, message by message, to the workers of a {@link Router}.
 *
 * <p>Each connection becomes a {@link Session}: its frames are decoded into requests, each
 * request is routed to a worker, and the worker's items are encoded back as frames, one frame
 * per item with the completion riding on the last; a client may cancel a request it no longer
 * needs (see {@link Cancel}). Every buffer is bounded: a session reads no more frames than it
 * has room for requests in flight, plus one so that a client at its limit can cancel, holds at most
 * {@code maxQueuedResponses} frames for its client, and is closed with 1008 when its client
 * leaves a frame it could take unread for {@code slowConsumerTimeout} (checked every quarter of
 * the timeout, so the close comes at most a quarter late). A frame waiting behind a slow
 * earlier request (ORDERED) does not count against the client.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}.
 */
public interface Relay {

    /** Default requests in flight per session. */
    int DEFAULT_MAX_IN_FLIGHT = 64;
    /** Default response frames queued per session. */
    int DEFAULT_MAX_QUEUED_RESPONSES = 256;
    /** Default time a full response queue may go unread before the session is closed. */
    long DEFAULT_SLOW_CONSUMER_TIMEOUT_MS = 10_000;
    /** Default longest wait for a request's next response item. */
    long DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

    /**
     * A builder with the JSON codec, {@link Ordering#ORDERED}, {@value #DEFAULT_MAX_IN_FLIGHT}
     * requests in flight and {@value #DEFAULT_MAX_QUEUED_RESPONSES} queued frames per session, a
     * slow-consumer timeout of {@value #DEFAULT_SLOW_CONSUMER_TIMEOUT_MS} ms, a request timeout of
     * {@value #DEFAULT_REQUEST_TIMEOUT_MS} ms and Reactor's parallel scheduler for timers. A
     * router is required.
     *
     * @return a new builder
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Serves one connection until it closes. Subscribing starts the session; the Mono completes
     * when the session has ended and freed everything it held. Cancelling it ends the session.
     *
     * @param connection the client connection, which the session closes when it ends
     * @return a Mono that runs the session on subscription and completes when the session has ended
     */
    Mono<Void> serve(Connection connection);

    /**
     * The relay's metrics.
     *
     * @return the relay's metrics
     */
    RelayMetrics metrics();

    /**
     * The router requests go through.
     *
     * @return the router requests go through
     */
    Router router();

    /** Builds a {@link Relay}. Not thread-safe; each {@link #build()} returns an immutable relay. */
    final class Builder {
        @Nullable Router router;
        Codec codec = Codec.json();
        Ordering ordering = Ordering.ORDERED;
        int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        int maxQueuedResponses = DEFAULT_MAX_QUEUED_RESPONSES;
        Duration slowConsumerTimeout = Duration.ofMillis(DEFAULT_SLOW_CONSUMER_TIMEOUT_MS);
        Duration requestTimeout = Duration.ofMillis(DEFAULT_REQUEST_TIMEOUT_MS);
        @Nullable Scheduler timer;
        @Nullable String sessionRoutingKey;

        private Builder() {
        }

        /**
         * The router (required).
         *
         * @param router the router (required)
         * @return this builder
         */
        public Builder router(Router router) {
            this.router = Objects.requireNonNull(router, "router");
            return this;
        }

        /**
         * The codec (default {@link Codec#json()}).
         *
         * @param codec the codec (default {@link Codec#json()})
         * @return this builder
         */
        public Builder codec(Codec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /**
         * The ordering of responses in a session (default {@link Ordering#ORDERED}).
         *
         * @param ordering the ordering of responses in a session (default {@link Ordering#ORDERED})
         * @return this builder
         */
        public Builder ordering(Ordering ordering) {
            this.ordering = Objects.requireNonNull(ordering, "ordering");
            return this;
        }

        /**
         * Requests in flight per session, strictly positive. The session reads one frame beyond
         * the limit, so that a client at its limit can still cancel; a request in that frame
         * waits, not started, until one of the others leaves, and nothing more is read meanwhile.
         *
         * @param maxInFlight requests in flight per session, strictly positive
         * @return this builder
         */
        public Builder maxInFlight(int maxInFlight) {
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("maxInFlight must be strictly positive, was " + maxInFlight);
            }
            this.maxInFlight = maxInFlight;
            return this;
        }

        /**
         * Response frames a session holds for its client, strictly positive. It also caps the
         * requests that make progress at once: each holds room for its next frame.
         *
         * @param maxQueuedResponses response frames a session holds for its client, strictly positive
         * @return this builder
         */
        public Builder maxQueuedResponses(int maxQueuedResponses) {
            if (maxQueuedResponses < 1) {
                throw new IllegalArgumentException(
                        "maxQueuedResponses must be strictly positive, was " + maxQueuedResponses);
            }
            this.maxQueuedResponses = maxQueuedResponses;
            return this;
        }

        /**
         * How long a response frame may wait for a client that asks for none before the session is
         * closed with 1008, strictly positive.
         *
         * @param timeout the slow-consumer timeout, strictly positive
         * @return this builder
         */
        public Builder slowConsumerTimeout(Duration timeout) {
            this.slowConsumerTimeout = positive(timeout, "slowConsumerTimeout");
            return this;
        }

        /**
         * The longest wait for a request's next item (queueing included) before {@code timeout}.
         *
         * @param timeout the longest wait for a request's next item (queueing included) before {@code timeout}
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /**
         * Routes every request of a session by the session attribute {@code attribute} (the view
         * the client browses, say) instead of by the request's own key, so that the whole session
         * sticks to the worker that holds that view. A session without the attribute is routed by
         * each request's key (the default for every session when this is not set). The WebSocket
         * transport exposes query parameters as {@code query.<name>} attributes. The session sticks
         * while that worker is alive and expected to finish its next request soonest: the worker
         * leaving, a spill (its queue costs more than a miss elsewhere), a hot key, or a free worker
         * whose miss is cheaper than its hit moves it (the README's routing section lists them).
         *
         * @param attribute the session attribute to route by, not blank
         * @return this builder
         */
        public Builder sessionRoutingKey(String attribute) {
            if (attribute.isBlank()) {
                throw new IllegalArgumentException("the session routing key attribute must not be blank");
            }
            this.sessionRoutingKey = attribute;
            return this;
        }

        /**
         * The scheduler for timers (default: Reactor's parallel scheduler, resolved per session).
         *
         * @param timer the scheduler for timers (default: Reactor's parallel scheduler, resolved per session)
         * @return this builder
         */
        public Builder timer(Scheduler timer) {
            this.timer = Objects.requireNonNull(timer, "timer");
            return this;
        }

        /**
         * The relay.
         *
         * @return the relay
         * @throws IllegalStateException if no router was set
         */
        public Relay build() {
            if (router == null) {
                throw new IllegalStateException(
                        "a Relay needs a router: call router(Router.builder().worker(...).build())");
            }
            return new RelayImpl(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be strictly positive, was " + d);
            }
            return d;
        }
    }
}
