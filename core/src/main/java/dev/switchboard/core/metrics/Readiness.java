package dev.switchboard.core.metrics;

import java.util.Objects;

/**
 * Whether a relay can take traffic now: ready when at least one worker is live and the requests
 * waiting for a worker stay below the router's bound. A host exposes it as its readiness probe
 * (for example HTTP 200 or 503 on {@code /health}).
 *
 * <p>How it may grow: new components may be added in a minor release; construct it through {@link
 * #of}, and read it through its accessors.
 *
 * @param ready  whether to send it traffic
 * @param reason why not, or {@code "ok"}
 */
public record Readiness(boolean ready, String reason) {

    /**
     * Checks the reason.
     *
     * @param ready whether the relay can take traffic now
     * @param reason why not, or {@code "ok"}
     */
    public Readiness {
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * The readiness of a relay with {@code liveWorkers} workers and {@code waiting} of {@code maxWaiting}.
     *
     * @param liveWorkers live workers now
     * @param waiting requests waiting in the router now
     * @param maxWaiting the router's bound on waiting requests
     * @return the readiness of a relay with {@code liveWorkers} workers and {@code waiting} of {@code maxWaiting}
     */
    public static Readiness of(int liveWorkers, int waiting, int maxWaiting) {
        if (liveWorkers == 0) {
            return new Readiness(false, "no live worker");
        }
        if (waiting >= maxWaiting) {
            return new Readiness(false, "the waiting queue is full (" + waiting + " of " + maxWaiting + ")");
        }
        return new Readiness(true, "ok");
    }
}
