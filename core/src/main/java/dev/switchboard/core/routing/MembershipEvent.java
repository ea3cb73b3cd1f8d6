package dev.switchboard.core.routing;

import dev.switchboard.core.transport.WorkerLink;
import java.util.Objects;

/**
 * A change in a {@link Membership}: a worker {@link Joined} or {@link Left}. Each kind is a type
 * of its own, so a consumer matches it by type ({@code event instanceof MembershipEvent.Joined},
 * or {@code membership.events().ofType(MembershipEvent.Joined.class)}).
 *
 * <p>How it may grow: each kind is a record that may gain components of its own (why a worker
 * left, say) without the other kind carrying them, and further kinds may be added, so a consumer
 * ignores the kinds it does not know; the membership builds these events, applications need not.
 */
public sealed interface MembershipEvent {

    /**
     * The worker that joined or left.
     *
     * @return the worker that joined or left
     */
    WorkerLink worker();

    /**
     * The worker joined and takes requests; {@link Membership#events()} also replays one for
     * every member at subscription.
     *
     * @param worker the worker
     */
    record Joined(WorkerLink worker) implements MembershipEvent {

        /**
         * Checks the worker.
         *
         * @param worker the worker
         */
        public Joined {
            Objects.requireNonNull(worker, "worker");
        }
    }

    /**
     * The worker left, closed or was declared dead; it takes no more requests.
     *
     * @param worker the worker
     */
    record Left(WorkerLink worker) implements MembershipEvent {

        /**
         * Checks the worker.
         *
         * @param worker the worker
         */
        public Left {
            Objects.requireNonNull(worker, "worker");
        }
    }
}
