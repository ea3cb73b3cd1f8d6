package dev.switchboard.core.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.transport.WorkerLink.Item;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * The rules of a request to a non-blocking {@link LocalWorker} ({@link DirectCall}) that the
 * worker's own tests do not reach: its credit comes back exactly once, however cancel and the end
 * meet, and only a completed request is timed.
 */
class DirectCallTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private static Request request(long id) {
        return Request.builder().id(RequestId.of(id)).key("k").payload(Payload.json(Long.toString(id))).build();
    }

    @Test
    void creditComesBackOnceWhenTheCallerCancelsOnTheLastItem() {
        LocalWorker worker = LocalWorker.builder((req, ctx) -> Flux.just(req.payload())).capacity(1).build();
        // take(1) cancels from within onNext of the marked item, before the completion follows it
        StepVerifier.create(worker.exchange(request(1)).take(1))
                .expectNext(Item.last(Payload.json("1")))
                .expectComplete()
                .verify(WAIT);
        assertEquals(0, worker.active());
        StepVerifier.create(worker.exchange(request(2)))
                .expectNext(Item.last(Payload.json("2")))
                .expectComplete()
                .verify(WAIT);
        assertEquals(0, worker.active());
    }

    @Test
    void creditComesBackOnceWhenTheCallerCancelsAfterTheEnd() {
        LocalWorker worker = LocalWorker.builder((req, ctx) -> Flux.just(req.payload())).capacity(1).build();
        Subscription[] held = new Subscription[1];
        worker.exchange(request(1)).subscribe(new BaseSubscriber<Item>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                held[0] = s;
                s.request(1);
            }
        });
        assertEquals(0, worker.active());
        held[0].cancel();
        assertEquals(0, worker.active(), "a late cancel gave the credit back a second time");
    }

    @Test
    void onlyACompletedRequestIsTimed() {
        long[] now = {0};
        LocalWorker worker = LocalWorker.builder((req, ctx) -> {
            now[0] += 1_000;
            return switch (req.payload().utf8()) {
                case "1" -> Flux.never();
                case "2" -> Flux.error(new IllegalStateException("fails"));
                default -> Flux.just(req.payload());
            };
        }).clock(() -> now[0]).build();

        StepVerifier.create(worker.exchange(request(1))).thenCancel().verify(WAIT);
        StepVerifier.create(worker.exchange(request(2))).expectError(IllegalStateException.class).verify(WAIT);
        assertEquals(0, worker.serviceTimes().missNanos(), "a cancelled or failed request was timed");

        StepVerifier.create(worker.exchange(request(3))).expectNextCount(1).expectComplete().verify(WAIT);
        assertEquals(1_000, worker.serviceTimes().missNanos());
        assertEquals(0, worker.active());
    }
}
