package dev.switchboard.core.metrics;

/**
 * Hears how long requests take, as they end, for latency histograms ({@link MicrometerBinder}
 * registers one). Called on the thread where the event happens (often an event loop or a
 * worker's thread): an implementation MUST be quick and MUST NOT block or throw. Times are in
 * nanoseconds by the router's and the relay's clocks. New methods, if any, come with a default.
 */
public interface TimingListener {

    /**
     * A request waited {@code nanos} from the router's admission until a worker's credit was its own.
     *
     * @param nanos the wait, in nanoseconds
     */
    default void waited(long nanos) {
    }

    /**
     * The worker {@code workerId} served a request in {@code nanos}, from its credit to its end
     * ({@code completed} false when the request failed or was cancelled).
     *
     * @param workerId the worker's id
     * @param nanos the service time, in nanoseconds
     * @param completed false when the request failed or was cancelled
     */
    default void served(String workerId, long nanos, boolean completed) {
    }

    /**
     * A client's request was answered: {@code firstNanos} from reading it to its first response
     * frame queued for the client, {@code lastNanos} to its last (the end or the error).
     *
     * @param firstNanos from reading the request to its first response frame, in nanoseconds
     * @param lastNanos from reading the request to its last response frame, in nanoseconds
     */
    default void answered(long firstNanos, long lastNanos) {
    }
}
