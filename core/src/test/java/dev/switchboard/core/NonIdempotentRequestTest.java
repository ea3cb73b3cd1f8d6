package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.Await;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.worker.LocalWorker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * End to end, from the client's {@code "idempotent"} field to the router's retry: the worker
 * serving a request is lost before it answers; a request marked {@code "idempotent": false} is
 * answered {@code worker_failed} once and its handler ran once, an idempotent one (the default)
 * is run once more on the other worker and answered.
 */
class NonIdempotentRequestTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    /** Every run of the handler, as the id of the worker that ran it. */
    final List<String> runs = new CopyOnWriteArrayList<>();
    /** The first run's answer, held open until the test fails it as a lost link would. */
    final Sinks.Many<Payload> held = Sinks.many().unicast().onBackpressureBuffer();

    final Map<String, LocalWorker> workers = Map.of("a", worker("a"), "b", worker("b"));
    final Router router = Router.builder().worker(workers.get("a")).worker(workers.get("b")).build();
    final Relay relay = Relay.builder().router(router).build();
    final LocalConnection client = LocalConnection.reading();
    final Disposable session = relay.serve(client).subscribe();

    LocalWorker worker(String id) {
        return LocalWorker.builder((req, ctx) -> {
            runs.add(ctx.workerId());
            return runs.size() == 1 ? held.asFlux() : Flux.just(Payload.json("\"" + ctx.workerId() + "\""));
        }).id(id).build();
    }

    @AfterEach
    void close() {
        session.dispose();
        router.dispose();
        workers.values().forEach(LocalWorker::close);
    }

    /** Sends request 1, then loses the worker running it: it leaves, then its stream fails. */
    String sendAndLoseItsWorker(String request) {
        client.sendText(request);
        Await.until(WAIT, () -> runs.size() == 1, "the first run");
        String lost = runs.get(0);
        workers.get(lost).close();
        held.tryEmitError(new IllegalStateException("connection reset"));
        return lost;
    }

    @Test
    void aNonIdempotentRequestWhoseWorkerIsLostIsAnsweredWorkerFailedOnceAndRunOnce() {
        sendAndLoseItsWorker("{\"id\":1,\"key\":\"k\",\"idempotent\":false}");
        // a later request answered after it: nothing more can come for request 1
        client.sendText("{\"id\":2,\"key\":\"k\"}");
        Await.until(WAIT, () -> client.receivedCount() == 2, () -> "two answers, got " + client.received());

        List<Payload> frames = client.received();
        assertEquals(List.of("1", "2"), Wire.ids(frames));
        assertEquals("worker_failed", Wire.errorCode(frames.get(0)));
        assertEquals(2, runs.size(), "request 1 ran once, request 2 once: " + runs);
        assertEquals(0, router.stats().retried());
    }

    @Test
    void anIdempotentRequestWhoseWorkerIsLostRunsOnceMoreOnTheOtherWorker() {
        String lost = sendAndLoseItsWorker("{\"id\":1,\"key\":\"k\"}");
        String other = lost.equals("a") ? "b" : "a";
        Await.until(WAIT, () -> client.receivedCount() == 1, "one answer");

        assertEquals("{\"id\":1,\"body\":\"" + other + "\",\"end\":true}", client.received().get(0).utf8());
        assertEquals(List.of(lost, other), runs);
        assertEquals(1, router.stats().retried());
    }

    @Test
    void anExplicitlyIdempotentRequestIsRetriedToo() {
        sendAndLoseItsWorker("{\"id\":1,\"key\":\"k\",\"idempotent\":true}");
        Await.until(WAIT, () -> client.receivedCount() == 1, "one answer");

        assertNull(Wire.json(client.received().get(0)).get("error"), "answered, not failed");
        assertEquals(2, runs.size(), "ran on both workers: " + runs);
        assertEquals(1, router.stats().retried());
    }
}
