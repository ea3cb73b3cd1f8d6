package dev.switchboard.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.switchboard.core.Request;
import dev.switchboard.transport.zmq.internal.DataRecord;
import dev.switchboard.transport.zmq.internal.GatewayDecoder;
import dev.switchboard.transport.zmq.internal.Protocol.MalformedException;
import dev.switchboard.transport.zmq.internal.Protocol;
import dev.switchboard.transport.zmq.internal.RequestRecord;
import dev.switchboard.transport.zmq.internal.WorkerDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing (Jazzer) of what the gateway and a worker decode: the bytes of a
 * message (its frames, see {@link FuzzFrames}) go through the side's decoder as its agent calls
 * it. The only outcome allowed besides a decoded message is {@link MalformedException}; a
 * decoded message keeps to the page's limits and, encoded again by our own encoder, gives the
 * same bytes. Anything else (another exception, a hang, an {@link OutOfMemoryError}) is a
 * finding, which Jazzer stores under {@code DecoderFuzzTestInputs/<method>/}, from where every
 * build replays it.
 *
 * <p>Plain {@code mvn test} replays the committed inputs; the build also fuzzes each target for
 * a bounded time ({@code JAZZER_FUZZ=1}, the {@code fuzz-*} surefire executions of this module),
 * and the soak profile fuzzes longer. By hand: {@code JAZZER_FUZZ=1 mvn -pl transport-zmq test
 * -Dtest='DecoderFuzzTest#workerDecodesWhatAGatewaySends'}.
 */
class DecoderFuzzTest {

    /** Where the committed seeds are, under the test resources of this package. */
    static final String INPUTS = "DecoderFuzzTestInputs/";
    static final String GATEWAY = "gatewayDecodesWhatAWorkerSends";
    static final String WORKER = "workerDecodesWhatAGatewaySends";

    @FuzzTest(maxDuration = "20s")
    void gatewayDecodesWhatAWorkerSends(byte[] input) {
        decodeAsGateway(FuzzFrames.split(input));
    }

    @FuzzTest(maxDuration = "20s")
    void workerDecodesWhatAGatewaySends(byte[] input) {
        decodeAsWorker(FuzzFrames.split(input));
    }

    /**
     * The positive control: every valid seed decodes without a malformed part, so the fuzzer
     * starts inside the parsers and not at the first check; and the committed seeds are the ones
     * {@link FuzzSeeds} makes with the protocol's own encoders.
     */
    @Test
    void everyValidSeedIsCommittedAndDecodesCleanly() throws IOException {
        for (Map.Entry<String, List<byte[]>> seed : FuzzSeeds.gateway().entrySet()) {
            assertTrue(decodeAsGateway(new ArrayList<>(seed.getValue())), "gateway seed " + seed.getKey());
            assertArrayEquals(FuzzFrames.join(seed.getValue()), committed(GATEWAY, seed.getKey()), seed.getKey());
        }
        for (Map.Entry<String, List<byte[]>> seed : FuzzSeeds.worker().entrySet()) {
            assertTrue(decodeAsWorker(new ArrayList<>(seed.getValue())), "worker seed " + seed.getKey());
            assertArrayEquals(FuzzFrames.join(seed.getValue()), committed(WORKER, seed.getKey()), seed.getKey());
        }
    }

    private static byte[] committed(String method, String name) throws IOException {
        try (InputStream in = DecoderFuzzTest.class.getResourceAsStream(INPUTS + method + "/" + name)) {
            assertNotNull(in, "committed seed " + method + "/" + name + " (run FuzzSeeds.main to write it)");
            return in.readAllBytes();
        }
    }

    /** Decodes {@code f} as the gateway does; true if nothing in it was malformed. */
    static boolean decodeAsGateway(List<byte[]> f) {
        try {
            int type = GatewayDecoder.type(f);
            switch (type) {
                case Protocol.RESPONSE -> Protocol.records(f.get(0), (frame, from, to) ->
                        checkResponse(GatewayDecoder.response(frame, from, to), frame, from, to));
                case Protocol.READY -> checkReady(GatewayDecoder.ready(f));
                case Protocol.CREDIT -> assertTrue(GatewayDecoder.credit(f) >= 0);
                case Protocol.RECLAIM -> {
                    int n = GatewayDecoder.reclaim(f);
                    assertTrue(n >= 1 && n <= Protocol.MAX_CAPACITY, "RECLAIM " + n);
                }
                case Protocol.HEARTBEAT -> GatewayDecoder.heartbeat(f);
                case Protocol.CACHE -> GatewayDecoder.cache(f).keys().forEach(DecoderFuzzTest::checkKey);
                case Protocol.DISCONNECT -> {
                    // no body
                }
                default -> throw new MalformedException("unexpected " + Protocol.typeName(type) + " from a worker");
            }
            return true;
        } catch (MalformedException expected) {
            return false;
        }
    }

    /** Decodes {@code f} as a worker does; true if nothing in it was malformed. */
    static boolean decodeAsWorker(List<byte[]> f) {
        try {
            int type = WorkerDecoder.type(f);
            switch (type) {
                case Protocol.REQUEST -> Protocol.records(f.get(0), (frame, from, to) ->
                        checkRequest(WorkerDecoder.request(frame, from, to), frame, from, to));
                case Protocol.HEARTBEAT -> {
                    assertTrue(WorkerDecoder.heartbeatIntervalMs(f) >= 0);
                    int waiting = WorkerDecoder.heartbeatWaiting(f);
                    assertTrue(waiting >= -1 && waiting <= Protocol.MAX_WAITING, "waiting " + waiting);
                }
                case Protocol.CREDIT -> {
                    if (f.size() == 3) {
                        int n = WorkerDecoder.returned(f);
                        assertTrue(n >= 0 && n <= Protocol.MAX_CAPACITY, "handed back " + n);
                    } else {
                        assertTrue(WorkerDecoder.credit(f).n() >= 0);
                    }
                }
                case Protocol.CANCEL -> WorkerDecoder.cancel(f);
                case Protocol.DISCONNECT -> {
                    // no body
                }
                default -> throw new MalformedException("unexpected " + Protocol.typeName(type) + " from a gateway");
            }
            return true;
        } catch (MalformedException expected) {
            return false;
        }
    }

    private static void checkReady(GatewayDecoder.Ready r) {
        assertTrue(r.capacity() >= 1 && r.capacity() <= 65_535 && r.intervalMs() >= 1, r.toString());
        assertTrue(utf8(r.id()).length <= Protocol.MAX_ID_BYTES && !r.id().isBlank());
        r.keys().forEach(DecoderFuzzTest::checkKey);
    }

    private static void checkKey(String key) {
        assertTrue(utf8(key).length <= Protocol.MAX_KEY_BYTES, "a key over the limit");
    }

    /** A decoded RESPONSE record, encoded again, is the record. */
    private static void checkResponse(GatewayDecoder.Response r, byte[] frame, int from, int to) {
        byte[] again;
        if (r instanceof GatewayDecoder.Data d) {
            assertTrue(d.end() || !d.kept(), "a kept credit on a record that carries none");
            DataRecord record = new DataRecord(d.tag(),
                    Protocol.status(d.end() ? Protocol.DATA_END : Protocol.DATA, d.kept()), d.payload());
            ByteBuffer b = ByteBuffer.allocate(record.size());
            record.writeTo(b);
            again = b.array();
        } else if (r instanceof GatewayDecoder.Failure f) {
            assertTrue(utf8(f.message()).length <= Protocol.MAX_ERROR_MESSAGE_BYTES);
            again = withoutEnvelope(Protocol.responseError(f.tag(), f.code(), f.message(), f.kept()));
        } else {
            again = withoutEnvelope(Protocol.responseEnd(r.tag(), r.kept()));
        }
        assertArrayEquals(Arrays.copyOfRange(frame, from, to), again, "RESPONSE record re-encoded");
    }

    /**
     * A decoded REQUEST record, encoded again, decodes to the same request; and is the record
     * itself unless its numeric id was not written canonically ({@code 007}).
     */
    private static void checkRequest(WorkerDecoder.Incoming in, byte[] frame, int from, int to)
            throws MalformedException {
        Request r = in.request();
        assertTrue(in.window() >= 1);
        checkKey(r.key());
        RequestRecord record = new RequestRecord(in.tag(), in.window(), r.key(), r.payload(),
                r.sessionId(), r.id(), r.principal().orElse(null));
        ByteBuffer b = ByteBuffer.allocate(record.size());
        record.writeTo(b);
        byte[] again = b.array();
        WorkerDecoder.Incoming twice = WorkerDecoder.request(again, 0, again.length);
        Request r2 = twice.request();
        assertEquals(List.of(in.tag(), in.window(), r.key(), r.sessionId(), r.id(), r.principal(), r.payload()),
                List.of(twice.tag(), twice.window(), r2.key(), r2.sessionId(), r2.id(), r2.principal(), r2.payload()));
        if (!r.id().isNumeric()) {
            assertArrayEquals(Arrays.copyOfRange(frame, from, to), again, "REQUEST record re-encoded");
        }
    }

    private static byte[] withoutEnvelope(byte[] standalone) {
        return Arrays.copyOfRange(standalone, Protocol.ENVELOPE, standalone.length);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
