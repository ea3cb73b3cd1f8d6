package dev.switchboard.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Codec;
import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Payload;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.Response;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Each of the benchmark's paths does the work its name says, and the baselines do the same work. */
class ZmqRelayBenchmarkTest {

    static final int ROUND_TRIPS = 4000;

    static byte[] body(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 'x');
        return b;
    }

    @Test
    void theBatchedBaselinePacksARoundIntoOneFrameAsTheRelayDoes() throws Exception {
        try (RawZmqEcho raw = RawZmqEcho.batched(body(64))) {
            long bytes = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> raw.roundTrips(ROUND_TRIPS, 16));
            assertEquals(64L * ROUND_TRIPS, bytes);
            assertTrue(raw.framesReceived() < ROUND_TRIPS / 2, raw.framesReceived() + " answer frames");
        }
    }

    @Test
    void theBatchedBaselineSplitsAWindowOverTheRecordBound() throws Exception {
        int window = 3 * RawZmqEcho.MAX_BATCH_RECORDS;
        try (RawZmqEcho raw = RawZmqEcho.batched(body(8))) {
            long bytes = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> raw.roundTrips(ROUND_TRIPS, window));
            assertEquals(8L * ROUND_TRIPS, bytes);
        }
    }

    @Test
    void theUnbatchedBaselineSendsOneMessagePerRequest() throws Exception {
        try (RawZmqEcho raw = RawZmqEcho.unbatched(body(64))) {
            long bytes = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> raw.roundTrips(ROUND_TRIPS, 16));
            assertEquals(64L * ROUND_TRIPS, bytes);
            assertEquals(ROUND_TRIPS, raw.framesReceived());
        }
    }

    @Test
    void theRelayPathGoesThroughTheCodecAndTheRemoteWorker() throws Exception {
        ZmqRelayBenchmark bench = new ZmqRelayBenchmark();
        bench.payloadBytes = 64;
        bench.window = 16;
        bench.setUp();
        try {
            long before = bench.gateway.stats().requests();
            assertTimeoutPreemptively(Duration.ofSeconds(30), bench::relay);
            assertEquals(0, bench.connection.errors());
            assertTrue(bench.gateway.stats().requests() - before >= ZmqRelayBenchmark.BATCH,
                    "requests through the gateway: " + bench.gateway.stats());
            assertEquals(0, bench.router.stats().waiting());
        } finally {
            bench.tearDown();
        }
    }

    @Test
    void onlyAnswersThatEndTheirRequestCount() {
        Codec codec = Codec.json();
        assertTrue(BenchConnection.endsRequest(codec.encode(Response.data(RequestId.of(3), Payload.json("\"x\""), true))));
        assertFalse(BenchConnection.endsRequest(codec.encode(Response.error(RequestId.of(3), ErrorCode.OVERLOADED, "busy"))));
        assertFalse(BenchConnection.endsRequest(codec.encode(Response.data(RequestId.of(3), Payload.json("\"x\""), false))));
    }
}
