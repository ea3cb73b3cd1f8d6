package dev.switchboard.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.Await;
import dev.switchboard.transport.zmq.internal.Protocol;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * The answer that comes after the cancel wait (CANCEL in {@code PROTOCOL.md}): the gateway took
 * that request's credit back itself, so a late terminal record that keeps its credit takes it
 * back again (the worker granted it elsewhere), even below 0, and one without the flag adds
 * nothing. Driven by a hand-written worker that answers a CANCEL only when told to.
 */
class LateAnswerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Far longer than the test: every HEARTBEAT the peer sees is a prompt report. */
    private static final Duration HEARTBEAT = Duration.ofSeconds(30);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final Membership membership = Membership.create();
    private final Router router = Router.builder().membership(membership).build();
    private ZmqGateway gateway;
    private RawPeer peer;

    @BeforeEach
    void setUp() {
        gateway = ZmqGateway.builder(membership).spec(ZmqGatewaySpec.builder().heartbeatInterval(HEARTBEAT)
                .cancelWait(Duration.ofMillis(50)).build()).bindNow();
        toClose.add(() -> {
            gateway.dispose();
            gateway.onDispose().block(WAIT);
        });
        peer = new RawPeer(gateway.endpoint());
        toClose.add(peer);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        router.dispose();
    }

    @Test
    void aLateAnswerThatKeepsItsCreditTakesBackTheOneTheCancelWaitReturned() {
        register(2);
        long tag = giveUp(1);
        peer.sendFrames(end(tag, true));
        assertEquals(1, reclaim(10), "one credit left: the late answer's went to another gateway");
        assertEquals(1, gateway.stats().lateAnswers());
        assertEquals(0, gateway.stats().malformed(), "a late answer follows the protocol");
    }

    @Test
    void aDebtFromALateKeptAnswerIsPaidBeforeAnotherRequestGoes() {
        register(1);
        long given = giveUp(1);
        // the credit the cancel wait gave back is spent before the late answer comes
        route(2);
        long second = tag(next(Set.of(Protocol.REQUEST)));
        peer.sendFrames(end(given, true));
        assertEquals(0, reclaim(5), "in debt: nothing to hand back");
        peer.sendFrames(end(second, false));
        assertEquals(0, reclaim(5), "the second request's credit paid the debt");
        route(3);
        assertEquals(1, waiting(next(Set.of(Protocol.HEARTBEAT, Protocol.REQUEST))),
                "the third request waits for a credit the worker grants");
        peer.send(Protocol.CREDIT, RawPeer.u32(1));
        next(Set.of(Protocol.REQUEST));
    }

    @Test
    void aLateAnswerWithoutTheKeptFlagAddsNothing() {
        register(2);
        long tag = giveUp(1);
        peer.sendFrames(end(tag, false));
        assertEquals(2, reclaim(10), "the cancel wait gave that credit back already");
        assertEquals(1, gateway.stats().lateAnswers());
        assertEquals(0, gateway.stats().malformed(), "a late answer follows the protocol");
    }

    /** Registers the peer with {@code capacity}, all of it granted, and waits for the router to see it. */
    private void register(int capacity) {
        peer.send(Protocol.READY, RawPeer.text("w"), RawPeer.u32(capacity), RawPeer.u32(30_000));
        next(Set.of(Protocol.HEARTBEAT));
        peer.send(Protocol.CREDIT, RawPeer.u32(capacity));
        Await.until(WAIT, () -> router.loads().stream().anyMatch(l -> l.id().equals("w")), "the router sees it");
    }

    /** Routes a request, cancels it, leaves the CANCEL unanswered until the gateway gives it up; its tag. */
    private long giveUp(long id) {
        Disposable d = route(id);
        long tag = tag(next(Set.of(Protocol.REQUEST)));
        d.dispose();
        next(Set.of(Protocol.CANCEL));
        Await.until(WAIT, () -> gateway.stats().unansweredCancels() == 1, "the cancel wait passes");
        return tag;
    }

    /** RECLAIM {@code n}; the count the gateway hands back, which also shows it read what came before. */
    private int reclaim(int n) {
        peer.send(Protocol.RECLAIM, RawPeer.u32(n));
        List<byte[]> answer = next(Set.of(Protocol.CREDIT));
        assertEquals(2, answer.size(), "a CREDIT of one field");
        return ByteBuffer.wrap(answer.get(1)).getInt();
    }

    /** A RESPONSE of one record: the end of {@code tag}'s request, with the kept flag or not. */
    private static byte[] end(long tag, boolean kept) {
        return ByteBuffer.allocate(Protocol.ENVELOPE + 4 + 9).put(RawPeer.env(Protocol.RESPONSE)).putInt(9)
                .putLong(tag).put(Protocol.status(Protocol.END, kept)).array();
    }

    private Disposable route(long id) {
        Request r = Request.builder().id(RequestId.of(id)).key("k").payload(Payload.json(Long.toString(id))).build();
        Disposable d = router.route(r).subscribe(i -> { }, e -> { });
        toClose.add(d::dispose);
        return d;
    }

    private static int waiting(List<byte[]> heartbeat) {
        assertEquals(Protocol.HEARTBEAT, heartbeat.get(0)[3], "a HEARTBEAT, not a REQUEST");
        assertEquals(3, heartbeat.size(), "HEARTBEAT with the interval and the waiting count");
        return ByteBuffer.wrap(heartbeat.get(2)).getInt();
    }

    private static long tag(List<byte[]> request) {
        return ByteBuffer.wrap(request.get(0), Protocol.ENVELOPE + 4, 8).getLong();
    }

    /** The next message of one of {@code types}, skipping others. */
    private List<byte[]> next(Set<Byte> types) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            @Nullable List<byte[]> m = peer.receive((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (m != null && m.get(0).length >= 4 && types.contains(m.get(0)[3])) {
                return m;
            }
        }
        throw new AssertionError("no message of types " + types + " within " + WAIT);
    }
}
