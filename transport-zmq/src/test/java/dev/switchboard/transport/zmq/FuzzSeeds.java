package dev.switchboard.transport.zmq;

import dev.switchboard.core.Payload;
import dev.switchboard.core.RequestId;
import dev.switchboard.transport.zmq.internal.Batch;
import dev.switchboard.transport.zmq.internal.DataRecord;
import dev.switchboard.transport.zmq.internal.Protocol;
import dev.switchboard.transport.zmq.internal.RequestRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed corpus of {@link DecoderFuzzTest}: one valid message of each type a side reads, made
 * with the protocol's own encoders (so a change of the layout shows as a seed that no longer
 * decodes). {@code main} writes them under {@code src/test/resources}; run it from the module
 * directory after changing the protocol, and commit the files.
 */
final class FuzzSeeds {

    private FuzzSeeds() {
    }

    /** What a worker sends a gateway, by seed name. */
    static Map<String, List<byte[]>> gateway() {
        Map<String, List<byte[]>> m = new LinkedHashMap<>();
        m.put("valid-ready", List.of(env(Protocol.READY), Protocol.utf8("w1"), Protocol.u32(4), Protocol.u32(1000),
                Protocol.utf8("slide-1.ptif"), Protocol.utf8("slide-2.ptif")));
        m.put("valid-credit", List.of(env(Protocol.CREDIT), Protocol.u32(4)));
        m.put("valid-reclaim", List.of(env(Protocol.RECLAIM), Protocol.u32(3)));
        m.put("valid-heartbeat", List.of(env(Protocol.HEARTBEAT)));
        m.put("valid-heartbeat-times", List.of(env(Protocol.HEARTBEAT), Protocol.u64(1_000), Protocol.u64(50_000)));
        m.put("valid-cache", List.of(env(Protocol.CACHE), Protocol.u8(Protocol.CACHED), Protocol.utf8("slide-1.ptif")));
        m.put("valid-disconnect", List.of(env(Protocol.DISCONNECT)));
        Batch batch = new Batch(Protocol.RESPONSE);
        batch.add(new DataRecord(1, Protocol.DATA, Payload.json("{\"tile\":1}")));
        batch.add(new DataRecord(1, Protocol.DATA_END, Payload.binary(new byte[] {1, 2, 3})));
        batch.add(Protocol.responseEnd(2));
        batch.add(Protocol.responseError(3, "bad_request", "no such level"));
        m.put("valid-response-batch", List.of(batch.take()));
        // terminal records whose credit the worker keeps, to grant it to another gateway
        Batch kept = new Batch(Protocol.RESPONSE);
        kept.add(new DataRecord(4, Protocol.status(Protocol.DATA_END, true), Payload.json("{\"tile\":4}")));
        kept.add(Protocol.responseEnd(5, true));
        kept.add(Protocol.responseError(6, "timeout", "too slow", true));
        m.put("valid-response-kept", List.of(kept.take()));
        return m;
    }

    /** What a gateway sends a worker, by seed name. */
    static Map<String, List<byte[]>> worker() {
        Map<String, List<byte[]>> m = new LinkedHashMap<>();
        Batch batch = new Batch(Protocol.REQUEST);
        batch.add(new RequestRecord(1, 16, "slide-1.ptif", Payload.json("{\"x\":1}"), "s1", RequestId.of(7),
                null));
        batch.add(new RequestRecord(2, 1, "slide-2.ptif", Payload.binary(new byte[] {9}), "s2",
                RequestId.of("r-2"), "alice"));
        m.put("valid-request-batch", List.of(batch.take()));
        m.put("valid-heartbeat", List.of(env(Protocol.HEARTBEAT), Protocol.u32(1000)));
        m.put("valid-heartbeat-waiting", List.of(env(Protocol.HEARTBEAT), Protocol.u32(1000), Protocol.u32(7)));
        m.put("valid-credit", List.of(env(Protocol.CREDIT), Protocol.u64(1), Protocol.u32(8)));
        m.put("valid-credit-returned", List.of(env(Protocol.CREDIT), Protocol.u32(2)));
        m.put("valid-cancel", List.of(env(Protocol.CANCEL), Protocol.u64(1)));
        m.put("valid-disconnect", List.of(env(Protocol.DISCONNECT)));
        return m;
    }

    private static byte[] env(byte type) {
        return Protocol.envelope(type);
    }

    /** Writes the seeds into the source tree; run from the module directory. */
    public static void main(String[] args) throws IOException {
        Path base = Path.of("src/test/resources/dev/switchboard/transport/zmq", DecoderFuzzTest.INPUTS);
        write(base.resolve(DecoderFuzzTest.GATEWAY), gateway());
        write(base.resolve(DecoderFuzzTest.WORKER), worker());
    }

    private static void write(Path dir, Map<String, List<byte[]>> seeds) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, List<byte[]>> e : seeds.entrySet()) {
            Files.write(dir.resolve(e.getKey()), FuzzFrames.join(e.getValue()));
        }
    }
}
