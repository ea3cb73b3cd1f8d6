package dev.switchboard.core;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One client request: who sent it, its id, its affinity key and its body.
 *
 * <p>The affinity key names what the request needs in a worker's cache (for a tile, its
 * pyramid file); the router uses it to pick the worker. Immutable.
 */
public final class Request implements ClientMessage {

    private final String sessionId;
    private final RequestId id;
    private final String key;
    private final Payload payload;
    private final @Nullable String principal;
    private final boolean idempotent;

    private Request(Builder b) {
        this.sessionId = b.sessionId;
        this.id = Objects.requireNonNull(b.id, "id must be set");
        this.key = b.key;
        this.payload = b.payload;
        this.principal = b.principal;
        this.idempotent = b.idempotent;
    }

    /**
     * A new builder: session {@code ""}, key {@code ""}, JSON null body, idempotent.
     *
     * @return a new builder: session {@code ""}, key {@code ""}, JSON null body, idempotent
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The id of the session that sent the request.
     *
     * @return the id of the session that sent the request
     */
    public String sessionId() {
        return sessionId;
    }

    /** The client's id for the request. */
    @Override
    public RequestId id() {
        return id;
    }

    /**
     * The affinity key.
     *
     * @return the affinity key
     */
    public String key() {
        return key;
    }

    /**
     * The body.
     *
     * @return the body
     */
    public Payload payload() {
        return payload;
    }

    /**
     * The authenticated principal of the session, if any.
     *
     * @return the authenticated principal of the session, if any
     */
    public Optional<String> principal() {
        return Optional.ofNullable(principal);
    }

    /**
     * Whether the request may be retried on another worker when its worker dies.
     *
     * @return whether the request may be retried on another worker when its worker dies
     */
    public boolean idempotent() {
        return idempotent;
    }

    /**
     * A builder holding this request's values.
     *
     * @return a builder holding this request's values
     */
    public Builder toBuilder() {
        return new Builder().sessionId(sessionId).id(id).key(key).payload(payload)
                .principal(principal).idempotent(idempotent);
    }

    @Override
    public String toString() {
        return "Request[session=" + sessionId + ", id=" + id + ", key=" + key + ", " + payload + "]";
    }

    /** Builds a {@link Request}. Not thread-safe; each {@code build()} returns a new immutable request. */
    public static final class Builder {
        private String sessionId = "";
        private @Nullable RequestId id;
        private String key = "";
        private Payload payload = Payload.jsonNull();
        private @Nullable String principal;
        private boolean idempotent = true;

        private Builder() {
        }

        /**
         * The session id.
         *
         * @param sessionId the session id
         * @return this builder
         */
        public Builder sessionId(String sessionId) {
            this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
            return this;
        }

        /**
         * The client's request id (required).
         *
         * @param id the client's request id (required)
         * @return this builder
         */
        public Builder id(RequestId id) {
            this.id = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * The affinity key.
         *
         * @param key the affinity key
         * @return this builder
         */
        public Builder key(String key) {
            this.key = Objects.requireNonNull(key, "key");
            return this;
        }

        /**
         * The body.
         *
         * @param payload the body
         * @return this builder
         */
        public Builder payload(Payload payload) {
            this.payload = Objects.requireNonNull(payload, "payload");
            return this;
        }

        /**
         * The session's principal, or null for none.
         *
         * @param principal the session's principal, or null for none
         * @return this builder
         */
        public Builder principal(@Nullable String principal) {
            this.principal = principal;
            return this;
        }

        /**
         * Whether the request may be retried on another worker (default true).
         *
         * @param idempotent whether the request may be retried on another worker (default true)
         * @return this builder
         */
        public Builder idempotent(boolean idempotent) {
            this.idempotent = idempotent;
            return this;
        }

        /**
         * The request.
         *
         * @return the request
         */
        public Request build() {
            return new Request(this);
        }
    }
}
