package dev.switchboard.transport.zmq;

import dev.switchboard.core.test.Await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Payload;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.worker.WorkerHandler;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * BlockHound watches the ZeroMQ I/O thread ({@link IoThreadBlockHound}). A handler that blocks
 * runs off that thread by default and trips nothing; run inline, it is the caller's to keep
 * non-blocking, and BlockHound catches one that does not.
 */
@Tag(IoThreadBlockHound.TAG)
@ExtendWith(IoThreadBlockHound.class)
class IoThreadBlockingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Membership membership = Membership.create();
    private final Router router = Router.builder().membership(membership).build();
    private final Set<String> threads = ConcurrentHashMap.newKeySet();
    private ZmqGateway gateway;
    private ZmqWorker worker;

    /**
     * Sleeps a millisecond, as a handler reading a file would block: the sleep is the blocking
     * call BlockHound must catch on the I/O thread (the negative control asserts it), not a wait.
     */
    private final WorkerHandler blocking = (req, ctx) -> Mono.fromCallable(() -> {
        threads.add(Thread.currentThread().getName());
        Thread.sleep(1);
        return req.payload();
    }).flux();

    @BeforeEach
    void setUp() {
        IoThreadBlockHound.clear();
        gateway = ZmqGateway.builder(membership).bindNow();
    }

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.dispose();
            worker.onDispose().block(WAIT);
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
    void aBlockingHandlerWithTheDefaultSpecTripsNothing() {
        start(ZmqWorkerSpec.builder());
        for (int i = 0; i < 20; i++) {
            StepVerifier.create(router.route(request(i))).expectNext(Payload.json(Integer.toString(i)))
                    .expectComplete().verify(WAIT);
        }
        assertFalse(threads.isEmpty());
        assertFalse(threads.stream().anyMatch(t -> t.startsWith(IoThreads.NAME_PREFIX)), threads.toString());
        assertEquals(List.of(), IoThreadBlockHound.caught());
    }

    @Test
    void aBlockingHandlerRunInlineIsCaughtByBlockHound() {
        start(ZmqWorkerSpec.builder().inline());
        // BlockHound's error is an Error, which Reactor's fromCallable lets through: the worker's
        // agent fails that request (worker_failed) and goes on
        StepVerifier.create(router.route(request(1)))
                .expectErrorSatisfies(e -> assertTrue(e instanceof RelayException, e.toString()))
                .verify(WAIT);
        assertTrue(threads.stream().allMatch(t -> t.startsWith(IoThreads.NAME_PREFIX)), threads.toString());
        List<String> caught = IoThreadBlockHound.caught();
        assertEquals(1, caught.size(), caught.toString());
        assertTrue(caught.get(0).contains("java.lang.Thread.sleep"), caught.toString());
    }
}
