package dev.switchboard.core;

/** In what order a session receives the response items of its requests. */
public enum Ordering {
    /** Responses arrive in request order: the items of a later request wait for every earlier one to end. */
    ORDERED,
    /** Response items arrive as workers produce them, tagged by request id. */
    UNORDERED
}
