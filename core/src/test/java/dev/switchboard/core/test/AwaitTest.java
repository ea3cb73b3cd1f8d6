package dev.switchboard.core.test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The shared wait: it returns once a condition set elsewhere holds, and fails in its bound, saying what was seen. */
class AwaitTest {

    @Test
    void returnsOnceAConditionSetOnAnotherThreadHolds() {
        AtomicBoolean done = new AtomicBoolean();
        Mono.delay(Duration.ofMillis(50)).subscribe(t -> done.set(true));
        Await.until(Duration.ofSeconds(5), done::get, "the flag set");
        assertTrue(done.get());
    }

    @Test
    void failsWithinItsBoundWithTheDescriptionComputedAtTheFailure() {
        AtomicInteger polls = new AtomicInteger();
        long t0 = System.nanoTime();
        AssertionError e = assertThrows(AssertionError.class,
                () -> Await.until(Duration.ofMillis(200), () -> polls.incrementAndGet() < 0, () -> "polled " + polls.get()));
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(tookMs >= 200 && tookMs < 5_000, "took " + tookMs + " ms");
        assertTrue(e.getMessage().startsWith("not true within 200 ms: polled "), e.getMessage());
        assertTrue(polls.get() > 10, "polled every millisecond or so, not " + polls.get() + " times");
    }
}
