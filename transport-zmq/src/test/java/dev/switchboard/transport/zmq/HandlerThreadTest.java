package dev.switchboard.transport.zmq;

import dev.switchboard.core.test.Await;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.worker.WorkerHandler;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * A handler that blocks runs off the ZeroMQ I/O thread by default; run inline (an explicit
 * option), it runs on that thread and is the caller's to keep non-blocking.
 */
class HandlerThreadTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Membership membership = Membership.create();
    private final Router router = Router.builder().membership(membership).build();
    private final ZmqGateway gateway = ZmqGateway.builder(membership)
            
            .bindNow();
    private final Set<String> threads = ConcurrentHashMap.newKeySet();
    private ZmqWorker worker;

    /** Notes the thread it runs on: where a handler that blocks (a file read) would block. */
    private final WorkerHandler blocking = (req, ctx) -> Mono.fromCallable(() -> {
        threads.add(Thread.currentThread().getName());
        return req.payload();
    }).flux();

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.dispose();
        }
        gateway.dispose();
        gateway.onDispose().block(WAIT);
        router.dispose();
    }

    private void start(ZmqWorkerSpec.Builder spec) {
        worker = ZmqWorker.builder(blocking).spec(spec.id("w").connect(gateway.endpoint()).build()).build();
        Await.until(WAIT, () -> router.loads().stream().anyMatch(l -> l.id().equals("w")),
                "the router sees the worker");
    }

    private static Request request(long id) {
        return Request.builder().id(RequestId.of(id)).key("k").payload(Payload.json(Long.toString(id))).build();
    }

    @Test
    void aBlockingHandlerRunsOffTheIoThreadByDefault() {
        start(ZmqWorkerSpec.builder());
        for (int i = 0; i < 20; i++) {
            StepVerifier.create(router.route(request(i))).expectNext(Payload.json(Integer.toString(i)))
                    .expectComplete().verify(WAIT);
        }
        assertFalse(threads.isEmpty());
        assertFalse(threads.stream().anyMatch(HandlerThreadTest::isIoThread), threads.toString());
    }

    @Test
    void theInlineOptionRunsTheHandlerOnTheIoThread() {
        start(ZmqWorkerSpec.builder().inline());
        StepVerifier.create(router.route(request(1))).expectNext(Payload.json("1")).expectComplete().verify(WAIT);
        assertTrue(threads.stream().allMatch(HandlerThreadTest::isIoThread), threads.toString());
    }

    private static boolean isIoThread(String name) {
        return name.startsWith(IoThreads.NAME_PREFIX);
    }
}
