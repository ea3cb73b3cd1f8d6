package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The session's sweep period and its request-timeout rule, on virtual time. */
class SessionTimersTest {

    private static final Duration TIMEOUT = PipelineFixture.REQUEST_TIMEOUT;

    private final PipelineFixture fixture = new PipelineFixture(Ordering.UNORDERED, 16, 16, true);
    private final SessionTimers timers = new SessionTimers(fixture.time, TIMEOUT, Duration.ofSeconds(5));

    @AfterEach
    void close() {
        timers.stop();
        fixture.close();
    }

    @Test
    void sweepRunsEveryQuarterOfTheShorterTimeoutUntilStopped() {
        AtomicInteger sweeps = new AtomicInteger();
        timers.start(sweeps::incrementAndGet);
        fixture.time.advanceTimeBy(Duration.ofMillis(499));
        assertEquals(0, sweeps.get());
        fixture.time.advanceTimeBy(Duration.ofMillis(1));
        assertEquals(1, sweeps.get());
        fixture.time.advanceTimeBy(Duration.ofSeconds(1));
        assertEquals(3, sweeps.get());

        timers.stop();
        fixture.time.advanceTimeBy(Duration.ofSeconds(10));
        assertEquals(3, sweeps.get());
    }

    @Test
    void sweepPeriodIsNeverShorterThanTenMilliseconds() {
        SessionTimers quick = new SessionTimers(fixture.time, Duration.ofMillis(4), Duration.ofMillis(8));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(10), quick.sweepPeriodNanos());
    }

    @Test
    void aRunningExchangeExpiresWhenItsWorkerWasSilentForTheTimeout() {
        Exchange ex = fixture.running(1);
        ex.lastActivityNanos = timers.now();
        fixture.time.advanceTimeBy(TIMEOUT.minusNanos(1));
        assertFalse(timers.expired(ex, timers.now()));
        fixture.time.advanceTimeBy(Duration.ofNanos(1));
        assertTrue(timers.expired(ex, timers.now()));
        assertEquals(List.of(ex), timers.expired(List.of(ex, fixture.exchange(2)), timers.now()),
                "an exchange not yet routed does not expire");
        assertEquals(ErrorCode.TIMEOUT, timers.timeout().code());
        assertEquals("no response within 2000 ms", timers.timeout().getMessage());
    }

    @Test
    void anExchangeThatIsParkedFinishedOrHoldsItsAnswerDoesNotExpire() {
        Exchange parked = fixture.running(1);
        parked.parked = true;
        Exchange finished = fixture.running(2);
        finished.finished = true;
        Exchange answered = fixture.running(3);
        answered.pendingTerminal = Response.end(answered.id);
        fixture.time.advanceTimeBy(TIMEOUT.multipliedBy(10));
        assertNull(timers.expired(List.of(parked, finished, answered), timers.now()));
    }
}
