package dev.switchboard.core.transport;

/**
 * What a worker reports of its speed: the moving average of its service time when the request's
 * key was cached (a hit) and when it was not (a miss). Zero means not measured yet.
 *
 * <p>How it may grow: new components (other measured times) may be added in a minor release, which
 * changes the canonical constructor; read it through its accessors.
 *
 * @param hitNanos  mean service time of a hit, in nanoseconds, or 0 if unknown
 * @param missNanos mean service time of a miss, in nanoseconds, or 0 if unknown
 */
public record ServiceTimes(double hitNanos, double missNanos) {

    /** Nothing measured yet. */
    public static final ServiceTimes UNKNOWN = new ServiceTimes(0, 0);

    /**
     * Checks that both times are finite and not negative.
     *
     * @param hitNanos a hit's service time, in nanoseconds
     * @param missNanos a miss's service time, in nanoseconds
     */
    public ServiceTimes {
        if (!(hitNanos >= 0) || !(missNanos >= 0) || Double.isInfinite(hitNanos) || Double.isInfinite(missNanos)) {
            throw new IllegalArgumentException("service times must be finite and >= 0");
        }
    }
}
