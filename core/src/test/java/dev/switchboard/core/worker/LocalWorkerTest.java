package dev.switchboard.core.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Payload;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.transport.WorkerLink.Item;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class LocalWorkerTest {

    private static Request request(long id) {
        return Request.builder().id(RequestId.of(id)).key("k").payload(Payload.json(Long.toString(id))).build();
    }

    @Test
    void fullWorkerServesTheWaitingRequestAsSoonAsARunningOneCompletes() {
        List<Sinks.One<Payload>> running = new CopyOnWriteArrayList<>();
        LocalWorker worker = LocalWorker.builder((req, ctx) -> {
            Sinks.One<Payload> answer = Sinks.one();
            running.add(answer);
            return answer.asMono().flux();
        }).capacity(1).build();
        Router router = Router.builder().worker(worker).build();

        StepVerifier first = StepVerifier.create(router.route(request(1))).expectNext(Payload.json("a")).expectComplete()
                .verifyLater();
        StepVerifier second = StepVerifier.create(router.route(request(2))).expectNext(Payload.json("b")).expectComplete()
                .verifyLater();
        assertEquals(1, running.size(), "request 2 waits for the only credit");
        assertEquals(1, router.stats().waiting());

        // the router hands the credit to request 2 while request 1's completion is being delivered
        running.get(0).tryEmitValue(Payload.json("a"));
        assertEquals(2, running.size(), "request 2 was not started on the freed credit");
        running.get(1).tryEmitValue(Payload.json("b"));
        first.verify(Duration.ofSeconds(1));
        second.verify(Duration.ofSeconds(1));
        assertEquals(0, worker.active());
        assertEquals(0, router.loads().get(0).active());
    }

    @Test
    void creditIsFreeBeforeAnErrorOrCancellationReachesTheCaller() {
        LocalWorker worker = LocalWorker.builder((req, ctx) -> Flux.never()).capacity(1).build();
        StepVerifier.create(worker.exchange(request(1)))
                .then(() -> assertEquals(1, worker.active()))
                .thenCancel()
                .verify(Duration.ofSeconds(1));
        assertEquals(0, worker.active());

        LocalWorker failing = LocalWorker.builder((req, ctx) -> Flux.error(new IllegalStateException("x")))
                .capacity(1).build();
        StepVerifier.create(failing.exchange(request(1)).onErrorResume(e -> failing.exchange(request(2))))
                .expectErrorMatches(e -> e instanceof IllegalStateException)
                .verify(Duration.ofSeconds(1));
        assertEquals(0, failing.active());
    }

    @Test
    void callerBeyondCapacityIsAnsweredOverloaded() {
        LocalWorker worker = LocalWorker.builder((req, ctx) -> Flux.never()).capacity(1).build();
        worker.exchange(request(1)).subscribe();
        StepVerifier.create(worker.exchange(request(2)))
                .expectErrorMatches(e -> e instanceof RelayException r && r.code() == ErrorCode.OVERLOADED)
                .verify(Duration.ofSeconds(1));
        assertEquals(1, worker.active());
    }

    @Test
    void blockingHandlerRunsOnItsSchedulerNeverOnTheCallersThread() {
        Scheduler blocking = Schedulers.newBoundedElastic(2, 16, "blocking-test");
        try {
            List<String> threads = new CopyOnWriteArrayList<>();
            LocalWorker worker = LocalWorker.builder((req, ctx) -> {
                threads.add(Thread.currentThread().getName());
                return Flux.just(req.payload());
            }).blocking(blocking).build();
            StepVerifier.create(worker.exchange(request(7))).expectNext(Item.last(Payload.json("7"))).verifyComplete();
            assertEquals(1, threads.size());
            assertNotEquals(Thread.currentThread().getName(), threads.get(0));
            assertTrue(threads.get(0).startsWith("blocking-test"), threads.get(0));
        } finally {
            blocking.dispose();
        }
    }

    @Test
    void closedWorkerFailsNewRequestsAndCompletesOnClose() {
        LocalWorker worker = LocalWorker.builder((req, ctx) -> Flux.just(req.payload())).build();
        worker.close();
        StepVerifier.create(worker.onClose()).verifyComplete();
        StepVerifier.create(worker.exchange(request(1)))
                .expectErrorMatches(e -> e instanceof RelayException r && r.code() == ErrorCode.WORKER_FAILED)
                .verify(Duration.ofSeconds(1));
    }

    @Test
    void handlerSeesWhetherItsKeyWasCachedAndTheWorkerRecordsHitAndMissTimes() {
        ResourceCache<String, AutoCloseable> cache = ResourceCache.<String, AutoCloseable>builder(k -> () -> { })
                .build();
        long[] now = {0};
        LocalWorker worker = LocalWorker.builder((req, ctx) -> {
            cache.apply(req.key(), r -> r);
            now[0] += ctx.cachedAtStart() ? 10 : 1_000;
            return Flux.just(Payload.json(Boolean.toString(ctx.cachedAtStart())));
        }).cache(cache).clock(() -> now[0]).build();
        StepVerifier.create(worker.exchange(request(1))).expectNext(Item.last(Payload.json("false"))).verifyComplete();
        StepVerifier.create(worker.exchange(request(2))).expectNext(Item.last(Payload.json("true"))).verifyComplete();
        assertEquals(10, worker.serviceTimes().hitNanos());
        assertEquals(1_000, worker.serviceTimes().missNanos());
    }
}
