package dev.switchboard.core;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One client session: its id, the principal the transport authenticated, the attributes taken
 * from the handshake (for example the view the client browses) and the limits it runs under.
 * Immutable; the {@link Relay} creates one per connection.
 *
 * @see Relay.Builder#maxInFlight(int)
 * @see Relay.Builder#maxQueuedResponses(int)
 */
public final class Session {

    private final String id;
    private final @Nullable String principal;
    private final Map<String, String> attributes;
    private final Ordering ordering;
    private final int maxInFlight;
    private final int maxQueuedResponses;

    private Session(String id, @Nullable String principal, Map<String, String> attributes,
                    Ordering ordering, int maxInFlight, int maxQueuedResponses) {
        this.id = Objects.requireNonNull(id, "id");
        this.principal = principal;
        this.attributes = Map.copyOf(attributes);
        this.ordering = Objects.requireNonNull(ordering, "ordering");
        if (maxInFlight < 1 || maxQueuedResponses < 1) {
            throw new IllegalArgumentException("session limits must be strictly positive");
        }
        this.maxInFlight = maxInFlight;
        this.maxQueuedResponses = maxQueuedResponses;
    }

    /**
     * A session with the given identity and limits.
     *
     * @return a session with the given identity and limits
     * @param id                 the session id
     * @param principal          the authenticated principal, or null for none
     * @param attributes         handshake attributes (copied)
     * @param ordering           the ordering policy
     * @param maxInFlight        requests in flight at most, strictly positive
     * @param maxQueuedResponses response frames waiting for the client at most, strictly positive
     */
    public static Session of(String id, @Nullable String principal, Map<String, String> attributes,
                             Ordering ordering, int maxInFlight, int maxQueuedResponses) {
        return new Session(id, principal, attributes, ordering, maxInFlight, maxQueuedResponses);
    }

    /**
     * The session id, unique within the relay.
     *
     * @return the session id, unique within the relay
     */
    public String id() {
        return id;
    }

    /**
     * The authenticated principal, if the transport authenticated one.
     *
     * @return the authenticated principal, if the transport authenticated one
     */
    public Optional<String> principal() {
        return Optional.ofNullable(principal);
    }

    @Nullable String principalOrNull() {
        return principal;
    }

    /**
     * The handshake attributes (immutable).
     *
     * @return the handshake attributes (immutable)
     */
    public Map<String, String> attributes() {
        return attributes;
    }

    /**
     * The ordering policy of its responses.
     *
     * @return the ordering policy of its responses
     */
    public Ordering ordering() {
        return ordering;
    }

    /**
     * How many requests may be in flight at once. One frame more is read, so that a cancel can
     * arrive at the limit; a request in it waits, and further frames are not read, until one ends.
     *
     * @return how many requests may be in flight at once
     */
    public int maxInFlight() {
        return maxInFlight;
    }

    /**
     * How many response frames may wait for the client before the slow-consumer policy applies.
     *
     * @return how many response frames may wait for the client before the slow-consumer policy applies
     */
    public int maxQueuedResponses() {
        return maxQueuedResponses;
    }

    @Override
    public String toString() {
        return "Session[" + id + (principal != null ? ", " + principal : "") + "]";
    }
}
