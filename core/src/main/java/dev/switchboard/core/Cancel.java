package dev.switchboard.core;

import java.util.Objects;

/**
 * The client no longer wants the request with this id, sent earlier on the same session.
 *
 * <p>The relay cancels the request's exchange with its worker, which returns the worker's
 * credit at once, and sends the client no further frame for it. A cancel for an id that is not
 * in flight (unknown, or already answered: the answer and the cancel crossed) is ignored.
 * A cancel takes no place among the session's requests in flight and is read even when the
 * session is at its limit (see {@link Relay.Builder#maxInFlight(int)}).
 *
 * <p>How it may grow: a cancel names one request and nothing else; what a codec decodes beyond that
 * goes into a new {@link ClientMessage} type, not into this record.
 *
 * @param id the id of the request to cancel
 */
public record Cancel(RequestId id) implements ClientMessage {

    /**
     * Checks the id.
     *
     * @param id the id of the request to cancel
     */
    public Cancel {
        Objects.requireNonNull(id, "id");
    }
}
