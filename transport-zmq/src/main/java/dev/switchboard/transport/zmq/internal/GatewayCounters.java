package dev.switchboard.transport.zmq.internal;

import dev.switchboard.transport.zmq.ZmqGatewayStats;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's counters, written by its agent's parts on the I/O thread (and {@code dropped} by
 * any thread whose command the full queue refuses), read by {@link #stats} from any thread. It owns
 * only the numbers: it must not decide what is counted, nor hold a reference to a worker or a
 * socket.
 */
final class GatewayCounters {

    final LongAdder registrations = new LongAdder();
    final LongAdder deadWorkers = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder requests = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder undeliverable = new LongAdder();
    final LongAdder unansweredCancels = new LongAdder();
    final LongAdder fencedAnswers = new LongAdder();
    final LongAdder lateAnswers = new LongAdder();

    /** A snapshot, with {@code workers} registered now. */
    ZmqGatewayStats stats(int workers) {
        return new ZmqGatewayStats(workers, registrations.sum(), deadWorkers.sum(), refused.sum(),
                malformed.sum(), requests.sum(), dropped.sum(), undeliverable.sum(), unansweredCancels.sum(),
                fencedAnswers.sum(), lateAnswers.sum());
    }
}
