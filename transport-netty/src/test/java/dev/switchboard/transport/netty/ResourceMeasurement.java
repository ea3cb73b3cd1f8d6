package dev.switchboard.transport.netty;

import dev.switchboard.core.test.Await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.RoutingStrategies;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * Resource measurements, run on demand, not in every build:
 * {@code mvn -B -o verify -pl transport-netty -am -Pmeasure}. Leak detection is off in that
 * profile so that its records do not count as heap.
 *
 * <ul>
 *   <li>10,000 connect–request–disconnect cycles (client and server in this JVM): open file
 *       descriptors ({@code /proc/self/fd}) within +20 of the start, heap after GC within +5 MiB;</li>
 *   <li>5,000 idle connections held by a Python client in another process: the server's heap per
 *       connection, against a bare Reactor Netty WebSocket route measured in the same run.</li>
 * </ul>
 */
class ResourceMeasurement {

    static final int CYCLES = Integer.getInteger("measure.cycles", 10_000);
    static final int IDLE = Integer.getInteger("measure.idle", 5_000);
    static final int CONCURRENCY = 8;

    @Test
    void connectRequestDisconnectCyclesLeaveFileDescriptorsAndHeapWhereTheyWere() {
        Relay relay = WebSocketRelayTest.relay(RoutingStrategies.roundRobin(), 4);
        WebSocketRelayServer server = WebSocketRelayServer.builder(relay).bindNow();
        try {
            HttpClient client = HttpClient.newConnection();
            String uri = server.uri().toString();
            cycles(client, uri, 500); // warm up: event loops, pools, JIT
            Await.until(TestClient.WAIT, () -> server.handler().connections() == 0, "the measurement's condition");
            long fdStart = openFds();
            long heapStart = heapAfterGc();
            long t0 = System.nanoTime();
            cycles(client, uri, CYCLES);
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            Await.until(TestClient.WAIT, () -> server.handler().connections() == 0 && openFds() <= fdStart + 20,
                    "the measurement's condition");
            long fdEnd = openFds();
            long heapEnd = heapAfterGc();
            System.out.printf("MEASURE churn: %d cycles in %d ms (%.0f/s); fds %d -> %d (%+d); heap after GC %.2f -> %.2f MiB (%+.2f MiB); "
                            + "direct memory of the default allocator %.2f MiB; sessions %d%n",
                    CYCLES, elapsedMs, CYCLES * 1000.0 / Math.max(1, elapsedMs), fdStart, fdEnd, fdEnd - fdStart,
                    mib(heapStart), mib(heapEnd), mib(heapEnd - heapStart),
                    mib(directMemory()),
                    relay.metrics().snapshot().sessions());
            assertTrue(fdEnd <= fdStart + 20, "fds " + fdStart + " -> " + fdEnd);
            assertTrue(heapEnd - heapStart <= 5L << 20, "heap grew by " + mib(heapEnd - heapStart) + " MiB");
            assertEquals(0, relay.metrics().snapshot().sessions());
        } finally {
            server.shutdown(Duration.ZERO).block(Duration.ofSeconds(30));
        }
    }

    private static void cycles(HttpClient client, String uri, int n) {
        Long done = Flux.range(0, n)
                .flatMap(i -> client.websocket().uri(uri).handle((in, out) -> out
                                .sendString(Mono.just("{\"id\":" + i + ",\"key\":\"k" + (i % 64) + "\",\"body\":" + i + "}"))
                                .then()
                                .thenMany(in.receive().asString().take(1))
                                .concatWith(out.sendClose().then(Mono.empty())))
                        .count(), CONCURRENCY)
                .reduce(0L, Long::sum)
                .block(Duration.ofMinutes(5));
        assertEquals(n, done);
    }

    @Test
    void holdsFiveThousandIdleConnectionsAndReportsHeapPerConnection() throws IOException, InterruptedException {
        // baseline in the same run: a bare Reactor Netty WebSocket route that only waits for the close
        AtomicInteger bareOpen = new AtomicInteger();
        DisposableServer bare = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> r.ws("/ws", (in, out) -> {
                    bareOpen.incrementAndGet();
                    return in.receiveFrames().then().doFinally(s -> bareOpen.decrementAndGet());
                })).bindNow();
        double barePerConnection;
        try {
            barePerConnection = heapPerConnection("bare Reactor Netty", "ws://127.0.0.1:" + bare.port() + "/ws", bareOpen::get);
        } finally {
            bare.disposeNow(Duration.ofSeconds(30));
        }
        Relay relay = WebSocketRelayTest.relay(RoutingStrategies.roundRobin(), 4);
        WebSocketRelayServer server = WebSocketRelayServer.builder(relay)
                .spec(WebSocketRelaySpec.builder().maxConnections(IDLE + 100).build()).bindNow();
        double perConnection;
        try {
            perConnection = heapPerConnection("relay", server.uri().toString(), server.handler()::connections);
            assertEquals(0, relay.metrics().snapshot().sessions());
        } finally {
            server.shutdown(Duration.ZERO).block(Duration.ofSeconds(60));
        }
        System.out.printf("MEASURE idle: relay %.0f bytes per connection = %.2f x bare Reactor Netty (%.0f bytes)%n",
                perConnection, perConnection / barePerConnection, barePerConnection);
        assertTrue(perConnection <= 16 * 1024, "heap per connection " + perConnection + " bytes");
    }

    /** Holds {@link #IDLE} connections from a Python process and returns the server's heap per connection. */
    private static double heapPerConnection(String what, String uri, java.util.function.IntSupplier open)
            throws IOException, InterruptedException {
        long heapStart = heapAfterGc();
        long fdStart = openFds();
        Process python = new ProcessBuilder(PythonClientTest.PYTHON, "src/test/python/hold_connections.py", uri,
                String.valueOf(IDLE)).redirectErrorStream(true).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready " + IDLE, lines.readLine());
            Await.until(TestClient.WAIT, () -> open.getAsInt() == IDLE, "the measurement's condition");
            long heapHeld = heapAfterGc();
            long fdHeld = openFds();
            double perConnection = (heapHeld - heapStart) / (double) IDLE;
            System.out.printf("MEASURE idle (%s): %d connections held; heap after GC %.2f -> %.2f MiB: %.0f bytes (%.2f KiB) "
                            + "per connection; fds %d -> %d; direct memory of the default allocator %.2f MiB%n",
                    what, IDLE, mib(heapStart), mib(heapHeld), perConnection, perConnection / 1024, fdStart, fdHeld,
                    mib(directMemory()));
            python.getOutputStream().close();
            assertEquals("closed", lines.readLine());
            assertTrue(python.waitFor(60, TimeUnit.SECONDS));
            Await.until(TestClient.WAIT, () -> open.getAsInt() == 0, "the measurement's condition");
            return perConnection;
        } finally {
            python.destroyForcibly();
        }
    }

    static long openFds() {
        return ProcessStats.openFds();
    }

    static long heapAfterGc() {
        return ProcessStats.heapAfterGc();
    }

    static long directMemory() {
        return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p
                ? p.metric().usedDirectMemory() : -1;
    }

    static double mib(long bytes) {
        return bytes / 1024.0 / 1024.0;
    }

}
