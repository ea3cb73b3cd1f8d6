package dev.switchboard.examples.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Payload;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.worker.WorkerContext;
import dev.switchboard.core.worker.WorkerHandler;
import dev.switchboard.examples.WorkerApp;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The echo app's slow requests: {@code "holdMs"} in a JSON body, bounded, blocking no thread. */
class EchoHoldTest {

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

    private final WorkerApp app = EchoExample.app(4);

    @AfterEach
    void close() {
        app.close();
    }

    private static Request request(String body) {
        return Request.builder().id(RequestId.of(1)).key("k").payload(Payload.json(body)).build();
    }

    @Test
    void aHoldWithinTheLimitIsEchoedAfterItsWait() {
        WorkerHandler h = app.handler();
        StepVerifier.create(h.handle(request("{\"holdMs\":50,\"a\":1}"), CTX).subscribeOn(Schedulers.boundedElastic()))
                .assertNext(p -> assertTrue(p.utf8().contains("\"echo\":{\"holdMs\":50,\"a\":1}"), p.utf8()))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void aHoldOverTheLimitOrNotAnIntegerIsABadRequest() {
        for (String body : new String[] {"{\"holdMs\":" + (EchoWorker.MAX_HOLD_MS + 1) + "}", "{\"holdMs\":-1}",
                "{\"holdMs\":1.5}", "{\"holdMs\":\"10\"}"}) {
            StepVerifier.create(app.handler().handle(request(body), CTX))
                    .expectErrorSatisfies(e -> {
                        assertEquals(ErrorCode.BAD_REQUEST, assertInstanceOf(RelayException.class, e).code());
                        assertTrue(e.getMessage().contains("MAX_HOLD_MS"), e.getMessage());
                    })
                    .verify(Duration.ofSeconds(10));
        }
    }

    @Test
    void aHoldBlocksNoThreadAndAnswersWhenItsTimeIsUp() {
        // on the parallel scheduler (an event loop's kind of thread), in virtual time: nothing
        // before the hold is over, the answer at once after it
        StepVerifier.withVirtualTime(() -> app.handler().handle(request("{\"holdMs\":50}"), CTX)
                        .subscribeOn(Schedulers.parallel()))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(49))
                .thenAwait(Duration.ofMillis(1))
                .assertNext(p -> assertTrue(p.utf8().contains("\"echo\":{\"holdMs\":50}"), p.utf8()))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void aBodyWithoutAHoldIsEchoedAtOnce() {
        StepVerifier.create(Mono.from(app.handler().handle(request("{\"nested\":{\"holdMs\":99999999}}"), CTX)))
                .assertNext(p -> assertTrue(p.utf8().contains("\"cached\":false"), p.utf8()))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }
}
