package dev.switchboard.core.routing;

import dev.switchboard.core.transport.WorkerLink;
import java.util.Objects;

/**
 * A worker joined or left the membership.
 *
 * <p>How it may grow: new {@link Type} constants may be added (switch over them with a default
 * branch); the membership builds it, applications need not.
 *
 * @param type   joined or left
 * @param worker the worker
 */
public record MembershipEvent(Type type, WorkerLink worker) {

    /** What happened. */
    public enum Type {
        /** The worker joined and takes requests. */
        JOINED,
        /** The worker left, closed or was declared dead. */
        LEFT
    }

    /**
     * Checks both fields.
     *
     * @param type whether the worker joined or left
     * @param worker the worker
     */
    public MembershipEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(worker, "worker");
    }
}
