package dev.switchboard.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Payload;
import dev.switchboard.transport.zmq.internal.DataRecord;
import dev.switchboard.transport.zmq.internal.GatewayDecoder;
import dev.switchboard.transport.zmq.internal.Protocol;
import dev.switchboard.transport.zmq.internal.Protocol.MalformedException;
import dev.switchboard.transport.zmq.internal.WorkerDecoder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The frames of the shared capacity (the rule under CREDIT in {@code PROTOCOL.md}): the waiting
 * count in HEARTBEAT, RECLAIM and the CREDIT that answers it, the kept flag of a terminal
 * RESPONSE; each count checked against its named limit on the side that reads it.
 */
class CreditFramesTest {

    @Test
    void aTerminalRecordMayKeepItsCreditAndOneThatCarriesNoneMayNot() throws Exception {
        assertTrue(response(Protocol.responseEnd(5, true)).kept());
        assertFalse(response(Protocol.responseEnd(5)).kept());
        assertTrue(response(Protocol.responseError(6, "timeout", "too slow", true)).kept());
        assertTrue(response(data(Protocol.status(Protocol.DATA_END, true))).kept());
        MalformedException e = assertThrows(MalformedException.class,
                () -> response(data((byte) (Protocol.DATA | Protocol.KEPT))));
        assertEquals("a kept credit on a record that carries none", e.getMessage());
        // any other high bit is an unknown status
        assertThrows(MalformedException.class, () -> response(data((byte) (Protocol.DATA_END | 0x40))));
    }

    @Test
    void theWaitingCountIsOptionalAndBoundedByTheLargestPendingQueue() throws Exception {
        assertEquals(-1, WorkerDecoder.heartbeatWaiting(asWorker(Protocol.HEARTBEAT, Protocol.u32(1000))));
        assertEquals(Protocol.MAX_WAITING, WorkerDecoder.heartbeatWaiting(
                asWorker(Protocol.HEARTBEAT, Protocol.u32(1000), Protocol.u32(Protocol.MAX_WAITING))));
        assertThrows(MalformedException.class, () -> WorkerDecoder.heartbeatWaiting(
                asWorker(Protocol.HEARTBEAT, Protocol.u32(1000), Protocol.u32(Protocol.MAX_WAITING + 1))));
        assertThrows(MalformedException.class, () -> WorkerDecoder.heartbeatWaiting(
                asWorker(Protocol.HEARTBEAT, Protocol.u32(1000), new byte[] {0, 7})));
    }

    @Test
    void reclaimAndItsAnswerMoveAtMostTheLargestCapacity() throws Exception {
        assertEquals(3, GatewayDecoder.reclaim(asGateway(Protocol.RECLAIM, Protocol.u32(3))));
        assertEquals(Protocol.MAX_CAPACITY,
                GatewayDecoder.reclaim(asGateway(Protocol.RECLAIM, Protocol.u32(Protocol.MAX_CAPACITY))));
        assertThrows(MalformedException.class, () -> GatewayDecoder.reclaim(asGateway(Protocol.RECLAIM, Protocol.u32(0))));
        assertThrows(MalformedException.class,
                () -> GatewayDecoder.reclaim(asGateway(Protocol.RECLAIM, Protocol.u32(Protocol.MAX_CAPACITY + 1))));
        assertThrows(MalformedException.class, () -> GatewayDecoder.reclaim(asGateway(Protocol.RECLAIM)));
        assertEquals(0, WorkerDecoder.returned(asWorker(Protocol.CREDIT, Protocol.u32(0))));
        assertThrows(MalformedException.class,
                () -> WorkerDecoder.returned(asWorker(Protocol.CREDIT, Protocol.u32(Protocol.MAX_CAPACITY + 1))));
    }

    private static GatewayDecoder.Response response(byte[] standalone) throws MalformedException {
        return GatewayDecoder.response(standalone, Protocol.ENVELOPE, standalone.length);
    }

    private static byte[] data(byte status) {
        DataRecord r = new DataRecord(4, status, Payload.json("1"));
        ByteBuffer b = ByteBuffer.allocate(Protocol.ENVELOPE + r.size());
        b.put(Protocol.envelope(Protocol.RESPONSE));
        r.writeTo(b);
        return b.array();
    }

    private static List<byte[]> asWorker(byte type, byte[]... body) throws MalformedException {
        List<byte[]> f = frames(type, body);
        assertEquals(type, WorkerDecoder.type(f));
        return f;
    }

    private static List<byte[]> asGateway(byte type, byte[]... body) throws MalformedException {
        List<byte[]> f = frames(type, body);
        assertEquals(type, GatewayDecoder.type(f));
        return f;
    }

    private static List<byte[]> frames(byte type, byte[]... body) {
        List<byte[]> f = new ArrayList<>();
        f.add(Protocol.envelope(type));
        f.addAll(Arrays.asList(body));
        return f;
    }
}
