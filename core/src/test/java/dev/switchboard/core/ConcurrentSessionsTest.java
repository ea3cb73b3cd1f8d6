package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.core.metrics.MetricsSnapshot;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RoutingStrategies;
import dev.switchboard.core.routing.WorkerLoad;
import dev.switchboard.core.test.Await;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.core.worker.WorkerHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Many sessions at once, workers streaming on parallel threads, clients reading in small steps
 * from other threads: every response arrives whole, once, in its order, and every counter,
 * permit and credit comes back to zero.
 */
class ConcurrentSessionsTest {

    private static final int SESSIONS = 8;
    private static final int REQUESTS = 300;

    /**
     * Answers request i with (i % 4) items, each emitted on a parallel thread: the end is learnt
     * after the last item, so it comes as a frame of its own.
     */
    private static final WorkerHandler STREAMS = (req, ctx) -> {
        int n = (int) (req.id().asLong() % 4);
        return Flux.range(0, n).concatMap(k -> Mono.fromSupplier(() -> Payload.json(Integer.toString(k)))
                .subscribeOn(Schedulers.parallel()), 1);
    };

    @ParameterizedTest
    @EnumSource(Ordering.class)
    void concurrentSessionsGetEveryItemOnceInOrderAndFreeEverything(Ordering ordering) {
        List<LocalWorker> workers = List.of(
                LocalWorker.builder(STREAMS).capacity(3).build(),
                LocalWorker.builder(STREAMS).capacity(3).build(),
                LocalWorker.builder(STREAMS).capacity(3).build());
        Router.Builder rb = Router.builder().strategy(RoutingStrategies.leastLoaded());
        workers.forEach(rb::worker);
        Router router = rb.build();
        Relay relay = Relay.builder().router(router).ordering(ordering).maxInFlight(8).maxQueuedResponses(3).build();

        List<LocalConnection> clients = new ArrayList<>();
        for (int s = 0; s < SESSIONS; s++) {
            LocalConnection c = LocalConnection.notReading();
            clients.add(c);
            relay.serve(c).subscribe();
        }
        int expectedFrames = 0;
        for (int i = 0; i < REQUESTS; i++) {
            expectedFrames += i % 4 == 0 ? 1 : i % 4 + 1;
        }
        int perSession = expectedFrames;
        // each client sends and reads from its own parallel thread, reading a few frames at a time
        Flux<Void> sessions = Flux.fromIterable(clients).flatMap(c -> Mono.fromRunnable(() -> {
            for (int i = 0; i < REQUESTS; i++) {
                c.send(Wire.request(i, "k" + (i % 5), "null"));
            }
        }).subscribeOn(Schedulers.parallel()).then(Flux.interval(Duration.ofMillis(1), Schedulers.parallel())
                .onBackpressureDrop()
                .doOnNext(t -> c.read(1 + t % 3))
                .takeUntil(t -> c.receivedCount() >= perSession)
                .then()), SESSIONS);
        try {
            sessions.blockLast(Duration.ofSeconds(20));
        } catch (IllegalStateException timeout) {
            StringBuilder sb = new StringBuilder("stalled: " + relay.metrics().snapshot());
            for (LocalConnection c : clients) {
                sb.append("\n client received ").append(c.receivedCount()).append(" of ").append(perSession)
                        .append(", requested frames ").append(c.requestedFrames());
            }
            throw new AssertionError(sb.toString(), timeout);
        }

        for (LocalConnection c : clients) {
            Await.until(Duration.ofSeconds(10), () -> c.receivedCount() >= perSession, () -> c.receivedCount() + " frames");
            checkStreams(c.received(), ordering);
            assertEquals(perSession, c.receivedCount());
        }
        Await.until(Duration.ofSeconds(5), () -> {
            MetricsSnapshot s = relay.metrics().snapshot();
            return s.inFlight() == 0 && s.queuedResponses() == 0 && s.waiting() == 0
                    && router.loads().stream().mapToInt(WorkerLoad::active).sum() == 0
                    && workers.stream().allMatch(w -> w.active() == 0);
        }, () -> "not freed: " + relay.metrics().snapshot());
        clients.forEach(LocalConnection::vanish);
        Await.until(Duration.ofSeconds(5), () -> relay.metrics().snapshot().sessions() == 0, "sessions ended");
        MetricsSnapshot s = relay.metrics().snapshot();
        assertEquals((long) SESSIONS * REQUESTS, s.requests());
        assertEquals((long) SESSIONS * perSession, s.frames());
        s.errors().forEach((code, count) -> assertEquals(0L, count, code));
    }

    /** Each request's items 0..n-1 in order, then its end; in request order if ORDERED. */
    private static void checkStreams(List<Payload> frames, Ordering ordering) {
        int[] next = new int[REQUESTS];
        boolean[] ended = new boolean[REQUESTS];
        int lastEnded = -1;
        for (Payload f : frames) {
            var json = Wire.json(f);
            int id = json.get("id").asInt();
            int n = id % 4;
            assertEquals(false, ended[id], "a frame after the end of " + id);
            if (next[id] == n) {
                assertEquals("{\"id\":" + id + ",\"end\":true}", f.utf8());
            } else {
                assertEquals(next[id], json.get("body").asInt(), "item order of " + id);
                assertEquals(false, Wire.end(f), "end flag of " + id + ": " + f.utf8());
                next[id]++;
            }
            ended[id] = Wire.end(f);
            if (ordering == Ordering.ORDERED) {
                assertEquals(true, id == lastEnded + 1, "request " + id + " answered before " + (lastEnded + 1));
                if (ended[id]) {
                    lastEnded = id;
                }
            }
        }
        for (int i = 0; i < REQUESTS; i++) {
            assertEquals(true, ended[i], "request " + i + " never ended");
        }
    }
}
