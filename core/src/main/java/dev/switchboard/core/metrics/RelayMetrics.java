package dev.switchboard.core.metrics;

import java.time.Duration;
import reactor.core.publisher.Flux;

/** The metrics of one relay. Thread-safe. */
public interface RelayMetrics {

    /** The metrics now. */
    MetricsSnapshot snapshot();

    /** A snapshot every {@code interval}, starting after the first interval, on Reactor's parallel scheduler. */
    default Flux<MetricsSnapshot> snapshots(Duration interval) {
        return Flux.interval(interval).map(tick -> snapshot()).onBackpressureLatest();
    }
}
