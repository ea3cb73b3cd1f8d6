package dev.switchboard.core.test;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Bounded polling for conditions that become true on other threads. Never sleeps the caller. */
public final class Await {

    private static final Duration POLL = Duration.ofMillis(1);

    private Await() {
    }

    /**
     * Returns once {@code condition} holds, polling it every millisecond on a non-blocking
     * thread; fails with {@code what} if it still does not hold after {@code within}.
     */
    public static void until(Duration within, BooleanSupplier condition, Supplier<String> what) {
        if (condition.getAsBoolean()) {
            return;
        }
        Boolean ok = Flux.interval(POLL, Schedulers.single())
                .onBackpressureDrop()
                .map(tick -> condition.getAsBoolean())
                .filter(Boolean::booleanValue)
                .next()
                .timeout(within, Mono.empty())
                .block();
        if (ok == null && !condition.getAsBoolean()) {
            throw new AssertionError("not true within " + within.toMillis() + " ms: " + what.get());
        }
    }

    /** {@link #until(Duration, BooleanSupplier, Supplier)} with a fixed description. */
    public static void until(Duration within, BooleanSupplier condition, String what) {
        until(within, condition, () -> what);
    }
}
