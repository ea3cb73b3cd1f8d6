package dev.switchboard.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.Await;
import dev.switchboard.core.test.ContractHandler;
import dev.switchboard.transport.zmq.internal.Protocol;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * Both ends of the shared capacity (the rule under CREDIT in {@code PROTOCOL.md}) against a
 * hand-driven peer: the gateway reports what waits at once, honours a kept credit, and hands back
 * what it holds unused when asked; a worker of one gateway sends nothing new.
 */
class CreditRuleTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Far longer than the test: every HEARTBEAT it sees is a prompt report, not the periodic one. */
    private static final Duration HEARTBEAT = Duration.ofSeconds(30);

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

    @Test
    void theGatewayReportsWhatWaitsHonoursAKeptCreditAndHandsBackWhatItHoldsUnused() {
        ZmqGateway gateway = ZmqGateway.builder(membership)
                .spec(ZmqGatewaySpec.builder().heartbeatInterval(HEARTBEAT).build()).bindNow();
        toClose.add(() -> {
            gateway.dispose();
            gateway.onDispose().block(WAIT);
        });
        RawPeer peer = new RawPeer(gateway.endpoint());
        toClose.add(peer);
        // capacity 2, granted 1: the worker has another gateway
        peer.send(Protocol.READY, RawPeer.text("w"), RawPeer.u32(2), RawPeer.u32(30_000));
        assertEquals(0, waiting(next(peer, Set.of(Protocol.HEARTBEAT))), "the acknowledgement: nothing waits");
        peer.send(Protocol.CREDIT, RawPeer.u32(1));
        Await.until(WAIT, () -> router.loads().stream().anyMatch(l -> l.id().equals("w")), "the router sees it");

        route(1);
        long first = tag(next(peer, Set.of(Protocol.REQUEST)));
        route(2);
        assertEquals(1, waiting(next(peer, Set.of(Protocol.HEARTBEAT))),
                "the request that waits for a credit is reported at once, not at the next interval");

        // the first ends with its credit kept: the second must not go
        ByteBuffer kept = ByteBuffer.allocate(Protocol.ENVELOPE + 4 + 11)
                .put(RawPeer.env(Protocol.RESPONSE)).putInt(11).putLong(first)
                .put(Protocol.status(Protocol.DATA_END, true)).put(Protocol.PAYLOAD_JSON).put((byte) '1');
        peer.sendFrames(kept.array());
        // RECLAIM as a barrier: answered after whatever the kept response let through
        peer.send(Protocol.RECLAIM, RawPeer.u32(2));
        List<byte[]> answer = next(peer, Set.of(Protocol.REQUEST, Protocol.CREDIT));
        assertEquals(Protocol.CREDIT, answer.get(0)[3], "the kept credit let a request through");
        assertEquals(2, answer.size(), "a CREDIT of one field");
        assertEquals(0, ByteBuffer.wrap(answer.get(1)).getInt(), "nothing unused to hand back");

        // a granted credit takes the waiting request; a credit held unused is handed back when asked
        peer.send(Protocol.CREDIT, RawPeer.u32(1));
        next(peer, Set.of(Protocol.REQUEST));
        peer.send(Protocol.CREDIT, RawPeer.u32(1));
        peer.send(Protocol.RECLAIM, RawPeer.u32(2));
        answer = next(peer, Set.of(Protocol.CREDIT));
        assertEquals(1, ByteBuffer.wrap(answer.get(1)).getInt(), "the unused credit handed back");
        // handed back indeed: the next request waits, and says so
        route(3);
        assertEquals(1, waiting(next(peer, Set.of(Protocol.HEARTBEAT, Protocol.REQUEST))),
                "the next request waits for a credit");
    }

    @Test
    void aWorkerOfOneGatewayGrantsItsCapacityWithReadyAndNothingElse() {
        RawGateway gw = new RawGateway();
        toClose.add(gw);
        ContractHandler handler = new ContractHandler();
        ZmqWorker worker = ZmqWorker.builder(handler).spec(ZmqWorkerSpec.builder().id("single").capacity(2)
                .heartbeatInterval(HEARTBEAT).connect(gw.endpoint()).build()).build();
        toClose.add(() -> {
            worker.dispose();
            worker.onDispose().block(WAIT);
        });
        gw.acceptReady((int) WAIT.toMillis());
        List<byte[]> credit = gw.receiveType(Protocol.CREDIT, (int) WAIT.toMillis());
        assertNotNull(credit, "CREDIT after READY");
        assertEquals(2, ByteBuffer.wrap(credit.get(1)).getInt(), "the whole capacity");
        // a gateway that says 5 wait changes nothing for a worker of one gateway
        gw.send(Protocol.HEARTBEAT, RawPeer.u32(30_000), RawPeer.u32(5));
        List<Integer> statuses = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            gw.sendRequests(RawGateway.record(2 * round + 1, RawPeer.text("a"), RawPeer.text("s"), "1"),
                    RawGateway.record(2 * round + 2, RawPeer.text("b"), RawPeer.text("s"), "2"));
            int answered = 0;
            while (answered < 2) {
                List<byte[]> m = gw.receiveAny((int) WAIT.toMillis());
                assertNotNull(m, "the answers of round " + round);
                if (m.get(0)[3] == Protocol.RESPONSE) {
                    ByteBuffer b = ByteBuffer.wrap(m.get(0), Protocol.ENVELOPE, m.get(0).length - Protocol.ENVELOPE);
                    while (b.hasRemaining()) {
                        int length = b.getInt();
                        statuses.add(b.get(b.position() + 8) & 0xff);
                        b.position(b.position() + length);
                        answered++;
                    }
                } else if (m.get(0)[3] != Protocol.HEARTBEAT) {
                    others.add(Protocol.typeName(m.get(0)[3]));
                }
            }
        }
        assertEquals(List.of(1, 1, 1, 1, 1, 1), statuses, "every request answered, its credit returned (no kept flag)");
        assertEquals(List.of(), others, "no CREDIT or RECLAIM beyond READY's");
    }

    private static int waiting(List<byte[]> heartbeat) {
        assertEquals(3, heartbeat.size(), "HEARTBEAT with the interval and the waiting count");
        return ByteBuffer.wrap(heartbeat.get(2)).getInt();
    }

    private Disposable route(long id) {
        Request r = Request.builder().id(RequestId.of(id)).key("k").payload(Payload.json(Long.toString(id))).build();
        Disposable d = router.route(r).subscribe(i -> { }, e -> { });
        toClose.add(d::dispose);
        return d;
    }

    private static long tag(List<byte[]> request) {
        return ByteBuffer.wrap(request.get(0), Protocol.ENVELOPE + 4, 8).getLong();
    }

    /** The next message of one of {@code types}, skipping others. */
    private static List<byte[]> next(RawPeer peer, Set<Byte> types) {
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
