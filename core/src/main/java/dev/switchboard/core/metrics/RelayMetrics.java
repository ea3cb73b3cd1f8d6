package dev.switchboard.core.metrics;

import java.time.Duration;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/** The metrics of one relay. Thread-safe. */
public interface RelayMetrics {

    /**
     * The metrics now.
     *
     * @return the metrics now
     */
    MetricsSnapshot snapshot();

    /**
     * Whether the relay can take traffic now: a live worker, and room in the router's waiting queue.
     *
     * @return whether the relay can take traffic now: a live worker, and room in the router's waiting queue
     */
    Readiness readiness();

    /**
     * Reports every request's timings to {@code listener} (the router's wait and service times,
     * the relay's first and last frame) until the returned {@link Disposable} is disposed.
     *
     * @param listener the listener, called on the threads where the events happen; it must not block
     * @return a handle that unregisters the listener
     * @throws IllegalStateException when {@link TimingListeners#MAX_LISTENERS} are registered
     */
    Disposable timings(TimingListener listener);

    /**
     * A snapshot every {@code interval}, starting after the first interval, on Reactor's parallel scheduler.
     *
     * @param interval the time between snapshots, strictly positive
     * @return a snapshot every {@code interval}, starting after the first interval, on Reactor's parallel scheduler
     */
    default Flux<MetricsSnapshot> snapshots(Duration interval) {
        return Flux.interval(interval).map(tick -> snapshot()).onBackpressureLatest();
    }
}
