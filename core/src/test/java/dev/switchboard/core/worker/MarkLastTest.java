package dev.switchboard.core.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.core.Payload;
import dev.switchboard.core.transport.WorkerLink.Item;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The last-item mark: known within the call that produced the item, never waited for. */
class MarkLastTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private static Payload p(int i) {
        return Payload.json(Integer.toString(i));
    }

    @Test
    void anItemAndItsEndInOneCallAreOneMarkedItem() {
        StepVerifier.create(new MarkLast(Flux.just(p(1))), 1)
                .expectNext(Item.last(p(1)))
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(new MarkLast(Mono.fromCallable(() -> p(2)).flux()))
                .expectNext(Item.last(p(2)))
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void aStreamAskedOneAtATimeMarksOnlyItsLastItem() {
        StepVerifier.create(new MarkLast(Flux.range(0, 3).map(MarkLastTest::p)), 1)
                .expectNext(Item.next(p(0)))
                .thenRequest(1)
                .expectNext(Item.next(p(1)))
                .thenRequest(1)
                .expectNext(Item.last(p(2)))
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void anItemProducedLaterGoesAtOnceAndItsEndFollowsAlone() {
        StepVerifier.withVirtualTime(() -> new MarkLast(Mono.delay(Duration.ofMillis(300)).map(t -> p(7)).flux()))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(299))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(Item.next(p(7)))
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void anErrorAfterAnItemLeavesTheItemUnmarked() {
        StepVerifier.create(new MarkLast(Flux.just(p(1)).concatWith(Mono.error(new IllegalStateException("x")))))
                .expectNext(Item.next(p(1)))
                .expectError(IllegalStateException.class)
                .verify(WAIT);
    }

    @Test
    void aLongSynchronousStreamAskedOneAtATimeLoopsInsteadOfRecursing() {
        int n = 200_000;
        AtomicInteger seen = new AtomicInteger();
        AtomicInteger marked = new AtomicInteger();
        new MarkLast(Flux.range(0, n).map(MarkLastTest::p)).subscribe(new BaseSubscriber<Item>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                s.request(1);
            }

            @Override
            protected void hookOnNext(Item item) {
                seen.incrementAndGet();
                if (item.last()) {
                    marked.incrementAndGet();
                }
                request(1);
            }
        });
        assertEquals(n, seen.get());
        assertEquals(1, marked.get());
    }
}
