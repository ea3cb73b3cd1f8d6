package dev.switchboard.examples.worker;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.worker.WorkerContext;
import dev.switchboard.core.worker.WorkerHandler;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * Counts the requests a worker's handler runs at once and its peak, over all its gateways
 * together: each new peak is logged as {@code peak in flight N of capacity C}, and a peak over
 * the capacity as an ERROR {@code capacity exceeded}, so a deployment test can read from the
 * worker's own log that it never ran more than its capacity.
 */
final class InFlightGauge implements WorkerHandler {

    private static final Logger log = LoggerFactory.getLogger(InFlightGauge.class);

    private final WorkerHandler handler;
    private final int capacity;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();

    InFlightGauge(WorkerHandler handler, int capacity) {
        this.handler = handler;
        this.capacity = capacity;
    }

    @Override
    public Flux<Payload> handle(Request request, WorkerContext context) {
        return Flux.defer(() -> {
            onStart();
            return handler.handle(request, context);
        }).doFinally(signal -> inFlight.decrementAndGet());
    }

    private void onStart() {
        int now = inFlight.incrementAndGet();
        int before = peak.getAndAccumulate(now, Math::max);
        if (now > before) {
            log.info("peak in flight {} of capacity {}", now, capacity);
            if (now > capacity) {
                log.error("capacity exceeded: {} requests in flight, capacity {}", now, capacity);
            }
        }
    }

    /** The most requests that ran at once so far. */
    int peak() {
        return peak.get();
    }
}
