package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.metrics.MetricsSnapshot;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.Await;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.core.worker.WorkerHandler;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * BlockHound is installed for every core test (blockhound-junit-platform): a blocking call on a
 * Reactor non-blocking thread fails. The relay's own path never blocks.
 */
class BlockHoundTest {

    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

    @Test
    void blockingCallOnAParallelThreadFails() {
        Mono<Integer> blocking = Mono.fromCallable(() -> {
            Thread.sleep(1);
            return 1;
        }).subscribeOn(Schedulers.parallel());
        StepVerifier.create(blocking)
                .expectErrorMatches(e -> e instanceof BlockingOperationError
                        && e.getMessage().contains("java.lang.Thread.sleep"))
                .verify(FIVE_SECONDS);
    }

    @Test
    void fullRelayRoundTripWithWorkersAnsweringOnParallelThreadsPasses() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        WorkerHandler onParallel = (req, ctx) -> Mono.fromSupplier(() -> {
            threads.add(Thread.currentThread().getName());
            return req.payload();
        }).subscribeOn(Schedulers.parallel()).flux().concatWith(Mono.delay(Duration.ofMillis(1)).map(t -> Payload.json("0")));
        Router router = Router.builder()
                .worker(LocalWorker.builder(onParallel).capacity(4).build())
                .worker(LocalWorker.builder(onParallel).capacity(4).build())
                .build();
        Relay relay = Relay.builder().router(router).maxInFlight(16).maxQueuedResponses(8).build();
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();

        int n = 2_000;
        Flux.range(0, n).publishOn(Schedulers.parallel())
                .doOnNext(i -> client.send(Wire.request(i, "k" + (i % 10), Integer.toString(i))))
                .blockLast(FIVE_SECONDS);

        Await.until(FIVE_SECONDS, () -> client.received().stream().filter(Wire::end).count() == n,
                () -> client.receivedCount() + " frames");
        List<Payload> frames = client.received();
        int at = 0;
        for (int i = 0; i < n; i++) {
            assertEquals("{\"id\":" + i + ",\"body\":" + i + "}", frames.get(at++).utf8());
            // the second item comes from a timer: it carries the end when the timer fired before the
            // relay asked for it (item and end then arrive in that call), else the end follows alone
            String second = frames.get(at++).utf8();
            if (second.equals("{\"id\":" + i + ",\"body\":0}")) {
                assertEquals("{\"id\":" + i + ",\"end\":true}", frames.get(at++).utf8());
            } else {
                assertEquals("{\"id\":" + i + ",\"body\":0,\"end\":true}", second);
            }
        }
        assertEquals(at, frames.size());
        assertTrue(threads.stream().allMatch(t -> t.startsWith("parallel-")), threads.toString());
        MetricsSnapshot s = relay.metrics().snapshot();
        assertTrue(s.errors().values().stream().allMatch(c -> c == 0), s.errors().toString());
        assertEquals(0, s.inFlight());
    }

    @Test
    void blockingHandlerPassesOnItsBoundedSchedulerAndIsCaughtOnANonBlockingThread(@TempDir Path dir)
            throws IOException {
        Path file = Files.writeString(dir.resolve("tile.json"), "{\"tile\":1}");
        WorkerHandler readsAFile = (req, ctx) -> Flux.defer(() -> {
            try (FileInputStream in = new FileInputStream(file.toFile())) {
                return Flux.just(Payload.json(in.readAllBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertEquals(List.of("{\"id\":1,\"body\":{\"tile\":1},\"end\":true}"),
                roundTripFromParallelThread(LocalWorker.builder(readsAFile).blocking().build()));

        // the same handler declared non-blocking, called from a parallel thread: BlockHound stops it
        List<Throwable> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        WorkerHandler watched = (req, ctx) -> readsAFile.handle(req, ctx).doOnError(seen::add);
        List<String> caught = roundTripFromParallelThread(LocalWorker.builder(watched).build());
        assertEquals(1, caught.size());
        assertEquals("worker_failed", Wire.errorCode(Payload.text(caught.get(0))));
        assertEquals(1, seen.size());
        assertTrue(seen.get(0) instanceof BlockingOperationError, seen.get(0).toString());
    }

    private static List<String> roundTripFromParallelThread(LocalWorker worker) {
        Relay relay = Relay.builder().router(Router.builder().worker(worker).build()).build();
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        Mono.fromRunnable(() -> client.send(Payload.text("{\"id\":1,\"key\":\"tile\"}".getBytes(StandardCharsets.UTF_8))))
                .subscribeOn(Schedulers.parallel()).block(FIVE_SECONDS);
        Await.until(FIVE_SECONDS, () -> client.receivedCount() == 1, "an answer");
        assertNotNull(client.received().get(0));
        return client.received().stream().map(Payload::utf8).toList();
    }
}
