package dev.switchboard.transport.zmq;

import dev.switchboard.core.test.Await;

import static dev.switchboard.transport.zmq.RawPeer.text;
import static dev.switchboard.transport.zmq.RawPeer.u32;
import static dev.switchboard.transport.zmq.RawPeer.u8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.transport.CacheEvent;
import dev.switchboard.core.transport.WorkerLink;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.transport.zmq.internal.Protocol;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A worker the gateway gave up on (silent past its deadline: a long GC pause, a SIGSTOP) that
 * resumes on the same connection: whatever it sends for its old registration (answers to the
 * old tags, CACHE, HEARTBEAT) reaches no client and no router view, the answers are counted as
 * fenced, it is told DISCONNECT, and its next READY is a new registration that serves normally.
 * A non-idempotent request it held was answered {@code worker_failed} once; an idempotent one
 * was answered once, by another worker.
 */
class FencingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int HEARTBEAT_MS = 200;
    /** Liveness 3 × the heartbeat, plus the one second the contract allows. */
    private static final Duration DEADLINE_PLUS_ONE = Duration.ofMillis(3 * HEARTBEAT_MS + 1000);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final Membership membership = Membership.create();
    private final Router router = Router.builder().membership(membership).build();
    private final Map<String, AtomicInteger> healthyRuns = new ConcurrentHashMap<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        router.dispose();
    }

    @Test
    void answersOfAGivenUpRegistrationNeverReachAClientAndItsNextReadyIsANewRegistration() {
        ZmqGateway gateway = ZmqGateway.builder(membership).spec(ZmqGatewaySpec.builder()
                .heartbeatInterval(Duration.ofMillis(HEARTBEAT_MS)).build()).bindNow();
        toClose.add(() -> {
            gateway.dispose();
            gateway.onDispose().block(WAIT);
        });
        RawPeer peer = new RawPeer(gateway.endpoint());
        toClose.add(peer);
        peer.send(Protocol.READY, text("w1"), u32(4), u32(HEARTBEAT_MS), text("k-old"));
        peer.send(Protocol.CREDIT, u32(4));
        Await.until(WAIT, () -> gateway.workerIds().contains("w1"), "w1 registered");

        List<String> nonIdempotent = subscribe(request(1, false));
        List<String> idempotent = subscribe(request(2, true));
        List<Long> oldTags = new ArrayList<>();
        while (oldTags.size() < 2) {
            List<byte[]> m = peer.receiveType(Protocol.REQUEST, 5000);
            assertNotNull(m, "both requests reached w1: " + oldTags);
            oldTags.addAll(requestTags(m.get(0)));
        }

        // w1 freezes; a healthy worker is there to take the idempotent request again
        LocalWorker healthy = healthyWorker();
        membership.join(healthy);
        Await.until(DEADLINE_PLUS_ONE, () -> ended(nonIdempotent) && ended(idempotent), "both requests ended");
        assertEquals(List.of("error worker_failed"), nonIdempotent);
        assertEquals(List.of("item healthy 2", "complete"), idempotent);
        assertEquals(1, gateway.stats().deadWorkers());

        // w1 resumes on the same connection: its answers, a cache claim and a heartbeat, all of the old registration
        peer.sendFrames(responses(oldTags, "stale"));
        peer.send(Protocol.CACHE, u8(Protocol.CACHED), text("k-stale"));
        peer.send(Protocol.HEARTBEAT);
        assertNotNull(peer.receiveType(Protocol.DISCONNECT, 5000), "w1 is told that its registration is given up");

        peer.send(Protocol.READY, text("w1"), u32(4), u32(HEARTBEAT_MS), text("k-new"));
        peer.send(Protocol.CREDIT, u32(4));
        assertNotNull(peer.receiveType(Protocol.HEARTBEAT, 5000), "the new registration is acknowledged");
        // an answer to an old tag that comes after the new READY is the old registration's too
        peer.sendFrames(responses(oldTags.subList(0, 1), "late"));
        membership.leave(healthy.id());

        List<String> fresh = subscribe(request(3, false));
        List<byte[]> m = peer.receiveType(Protocol.REQUEST, 5000);
        assertNotNull(m, "the new registration gets new requests");
        List<Long> newTags = requestTags(m.get(0));
        assertTrue(newTags.get(0) > Math.max(oldTags.get(0), oldTags.get(1)), "tags are never reused: " + newTags);
        peer.sendFrames(responses(newTags, "fresh"));
        Await.until(WAIT, () -> ended(fresh), "the new request ended");
        assertEquals(List.of("item fresh " + newTags.get(0), "complete"), fresh);

        Await.until(WAIT, () -> gateway.stats().fencedAnswers() == 3, "three answers fenced: " + gateway.stats());
        assertEquals(0, gateway.stats().malformed(), gateway.stats().toString());
        assertEquals(2, gateway.stats().registrations());
        assertEquals(List.of("error worker_failed"), nonIdempotent, "one answer, never another");
        assertEquals(List.of("item healthy 2", "complete"), idempotent, "one answer, never another");
        assertEquals(1, healthyRuns.get("2").get());
        assertEquals(1, healthyRuns.size(), "only the idempotent request ran again: " + healthyRuns);
        // the router's view of w1 is the new registration's: what it claimed as the old one is gone
        List<WorkerLink> members = membership.members();
        assertEquals(1, members.size());
        List<CacheEvent> cached = members.get(0).cacheEvents().take(Duration.ofMillis(200)).collectList().block(WAIT);
        assertEquals(List.of(CacheEvent.cached("k-new")), cached);
    }

    @Test
    void aWorkerToldItsRegistrationIsGivenUpCancelsWhatItServesWithoutInterruptingAndRegistersAgain()
            throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        CountDownLatch returned = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Map<Long, Integer> runs = new ConcurrentHashMap<>();
        try (RawGateway gw = new RawGateway()) {
            // the default blocking lane: a handler that blocks, as one reading a file would
            ZmqWorker worker = ZmqWorker.builder((req, ctx) -> Mono.fromCallable(() -> {
                        long id = Long.parseLong(req.payload().utf8());
                        runs.merge(id, 1, Integer::sum);
                        started.countDown();
                        try {
                            release.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            interrupted.set(true);
                        }
                        returned.countDown();
                        return Payload.text("answer " + id);
                    }).doOnCancel(cancelled::countDown).flux())
                    .spec(ZmqWorkerSpec.builder().id("w").capacity(2).connect(gw.endpoint())
                    .heartbeatInterval(Duration.ofMillis(HEARTBEAT_MS)).build()).build();
            toClose.add(worker::dispose);
            gw.acceptReady(5000);
            gw.sendRequests(RawGateway.record(1, text("k"), text("s"), "1"));
            assertTrue(started.await(5, TimeUnit.SECONDS), "the handler runs request 1");

            gw.send(Protocol.DISCONNECT);
            assertNotNull(gw.receiveType(Protocol.READY, 5000), "the worker registers again");
            assertTrue(cancelled.await(5, TimeUnit.SECONDS), "it cancelled what it served for the given-up registration");
            gw.send(Protocol.HEARTBEAT, u32(60_000));
            release.countDown();
            assertTrue(returned.await(5, TimeUnit.SECONDS), "the running handler went on to its end");
            assertFalse(interrupted.get(), "lanes never interrupt a handler");

            // an answer to tag 1, had it been sent after its handler returned, would come before tag 2's
            gw.sendRequests(RawGateway.record(2, text("k"), text("s"), "2"));
            List<Map<Long, String>> answers = new ArrayList<>();
            while (answers.stream().noneMatch(a -> a.containsKey(2L))) {
                List<byte[]> m = gw.receiveType(Protocol.RESPONSE, 5000);
                assertNotNull(m, "request 2 is answered: " + answers);
                answers.add(RemoteLimitsTest.responses(m.get(0)));
            }
            assertEquals(List.of(Map.of(2L, "data-end answer 2")), answers, "nothing for the old registration's tag");
            assertEquals(Map.of(1L, 1, 2L, 1), runs);
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

    private List<String> subscribe(Request r) {
        return Signals.record(router.route(r), toClose);
    }

    private static boolean ended(List<String> signals) {
        return Signals.ended(signals);
    }

    private static Request request(long id, boolean idempotent) {
        return Signals.request(id, idempotent);
    }

    /** The tag of each record of a REQUEST frame. */
    static List<Long> requestTags(byte[] frame) {
        List<Long> tags = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(frame, Protocol.ENVELOPE, frame.length - Protocol.ENVELOPE);
        while (b.hasRemaining()) {
            int n = b.getInt();
            int end = b.position() + n;
            tags.add(b.getLong());
            b.position(end);
        }
        return tags;
    }

    /** One RESPONSE frame answering each tag with one last item, {@code text tag}. */
    static byte[] responses(List<Long> tags, String text) {
        List<byte[]> records = new ArrayList<>();
        int size = Protocol.ENVELOPE;
        for (long tag : tags) {
            byte[] body = (text + " " + tag).getBytes(StandardCharsets.UTF_8);
            records.add(ByteBuffer.allocate(8 + 2 + body.length).putLong(tag).put(Protocol.DATA_END)
                    .put(Protocol.PAYLOAD_JSON).put(body).array());
            size += 4 + 8 + 2 + body.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).put(RawPeer.env(Protocol.RESPONSE));
        for (byte[] r : records) {
            b.putInt(r.length).put(r);
        }
        return b.array();
    }
}
