package dev.switchboard.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Payload;
import dev.switchboard.core.RequestId;
import dev.switchboard.transport.zmq.internal.Batch;
import dev.switchboard.transport.zmq.internal.DataRecord;
import dev.switchboard.transport.zmq.internal.GatewayDecoder;
import dev.switchboard.transport.zmq.internal.Protocol;
import dev.switchboard.transport.zmq.internal.RecordReader;
import dev.switchboard.transport.zmq.internal.RequestRecord;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolTest {

    @Test
    void readsAsciiAndMultiByteUtf8FromTheMiddleOfAFrame() throws Exception {
        byte[] frame = "..tiles/7/3/5..".getBytes(StandardCharsets.UTF_8);
        assertEquals("tiles/7/3/5", Protocol.readUtf8(frame, 2, 11, 64, "key"));
        byte[] accented = "xxcafé, 東京xx".getBytes(StandardCharsets.UTF_8);
        assertEquals("café, 東京", Protocol.readUtf8(accented, 2, accented.length - 4, 64, "key"));
    }

    @Test
    void refusesInvalidUtf8AndTextOverItsLimit() {
        byte[] invalid = {'a', (byte) 0xff, (byte) 0xfe, 'b'};
        Protocol.MalformedException e = assertThrows(Protocol.MalformedException.class,
                () -> Protocol.readUtf8(invalid, 0, 4, 64, "key"));
        assertEquals("key is not valid UTF-8", e.getMessage());
        // a multi-byte sequence cut at the end of the field
        byte[] cut = "é".getBytes(StandardCharsets.UTF_8);
        assertThrows(Protocol.MalformedException.class, () -> Protocol.readUtf8(cut, 0, 1, 64, "key"));
        assertThrows(Protocol.MalformedException.class, () -> Protocol.readUtf8(new byte[65], 0, 65, 64, "key"));
    }

    @Test
    void aBatchCarriesEachRecordAsItsOwnFrameWould() throws Exception {
        Batch batch = new Batch(Protocol.RESPONSE);
        batch.add(new DataRecord(1, Protocol.DATA_END, Payload.json("\"a\"")));
        batch.add(Protocol.responseEnd(2));
        batch.add(Protocol.responseError(3, "overloaded", "busy"));
        assertEquals(3, batch.count());
        byte[] frame = batch.take();
        assertEquals(0, batch.count());
        assertEquals(Protocol.RESPONSE, Protocol.type(frame, 1));
        List<String> seen = new ArrayList<>();
        Protocol.records(frame, (f, from, to) -> {
            RecordReader in = new RecordReader(f, from, to);
            seen.add(in.u64("tag") + ":" + in.u8("status"));
        });
        assertEquals(List.of("1:1", "2:2", "3:3"), seen);
    }

    @Test
    void requestAndDataRecordsWrittenIntoABatchReadBackFieldByField() throws Exception {
        Payload body = Payload.json("{\"z\":7}");
        Batch batch = new Batch(Protocol.REQUEST);
        batch.add(new RequestRecord(9, 16, "tiles/7", body, "s1", RequestId.of(42), null));
        batch.add(new RequestRecord(10, 1, "k", Payload.binary(new byte[] {0, 1}), "s1", RequestId.of("r"), "alice"));
        List<String> seen = new ArrayList<>();
        Protocol.records(batch.take(), (f, from, to) -> {
            RecordReader in = new RecordReader(f, from, to);
            long tag = in.u64("tag");
            int window = in.u32("window");
            int flags = in.u8("flags");
            String key = in.text16(64, "key");
            String session = in.text16(64, "session");
            int idKind = in.u8("id kind");
            String id = in.text16(64, "id");
            String principal = (flags & Protocol.FLAG_PRINCIPAL) != 0 ? in.text16(64, "principal") : "-";
            int kind = in.u8("payload kind");
            seen.add(tag + " " + window + " " + key + " " + session + " " + (idKind == Protocol.ID_NUMBER) + " " + id
                    + " " + principal + " " + (kind == Protocol.PAYLOAD_BINARY) + " " + HexFormat.of().formatHex(in.rest()));
        });
        assertEquals(List.of("9 16 tiles/7 s1 true 42 - false " + HexFormat.of().formatHex("{\"z\":7}".getBytes(StandardCharsets.UTF_8)),
                "10 1 k s1 false r alice true 0001"), seen);

        Batch data = new Batch(Protocol.RESPONSE);
        data.add(new DataRecord(3, Protocol.DATA, body));
        Protocol.records(data.take(), (f, from, to) -> {
            RecordReader in = new RecordReader(f, from, to);
            assertEquals(3, in.u64("tag"));
            assertEquals(Protocol.DATA, in.u8("status"));
            assertEquals(Protocol.PAYLOAD_JSON, in.u8("payload kind"));
            assertArrayEquals(body.toByteArray(), in.rest());
        });
    }

    @Test
    void aMalformedRecordIsSkippedAndTheBatchCountsOnce() {
        Batch batch = new Batch(Protocol.RESPONSE);
        batch.add(Protocol.responseEnd(1));
        batch.add(new byte[] {'S', 'B', Protocol.VERSION, Protocol.RESPONSE, 1, 2});
        batch.add(Protocol.responseEnd(3));
        List<Long> tags = new ArrayList<>();
        Protocol.MalformedException e = assertThrows(Protocol.MalformedException.class,
                () -> Protocol.records(batch.take(), (f, from, to) -> {
                    RecordReader in = new RecordReader(f, from, to);
                    long tag = in.u64("tag");
                    in.u8("status");
                    in.end("RESPONSE end");
                    tags.add(tag);
                }));
        assertEquals("tag is cut short", e.getMessage());
        assertEquals(List.of(1L, 3L), tags);
        // a length past the end, and a batch with no record
        byte[] overrun = {'S', 'B', Protocol.VERSION, Protocol.RESPONSE, 0, 0, 0, 9, 1};
        assertThrows(Protocol.MalformedException.class, () -> Protocol.records(overrun, (f, from, to) -> { }));
        byte[] empty = {'S', 'B', Protocol.VERSION, Protocol.RESPONSE};
        assertThrows(Protocol.MalformedException.class, () -> Protocol.records(empty, (f, from, to) -> { }));
    }

    /** Found reading the decoders for the fuzzer: the message was copied whole before its length was checked. */
    @Test
    void anOversizedErrorMessageIsRefusedBeforeItIsCopied() {
        int size = 4 << 20;
        ByteBuffer b = ByteBuffer.allocate(8 + 1 + 2 + 11 + size);
        b.putLong(1).put(Protocol.ERROR).putShort((short) 11).put(Protocol.utf8("bad_request"));
        byte[] record = b.array();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        Protocol.MalformedException e = assertThrows(Protocol.MalformedException.class,
                () -> GatewayDecoder.response(record, 0, record.length));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals("error message is longer than " + Protocol.MAX_ERROR_MESSAGE_BYTES + " bytes", e.getMessage());
        assertTrue(allocated < size / 4, "allocated " + allocated + " bytes for a refused message");
    }
}
