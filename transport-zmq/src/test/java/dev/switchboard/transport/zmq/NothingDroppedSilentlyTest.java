package dev.switchboard.transport.zmq;

import dev.switchboard.core.test.Await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Payload;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.transport.WorkerLink;
import dev.switchboard.transport.zmq.internal.Exchange;
import dev.switchboard.transport.zmq.internal.GatewayAgent;
import dev.switchboard.transport.zmq.internal.Protocol;
import dev.switchboard.transport.zmq.internal.RemoteWorker;
import dev.switchboard.transport.zmq.internal.SharedContext;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.zeromq.ZContext;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Where a message cannot go, the request ends with an error, the credit comes back and a
 * counter says so: a CANCEL the worker never answers, a CREDIT the gateway's full queue refuses,
 * an item the worker's full queue refuses.
 */
class NothingDroppedSilentlyTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final Membership membership = Membership.create();
    private final Router router = Router.builder().membership(membership).build();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        router.dispose();
    }

    private static Request request(long id) {
        return Request.builder().id(RequestId.of(id)).key("k").payload(Payload.json(Long.toString(id))).build();
    }

    private static long tag(byte[] requestFrame) {
        return ByteBuffer.wrap(requestFrame, Protocol.ENVELOPE + 4, 8).getLong();
    }

    @Test
    void aCancelTheWorkerNeverAnswersReturnsItsCreditAfterTheCancelWait() {
        ZmqGateway gateway = ZmqGateway.builder(membership)
                .spec(ZmqGatewaySpec.builder().heartbeatInterval(Duration.ofSeconds(10))
                .cancelWait(Duration.ofMillis(300)).build()).bindNow();
        toClose.add(() -> {
            gateway.dispose();
            gateway.onDispose().block(WAIT);
        });
        // capacity 1, no heartbeats, and it never answers a CANCEL
        RawPeer peer = new RawPeer(gateway.endpoint());
        toClose.add(peer);
        peer.register("mute", 1, 10_000);
        Await.until(WAIT, () -> router.loads().stream().anyMatch(l -> l.id().equals("mute")),
                "the router sees the worker");

        Disposable first = router.route(request(1)).subscribe();
        assertNotNull(peer.receiveType(Protocol.REQUEST, 5000), "the first request reached the worker");
        // the cancel wait starts when the gateway sends CANCEL, before the peer reads it
        long start = System.nanoTime();
        first.dispose();
        assertNotNull(peer.receiveType(Protocol.CANCEL, 5000), "the worker was told to cancel");

        StepVerifier.create(router.route(request(2)))
                .then(() -> {
                    List<byte[]> second = peer.receiveType(Protocol.REQUEST, 5000);
                    assertNotNull(second, "the credit came back: the second request went out");
                    long tag = tag(second.get(0));
                    ByteBuffer answer = ByteBuffer.allocate(Protocol.ENVELOPE + 4 + 10 + 1)
                            .put(RawPeer.env(Protocol.RESPONSE)).putInt(11).putLong(tag).put(Protocol.DATA_END)
                            .put(Protocol.PAYLOAD_JSON).put((byte) '2');
                    peer.sendFrames(answer.array());
                })
                .expectNext(Payload.json("2"))
                .expectComplete()
                .verify(WAIT);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300), "not before the cancel wait");
        assertEquals(1, gateway.stats().unansweredCancels());
    }

    @Test
    void aCreditTheFullQueueRefusesEndsTheRequestWithAnError() {
        // an agent that never runs: its queue of one command stays full
        ZContext context = SharedContext.acquire();
        toClose.add(() -> SharedContext.release(context));
        GatewayAgent agent = new GatewayAgent(ZmqGatewaySpec.builder().responseWindow(2).commandQueueCapacity(1).build(),
                membership, context, SharedContext.loop(context));
        RemoteWorker worker = new RemoteWorker(agent, "w", 1, new byte[] {1}, 1_000_000_000L, System.nanoTime(), 1, 0);
        AtomicReference<Exchange> exchange = new AtomicReference<>();
        Flux<WorkerLink.Item> flux = new Flux<>() {
            @Override
            public void subscribe(CoreSubscriber<? super WorkerLink.Item> actual) {
                Exchange ex = new Exchange(agent, worker, request(1), 1, actual, agent.responseWindow());
                exchange.set(ex);
                actual.onSubscribe(ex);
                assertTrue(agent.submit(new GatewayAgent.Send(ex)), "the queue takes one command");
            }
        };
        StepVerifier.create(flux)
                // the I/O thread's part: an item arrives; consuming it owes the worker a CREDIT
                .then(() -> exchange.get().onItem(WorkerLink.Item.next(Payload.json("1"))))
                .expectNext(WorkerLink.Item.next(Payload.json("1")))
                .expectErrorSatisfies(e -> assertTrue(e instanceof RelayException r && r.code() == ErrorCode.WORKER_FAILED,
                        e.toString()))
                .verify(WAIT);
        assertTrue(exchange.get().abandoned, "the agent will cancel it at the worker");
        assertEquals(1, agent.stats().dropped());
    }

    @Test
    void anItemTheWorkersFullQueueRefusesEndsTheRequestWithAnErrorToTheGateway() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch emitted = new CountDownLatch(1);
        try (RawGateway gw = new RawGateway()) {
            ZmqWorker worker = ZmqWorker.builder((req, ctx) -> Mono.fromRunnable(() -> {
                        started.countDown();
                        await(go);
                    }).thenMany(Flux.range(0, 5).map(i -> Payload.json(Integer.toString(i))))
                            .doFinally(s -> emitted.countDown()))
                                    .spec(ZmqWorkerSpec.builder().id("w").capacity(4).commandQueueCapacity(2)
                    .connect(gw.endpoint()).blocking(Schedulers.boundedElastic()).build()).build();
            toClose.add(worker::dispose);
            gw.acceptReady(5000);
            gw.sendRequests(RawGateway.record(1, RawPeer.text("k"), RawPeer.text("s"), "1"));
            assertTrue(started.await(5, TimeUnit.SECONDS), "the handler started");

            // hold the I/O thread, so that the handler's items fill the worker's queue of two
            ZContext context = SharedContext.acquire();
            toClose.add(() -> SharedContext.release(context));
            AtomicBoolean held = new AtomicBoolean();
            AtomicBoolean release = new AtomicBoolean();
            SharedContext.loop(context).execute(() -> {
                held.set(true);
                while (!release.get()) {
                    // spin: a test's deliberate stall, short
                }
            });
            Await.until(WAIT, held::get, "the I/O thread held");
            go.countDown();
            assertTrue(emitted.await(5, TimeUnit.SECONDS), "the handler ended");
            release.set(true);

            Map<Long, String> answers = Map.of();
            while (!answers.containsKey(1L) || answers.get(1L).startsWith("data ")) {
                List<byte[]> m = gw.receiveType(Protocol.RESPONSE, 5000);
                assertNotNull(m, "the request ended: " + answers);
                answers = RemoteLimitsTest.responses(m.get(0));
            }
            assertEquals("error worker_failed the worker failed", answers.get(1L));
            assertEquals(1, worker.stats().undeliverable());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
