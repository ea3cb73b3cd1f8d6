package dev.switchboard.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * A session's clock and its periodic sweep: the session reads time only here (from the relay's
 * timer, a seam that tests replace with virtual time), and one periodic task per session, every
 * quarter of the shorter of the request and slow-consumer timeouts (at least 10 ms), checks both.
 * It owns the request-timeout rule: an exchange that runs on a worker, holds a permit and has no
 * answer queued times out when its worker sent nothing for the request timeout. It must not
 * touch the session's queues, permits or connection: the sweep itself is the pipeline's, which
 * acts on what these rules say.
 */
final class SessionTimers {

    /** The shortest sweep period, so that short test timeouts do not make a busy timer. */
    static final long MIN_SWEEP_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Scheduler timer;
    private final Duration requestTimeout;
    private final long requestTimeoutNanos;
    private final long slowConsumerNanos;
    private Disposable sweeper = () -> { };

    SessionTimers(Scheduler timer, Duration requestTimeout, Duration slowConsumerTimeout) {
        this.timer = timer;
        this.requestTimeout = requestTimeout;
        this.requestTimeoutNanos = requestTimeout.toNanos();
        this.slowConsumerNanos = slowConsumerTimeout.toNanos();
    }

    /** The session's time, in nanoseconds. */
    long now() {
        return timer.now(TimeUnit.NANOSECONDS);
    }

    /** How long a client may leave a frame it could take unread. */
    long slowConsumerNanos() {
        return slowConsumerNanos;
    }

    /** The period of the sweep. */
    long sweepPeriodNanos() {
        return Math.max(MIN_SWEEP_PERIOD_NANOS, Math.min(requestTimeoutNanos, slowConsumerNanos) / 4);
    }

    /** Runs {@code sweep} every {@link #sweepPeriodNanos()} until {@link #stop()}. Call once. */
    void start(Runnable sweep) {
        long period = sweepPeriodNanos();
        sweeper = timer.schedulePeriodically(sweep, period, period, TimeUnit.NANOSECONDS);
    }

    /** Stops the sweep. */
    void stop() {
        sweeper.dispose();
    }

    /** Whether {@code ex} waited for its worker's next signal for the request timeout at {@code now}. Under the lock. */
    boolean expired(Exchange ex, long now) {
        return !ex.finished && ex.pendingTerminal == null && ex.begun && !ex.parked
                && now - ex.lastActivityNanos >= requestTimeoutNanos;
    }

    /** The exchanges of {@code line} {@link #expired(Exchange, long) expired} at {@code now}; null if none. Under the lock. */
    @Nullable List<Exchange> expired(Iterable<Exchange> line, long now) {
        List<Exchange> expired = null;
        for (Exchange ex : line) {
            if (expired(ex, now)) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(ex);
            }
        }
        return expired;
    }

    /** The error an expired exchange answers with. */
    RelayException timeout() {
        return new RelayException(ErrorCode.TIMEOUT, "no response within " + requestTimeout.toMillis() + " ms");
    }
}
