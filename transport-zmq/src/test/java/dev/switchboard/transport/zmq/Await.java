package dev.switchboard.transport.zmq;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;

/**
 * Waits, bounded, for a condition, through Awaitility checking it every few milliseconds on its
 * own thread. Owns only the bound and the polling; the condition must not touch a ZeroMQ socket,
 * which is read on another thread than the socket's.
 */
final class Await {

    private static final Duration POLL = Duration.ofMillis(5);

    private Await() {
    }

    /** Returns once {@code condition} holds; fails naming {@code what} if it does not within {@code timeout}. */
    static void until(Duration timeout, String what, BooleanSupplier condition) {
        Awaitility.await("waiting for " + what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(POLL)
                .until(condition::getAsBoolean);
    }
}
