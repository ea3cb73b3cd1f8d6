package dev.switchboard.core;

/**
 * What one client frame asks of the relay, as a {@link Codec} decodes it: a {@link Request} to
 * serve, or a {@link Cancel} of a request the client sent earlier on the same session.
 *
 * <p>Sealed, so the relay handles every kind; a codec that knows no cancel frame only ever
 * returns requests.
 */
public sealed interface ClientMessage permits Request, Cancel {

    /**
     * The client's id of the request this message sends or cancels.
     *
     * @return the client's id of the request this message sends or cancels
     */
    RequestId id();
}
