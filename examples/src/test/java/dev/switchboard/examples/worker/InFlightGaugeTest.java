package dev.switchboard.examples.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.worker.WorkerContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/** The worker example's own count of requests in flight: its peak, whatever ends a request. */
class InFlightGaugeTest {

    private static final WorkerContext CTX = new WorkerContext() {
        @Override
        public String workerId() {
            return "t";
        }

        @Override
        public boolean cachedAtStart() {
            return false;
        }
    };

    @Test
    void countsThePeakOfRequestsRunningAtOnceAndFreesOnCompleteErrorAndCancel() {
        List<Sinks.One<Payload>> running = new ArrayList<>();
        InFlightGauge gauge = new InFlightGauge((request, context) -> {
            Sinks.One<Payload> s = Sinks.one();
            running.add(s);
            return s.asMono().flux();
        }, 2);
        Request r = Request.builder().id(RequestId.of(1)).key("k").build();
        Flux<Payload> first = gauge.handle(r, CTX);
        assertTrue(running.isEmpty(), "nothing runs before a subscriber comes");
        Disposable a = first.subscribe();
        gauge.handle(r, CTX).subscribe();
        gauge.handle(r, CTX).subscribe(p -> { }, e -> { });
        assertEquals(3, gauge.peak());
        running.get(1).tryEmitValue(Payload.jsonNull());
        running.get(2).tryEmitError(new IllegalStateException("failed"));
        a.dispose();
        gauge.handle(r, CTX).subscribe();
        gauge.handle(r, CTX).subscribe();
        assertEquals(3, gauge.peak(), "the three ended (complete, error, cancel): two more make two in flight");
        gauge.handle(r, CTX).subscribe();
        gauge.handle(r, CTX).subscribe();
        assertEquals(4, gauge.peak());
    }
}
