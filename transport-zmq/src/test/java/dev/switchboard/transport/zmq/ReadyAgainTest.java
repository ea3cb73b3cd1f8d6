package dev.switchboard.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.test.ContractHandler;
import dev.switchboard.transport.zmq.internal.Protocol;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A worker of two gateways whose READY to one of them goes again before that gateway's
 * acknowledgement reaches it (a slow gateway, a worker that stalled): the gateway takes the second
 * READY for a retransmission and keeps what it was granted, so the worker must count that grant
 * too, or it grants the same slots to the other gateway and answers one of them {@code overloaded}.
 * Two hand-driven gateways that count the credits as the real gateway does.
 */
class ReadyAgainTest {

    private static final int CAPACITY = 2;
    private static final Duration HEARTBEAT = Duration.ofMillis(200);
    private static final int WAIT_MS = 10_000;

    private final RawGateway a = new RawGateway();
    private final RawGateway b = new RawGateway();
    private final ZmqWorker worker = ZmqWorker.builder(new ContractHandler()).spec(ZmqWorkerSpec.builder().id("w")
            .capacity(CAPACITY).heartbeatInterval(HEARTBEAT).connect(a.endpoint()).connect(b.endpoint()).build())
            .build();

    @AfterEach
    void tearDown() {
        worker.dispose();
        worker.onDispose().block(Duration.ofSeconds(10));
        a.close();
        b.close();
    }

    @Test
    void aReadySentAgainBeforeItsAcknowledgementLeavesNoGatewayCreditsTheWorkerDoesNotCount() {
        Held heldA = new Held();
        Held heldB = new Held();
        assertNotNull(a.receiveType(Protocol.READY, WAIT_MS), "READY to A");
        assertNotNull(b.receiveType(Protocol.READY, WAIT_MS), "READY to B");
        // a CREDIT right after READY comes within a few ms; a READY sent again only after an interval
        drain(a, heldA, -1);
        drain(b, heldB, -1);
        // the slow gateway is the one a first READY granted credits, if one did
        RawGateway slow = heldB.n > heldA.n ? b : a;
        RawGateway quick = slow == a ? b : a;
        Held heldSlow = slow == a ? heldA : heldB;
        // the quick one acknowledges at once, the slow one not yet: its READY goes again, and it
        // acknowledges that one, keeping what it was granted (a retransmission)
        quick.send(Protocol.HEARTBEAT, RawPeer.u32(60_000));
        drain(slow, heldSlow, Protocol.READY);
        slow.send(Protocol.HEARTBEAT, RawPeer.u32(60_000));
        // everything granted now, a few intervals of quiet included (each side answers RECLAIM)
        long until = System.nanoTime() + 5 * HEARTBEAT.toNanos();
        while (System.nanoTime() < until) {
            drain(a, heldA, -1);
            drain(b, heldB, -1);
        }
        assertTrue(heldA.n + heldB.n <= CAPACITY, "the gateways hold " + heldA.n + " and " + heldB.n
                + " credits, more than the capacity " + CAPACITY + ": one of them would be answered overloaded");
        assertEquals(CAPACITY, heldA.n + heldB.n, "the whole capacity granted (a positive control)");
    }

    /** A gateway's credit count, as the real one keeps it: at most the capacity, nothing in flight here. */
    private static final class Held {
        int n;
    }

    /**
     * Reads what {@code gw} received within a short while, counting CREDITs into {@code held} and
     * answering RECLAIM as the real gateway does; returns once a message of {@code until} came (or
     * after one read when {@code until} is -1).
     */
    private static void drain(RawGateway gw, Held held, int until) {
        long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
        while (System.nanoTime() < deadline) {
            @Nullable List<byte[]> m = gw.receiveAny(until < 0 ? 20 : WAIT_MS);
            if (m == null) {
                return;
            }
            int type = m.get(0)[3];
            if (type == Protocol.CREDIT && m.size() == 2) {
                held.n = Math.min(CAPACITY, held.n + ByteBuffer.wrap(m.get(1)).getInt());
            } else if (type == Protocol.RECLAIM) {
                int back = Math.min(held.n, ByteBuffer.wrap(m.get(1)).getInt());
                held.n -= back;
                gw.send(Protocol.CREDIT, RawPeer.u32(back));
            }
            if (type == until || until < 0) {
                return;
            }
        }
        if (until >= 0) {
            throw new AssertionError("no message of type " + until + " within " + WAIT_MS + " ms");
        }
    }
}
