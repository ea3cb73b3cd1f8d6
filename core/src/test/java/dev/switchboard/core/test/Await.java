package dev.switchboard.core.test;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Bounded waits, through Awaitility, for conditions that become true on other threads: the
 * condition is polled every millisecond on Awaitility's own thread, never by sleeping in a test's
 * logic. Owns only the bound, the polling and the failure message; what a condition reads is the
 * caller's.
 */
public final class Await {

    private static final Duration POLL = Duration.ofMillis(1);

    private Await() {
    }

    /**
     * Returns once {@code condition} holds, polling it every millisecond; fails with {@code what}
     * (computed at the failure, so it can describe what was seen) if it still does not hold after
     * {@code within}.
     */
    public static void until(Duration within, BooleanSupplier condition, Supplier<String> what) {
        try {
            Awaitility.await().atMost(within).pollDelay(Duration.ZERO).pollInterval(POLL)
                    .until(condition::getAsBoolean);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("not true within " + within.toMillis() + " ms: " + what.get(), e);
        }
    }

    /** {@link #until(Duration, BooleanSupplier, Supplier)} with a fixed description. */
    public static void until(Duration within, BooleanSupplier condition, String what) {
        until(within, condition, () -> what);
    }
}
