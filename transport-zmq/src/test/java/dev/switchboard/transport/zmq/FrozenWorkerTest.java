package dev.switchboard.transport.zmq;

import dev.switchboard.core.test.Await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.worker.LocalWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * A real {@link ZmqWorker} frozen past its gateway's deadline, in one JVM: an inline handler
 * holds the worker's I/O thread (as a long GC pause or a SIGSTOP would hold the process) until
 * the gateway has given the registration up, then lets go. No answer of the old registration
 * reaches a client; each non-idempotent request it held or had been sent is answered
 * {@code worker_failed} once and runs at most once (the handler's runs per request id say so);
 * the idempotent one is answered once, by another worker; the worker cancels what it served,
 * registers anew, and serves.
 *
 * <p>The gateway runs under CURVE, on a ZeroMQ context and I/O thread of its own: the worker's
 * frozen thread is the process's shared one.
 */
class FrozenWorkerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration HEARTBEAT = Duration.ofMillis(100);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final Membership membership = Membership.create();
    private final Router router = Router.builder().membership(membership).build();
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> healthyRuns = new ConcurrentHashMap<>();
    private final CountDownLatch thaw = new CountDownLatch(1);
    private final CountDownLatch heldCancelled = new CountDownLatch(1);

    @AfterEach
    void tearDown() throws Exception {
        thaw.countDown();
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        router.dispose();
    }

    @Test
    void aWorkerFrozenPastItsDeadlineDeliversNothingOldRunsNothingTwiceAndServesAgain() throws Exception {
        CurveKeyPair serverKeys = CurveKeyPair.generate();
        CurveKeyPair workerKeys = CurveKeyPair.generate();
        ZmqGateway gateway = ZmqGateway.builder(membership).spec(ZmqGatewaySpec.builder().curve(serverKeys)
                .allowWorker(workerKeys.publicKey()).heartbeatInterval(HEARTBEAT).build()).bindNow();
        toClose.add(() -> {
            gateway.dispose();
            gateway.onDispose().block(WAIT);
        });
        // inline: the handler runs on the worker's I/O thread, which the first request freezes
        ZmqWorker worker = ZmqWorker.builder((req, ctx) -> {
            String id = req.id().toString();
            runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            return switch (id) {
                case "1" -> Flux.defer(() -> {
                    freeze();
                    return Flux.just(Payload.text("old 1"));
                });
                case "2" -> Flux.<Payload>never().doOnCancel(heldCancelled::countDown);
                default -> Flux.just(Payload.text("from w1 " + id));
            };
        }).spec(ZmqWorkerSpec.builder().id("w1").capacity(4).inline().connect(gateway.endpoint())
                .curve(serverKeys.publicKey(), workerKeys).heartbeatInterval(HEARTBEAT).build()).build();
        toClose.add(worker::dispose);
        Await.until(WAIT, () -> gateway.workerIds().contains("w1"), "w1 registered");

        List<String> held = subscribe(request(2, true));
        Await.until(WAIT, () -> runs(runs, "2") == 1, "w1 holds the idempotent request");
        List<String> frozen = subscribe(request(1, false));
        Await.until(WAIT, () -> runs(runs, "1") == 1, "w1 froze in the non-idempotent request");
        List<String> queued = subscribe(request(3, false));
        Await.until(WAIT, () -> gateway.stats().requests() == 3, "a third request went to the frozen w1");

        membership.join(healthyWorker());
        Await.until(WAIT, () -> ended(held) && ended(frozen) && ended(queued), "the gateway gave w1 up");
        assertEquals(List.of("error worker_failed"), frozen);
        assertEquals(List.of("error worker_failed"), queued);
        assertEquals(List.of("item healthy 2", "complete"), held);

        thaw.countDown();
        assertTrue(heldCancelled.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "w1 cancelled what it served");
        Await.until(WAIT, () -> gateway.stats().registrations() == 2 && gateway.workerIds().contains("w1"),
                "w1 registered anew");
        membership.leave("healthy");
        List<String> fresh = subscribe(request(4, false));
        Await.until(WAIT, () -> ended(fresh), "the new registration serves");
        assertEquals(List.of("item from w1 4", "complete"), fresh);

        assertEquals(List.of("error worker_failed"), frozen, "one answer, never another");
        assertEquals(List.of("error worker_failed"), queued, "one answer, never another");
        assertEquals(List.of("item healthy 2", "complete"), held, "one answer, never another");
        assertEquals(1, runs(runs, "1"), "the request it froze in ran once");
        assertEquals(0, runs(runs, "3"), "the request queued for the old registration never ran: " + runs);
        assertEquals(1, runs(healthyRuns, "2"));
        assertEquals(1, healthyRuns.size(), "only the idempotent request ran again: " + healthyRuns);
        // the answer it finished as it thawed went to the old registration, and no further
        assertEquals(1, gateway.stats().fencedAnswers(), gateway.stats().toString());
        assertEquals(0, gateway.stats().malformed(), gateway.stats().toString());
    }

    /** The test's deliberate stall of the worker's I/O thread, bounded. */
    private void freeze() {
        try {
            thaw.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private LocalWorker healthyWorker() {
        LocalWorker w = LocalWorker.builder((req, ctx) -> {
            healthyRuns.computeIfAbsent(req.id().toString(), k -> new AtomicInteger()).incrementAndGet();
            return Flux.just(Payload.text("healthy " + req.id()));
        }).id("healthy").capacity(4).build();
        toClose.add(w::close);
        return w;
    }

    private static int runs(Map<String, AtomicInteger> runs, String id) {
        AtomicInteger n = runs.get(id);
        return n == null ? 0 : n.get();
    }

    private List<String> subscribe(Request r) {
        return Signals.record(router.route(r), toClose);
    }

    private static boolean ended(List<String> signals) {
        return Signals.ended(signals);
    }

    private static Request request(long id, boolean idempotent) {
        return Signals.request(id, idempotent);
    }
}
