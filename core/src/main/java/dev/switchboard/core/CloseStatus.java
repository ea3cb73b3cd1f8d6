package dev.switchboard.core;

import java.util.Objects;

/**
 * Why a connection closes: a WebSocket close code (RFC 6455, section 7.4) and a short reason.
 *
 * <p>How it may grow: its two components are those of a WebSocket close frame and stay as they are;
 * new well-known statuses may be added as constants.
 *
 * @param code   the close code, 1000 to 4999
 * @param reason a short human-readable reason, possibly empty
 */
public record CloseStatus(int code, String reason) {

    /** 1000: the session ended normally. */
    public static final CloseStatus NORMAL = new CloseStatus(1000, "");
    /** 1001: the server is shutting down. */
    public static final CloseStatus GOING_AWAY = new CloseStatus(1001, "going away");
    /** 1002: the peer broke the protocol. */
    public static final CloseStatus PROTOCOL_ERROR = new CloseStatus(1002, "protocol error");
    /** 1007: a text frame held invalid UTF-8. */
    public static final CloseStatus INVALID_PAYLOAD = new CloseStatus(1007, "invalid UTF-8");
    /** 1008: the peer broke a policy (for example it does not read its responses). */
    public static final CloseStatus POLICY_VIOLATION = new CloseStatus(1008, "policy violation");
    /** 1009: a frame was larger than the limit. */
    public static final CloseStatus MESSAGE_TOO_BIG = new CloseStatus(1009, "message too big");
    /** 1011: the server failed. */
    public static final CloseStatus INTERNAL_ERROR = new CloseStatus(1011, "internal error");
    /** 1013: the server is overloaded; try again later. */
    public static final CloseStatus TRY_AGAIN_LATER = new CloseStatus(1013, "try again later");

    /**
     * Checks the code range and the reason.
     *
     * @param code the close code, 1000 to 4999
     * @param reason the reason, not null; empty for none
     */
    public CloseStatus {
        if (code < 1000 || code > 4999) {
            throw new IllegalArgumentException("close code must be within 1000..4999, was " + code);
        }
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * The same code with another reason.
     *
     * @param newReason the reason of the new status
     * @return the same code with another reason
     */
    public CloseStatus withReason(String newReason) {
        return new CloseStatus(code, newReason);
    }
}
