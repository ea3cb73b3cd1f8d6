package dev.switchboard.transport.zmq;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import reactor.core.publisher.Flux;

/** Waits, bounded, for a condition, checking it every few milliseconds on a timer thread. */
final class Await {

    private Await() {
    }

    static void until(Duration timeout, String what, BooleanSupplier condition) {
        if (condition.getAsBoolean()) {
            return;
        }
        Boolean ok = Flux.interval(Duration.ofMillis(5))
                .map(t -> condition.getAsBoolean())
                .filter(b -> b)
                .next()
                .timeout(timeout, reactor.core.publisher.Mono.just(false))
                .block(timeout.plusSeconds(5));
        if (!Boolean.TRUE.equals(ok)) {
            throw new AssertionError("timed out after " + timeout + " waiting for " + what);
        }
    }
}
