package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.core.worker.WorkerHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * No item waits for the next signal on its way to the client: each goes as it is produced, with
 * {@code end} when the worker knew it was the last, and a one-item answer stays one frame.
 */
class StreamedItemsTest {

    private static final Duration GAP = Duration.ofMillis(300);
    private static final Duration TICK = Duration.ofMillis(1);

    @Test
    void eachItemOfAStreamReachesTheClientAtTheInstantItIsProduced() {
        AtomicReference<LocalConnection> client = new AtomicReference<>();
        StepVerifier.withVirtualTime(() -> {
            WorkerHandler threeItems = (req, ctx) -> Flux.interval(GAP).take(3).map(i -> Payload.json(Long.toString(i)));
            Relay relay = Relay.builder().router(Router.builder().worker(LocalWorker.builder(threeItems).build()).build())
                    .timer(VirtualTimeScheduler.get()).build();
            LocalConnection c = LocalConnection.reading();
            client.set(c);
            relay.serve(c).subscribe();
            c.send(Wire.request(1, "k", "null"));
            return c.frames().map(Payload::utf8).take(4);
        })
                .expectSubscription()
                .expectNoEvent(GAP.minus(TICK)).thenAwait(TICK)
                .expectNext("{\"id\":1,\"body\":0}")
                .expectNoEvent(GAP.minus(TICK)).thenAwait(TICK)
                .expectNext("{\"id\":1,\"body\":1}")
                .expectNoEvent(GAP.minus(TICK)).thenAwait(TICK)
                // the timer that produced the last item ends the stream after it: the end follows alone
                .expectNext("{\"id\":1,\"body\":2}", "{\"id\":1,\"end\":true}")
                .expectComplete()
                .verify(Duration.ofSeconds(5));
        client.get().vanish();
    }

    static Stream<Arguments> oneItemAnswers() {
        Payload p = Payload.json("\"tile\"");
        return Stream.of(
                Arguments.of("Flux.just", (WorkerHandler) (req, ctx) -> Flux.just(p)),
                Arguments.of("Mono.just(..).flux()", (WorkerHandler) (req, ctx) -> Mono.just(p).flux()),
                Arguments.of("Mono.fromCallable(..).flux()", (WorkerHandler) (req, ctx) -> Mono.fromCallable(() -> p).flux()),
                Arguments.of("Flux.fromIterable, one", (WorkerHandler) (req, ctx) -> Flux.fromIterable(List.of(p))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oneItemAnswers")
    void aOneItemAnswerIsOneFrame(String name, WorkerHandler handler) {
        Relay relay = Relay.builder().router(Router.builder().worker(LocalWorker.builder(handler).build()).build()).build();
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        client.send(Wire.request(1, "k", "null"));
        client.send(Wire.request(2, "k", "null"));
        assertEquals(List.of("{\"id\":1,\"body\":\"tile\",\"end\":true}", "{\"id\":2,\"body\":\"tile\",\"end\":true}"),
                client.received().stream().map(Payload::utf8).toList());
        client.vanish();
    }

    @Test
    void aStreamProducedInOneCallEndsWithItsLastItem() {
        Relay relay = Relay.builder().router(Router.builder().worker(LocalWorker.builder(
                (req, ctx) -> Flux.range(0, 3).map(i -> Payload.json(Integer.toString(i)))).build()).build()).build();
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        client.send(Wire.request(1, "k", "null"));
        assertEquals(List.of("{\"id\":1,\"body\":0}", "{\"id\":1,\"body\":1}", "{\"id\":1,\"body\":2,\"end\":true}"),
                client.received().stream().map(Payload::utf8).toList());
        client.vanish();
    }
}
