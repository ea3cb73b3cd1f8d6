package dev.switchboard.transport.netty.reliability;

import dev.switchboard.core.test.Await;

import static dev.switchboard.transport.netty.reliability.Fixtures.heapAfterGc;
import static dev.switchboard.transport.netty.reliability.Fixtures.mib;
import static dev.switchboard.transport.netty.reliability.Fixtures.pacedLoad;
import static dev.switchboard.transport.netty.reliability.Fixtures.percentileMs;
import static dev.switchboard.transport.netty.reliability.Fixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RoutingStrategies;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.transport.netty.NettyLeakCheck;
import dev.switchboard.transport.netty.WebSocketRelayHandler;
import dev.switchboard.transport.netty.WebSocketRelaySpec;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ResourceLeakDetector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * Clients that misbehave cost the well-behaved ones little: sessions that never read their
 * responses hold a bounded heap, and neither they nor one client flooding as fast as it can push
 * the well-behaved sessions' p99 above twice what it is without them. Each test measures the
 * well-behaved load alone before and after, and beside the bad clients, in the same run; the
 * bound compares against the worse of the two runs alone, as the machine's own noise moves both.
 *
 * <p>The default build runs {@value #SHORT_BAD} never-reading sessions beside {@value #SHORT_GOOD}
 * good ones; the soak profile runs 1,000 beside 100.
 */
@ExtendWith(NettyLeakCheck.class)
// p99 comparisons need a quiet machine: they run in the soak profile only (mvn -B verify -Psoak)
@Tag("soak")
class BadClientIsolationTest {

    static final int SHORT_BAD = 100;
    static final int SHORT_GOOD = 20;
    static final int BAD = Fixtures.LONG ? 1_000 : SHORT_BAD;
    static final int GOOD = Fixtures.LONG ? 100 : SHORT_GOOD;
    static final int GOOD_REQUESTS = 30;
    static final Duration PAUSE = Duration.ofMillis(10);
    static final int MAX_IN_FLIGHT = 16;
    static final int MAX_QUEUED = 16;
    /** Requests a bad client writes: several times what a stuck session takes in. */
    static final int BAD_REQUESTS = 2_000;
    /**
     * What one never-reading session may hold on the heap: its queued and in-flight responses and
     * the 256 frames Reactor Netty's {@code sendObject} prefetches, each a 1 KiB body in a frame
     * (about 1,400 bytes with its wrappers), plus the connection itself (about 16 KiB, see
     * ResourceMeasurement). Netty's outbound buffer is direct memory, copied from these frames.
     */
    static final long BOUND_PER_BAD_SESSION = (MAX_QUEUED + MAX_IN_FLIGHT + 256) * 1_400L + 16 * 1024;
    /** The bound on p99 beside bad clients, as a multiple of p99 without them. */
    static final double P99_RATIO = 2.0;
    /**
     * Added to the bound: scheduling noise on a shared two-core machine moves a p99 of a few
     * milliseconds by tens of them either way; a session that is not isolated costs hundreds.
     */
    static final double NOISE_MS = 25;
    static final int FLOOD_ROUNDS = 3;
    /** Credits per worker (two workers): the flooder's session bound is a quarter of them. */
    static final int CAPACITY = 32;

    private final List<Disposable> clients = new ArrayList<>();
    private @Nullable WebSocketRelayHandler handler;
    private @Nullable DisposableServer host;
    private @Nullable Relay relay;
    private final HttpClient http = HttpClient.newConnection().runOn(Fixtures.CLIENT_LOOPS);
    private final LoopResources floodLoop = LoopResources.create("flooder", 1, true);

    @AfterEach
    void stop() {
        clients.forEach(Disposable::dispose);
        if (handler != null) {
            handler.shutdown(Duration.ZERO).block(Fixtures.WAIT);
        }
        if (host != null) {
            host.disposeNow(Fixtures.WAIT);
        }
        floodLoop.disposeLater().block(Fixtures.WAIT);
    }

    private String start() {
        Router.Builder router = Router.builder().strategy(RoutingStrategies.leastLoaded());
        for (int i = 1; i <= 2; i++) {
            router.worker(LocalWorker.builder(Fixtures.HANDLER).id("w" + i).capacity(CAPACITY).build());
        }
        relay = Relay.builder().router(router.build())
                .maxInFlight(MAX_IN_FLIGHT).maxQueuedResponses(MAX_QUEUED)
                // long enough that the bad sessions are still held while the good ones are measured
                .slowConsumerTimeout(Duration.ofMinutes(5))
                .build();
        handler = WebSocketRelayHandler.builder(relay)
                .spec(WebSocketRelaySpec.builder().maxConnections(BAD + GOOD + 10).build())
                .build();
        // a fixed send buffer: loopback autotuning would let each stuck socket swallow megabytes
        // before the relay's own bounds are reached
        host = HttpServer.create().host("127.0.0.1").port(0)
                .childOption(ChannelOption.SO_SNDBUF, 16 * 1024)
                .route(handler::mount)
                .bindNow(Fixtures.WAIT);
        return "ws://127.0.0.1:" + host.port() + handler.spec().path();
    }

    @Test
    void sessionsThatNeverReadHoldABoundedHeapAndLeaveTheOthersP99WithinTwice() {
        String uri = start();
        pacedLoad(http, uri, GOOD, 10, PAUSE); // warm up
        // the paranoid detector keeps a stack trace per buffer access, which would count as the
        // sessions' heap: it is off while they are held and measured (VanishingClientTest and
        // the flood below check the same paths for leaks)
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        try {
            measureNeverReading(uri);
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    private void measureNeverReading(String uri) {
        long heapBefore = heapAfterGc();
        long[] before = pacedLoad(http, uri, GOOD, GOOD_REQUESTS, PAUSE, "work");

        HttpClient tiny = http.option(ChannelOption.SO_RCVBUF, 4096);
        long t0 = System.nanoTime();
        for (int i = 0; i < BAD; i++) {
            clients.add(tiny.websocket(Fixtures.CLIENT_SPEC).uri(uri).handle((in, out) -> {
                // subscribed with no demand: Reactor Netty stops reading the socket
                in.receiveFrames().subscribe(new BaseSubscriber<WebSocketFrame>() {
                    @Override
                    protected void hookOnSubscribe(Subscription s) {
                    }
                });
                return out.sendString(Flux.range(0, BAD_REQUESTS).map(k -> request(k, "big", "0")))
                        .then().then(Mono.never());
            }).subscribe());
        }
        Relay r = relay;
        Disposable progress = Flux.interval(Duration.ofSeconds(15))
                .subscribe(t -> System.out.println("RELIABILITY waiting: " + r.metrics().snapshot()));
        try {
            // every bad session stuck: its requests in flight, nothing more read
            Await.until(Duration.ofMinutes(Fixtures.LONG ? 10 : 2), () -> r.metrics().snapshot().sessions() == BAD
                            && r.metrics().snapshot().inFlight() == (long) BAD * MAX_IN_FLIGHT, "every bad session holding " + MAX_IN_FLIGHT + " requests");
        } finally {
            progress.dispose();
        }
        double stuckAfter = (System.nanoTime() - t0) / 1e9;
        long requestsTaken = r.metrics().snapshot().requests();
        long heapHeld = heapAfterGc();
        pacedLoad(http, uri, GOOD, 5, PAUSE, "work"); // after the collections: warm up again
        long[] beside = pacedLoad(http, uri, GOOD, GOOD_REQUESTS, PAUSE, "work");

        clients.forEach(Disposable::dispose);
        clients.clear();
        Await.until(Fixtures.WAIT, () -> r.metrics().snapshot().sessions() == 0 && handler.connections() == 0,
                "the bad sessions freed");
        long heapAfter = heapAfterGc();
        pacedLoad(http, uri, GOOD, 5, PAUSE, "work");
        long[] after = pacedLoad(http, uri, GOOD, GOOD_REQUESTS, PAUSE, "work");

        double alone = Math.max(percentileMs(before, 99), percentileMs(after, 99));
        double p99Beside = percentileMs(beside, 99);
        long held = heapHeld - heapBefore;
        System.out.printf("RELIABILITY never-reading: %d bad sessions stuck after %.1f s having sent %d requests in all; "
                        + "they hold %.1f MiB of heap after GC (%.0f KiB each, bound %.0f KiB), %.1f MiB once closed; "
                        + "%d good sessions p50/p99 alone %.2f/%.2f ms then %.2f/%.2f ms, beside the bad ones %.2f/%.2f ms "
                        + "(p99 ratio %.2f to the worse alone)%n",
                BAD, stuckAfter, requestsTaken, mib(held), held / 1024.0 / BAD, BOUND_PER_BAD_SESSION / 1024.0,
                mib(heapAfter - heapBefore), GOOD,
                percentileMs(before, 50), percentileMs(before, 99), percentileMs(after, 50), percentileMs(after, 99),
                percentileMs(beside, 50), p99Beside, p99Beside / alone);
        assertTrue(held <= BAD * BOUND_PER_BAD_SESSION, "the bad sessions hold " + mib(held) + " MiB");
        assertTrue(p99Beside <= P99_RATIO * alone + NOISE_MS,
                "p99 " + p99Beside + " ms beside the bad sessions, " + alone + " ms alone");
        assertEquals(0, r.metrics().snapshot().inFlight());
    }

    @Test
    void aClientFloodingAsFastAsItCanLeavesTheOthersP99WithinTwice() {
        String uri = start();
        pacedLoad(http, uri, GOOD, 10, PAUSE); // warm up
        // with a stack trace per buffer access the flood would measure the leak detector
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        try {
            measureFlood(uri);
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    private void measureFlood(String uri) {
        // rounds alternate with and without the flood, so the machine's own drift falls on both
        List<long[]> alone = new ArrayList<>();
        List<long[]> beside = new ArrayList<>();
        double floodRate = 0;
        long maxInFlight = 0;
        for (int round = 0; round < FLOOD_ROUNDS; round++) {
            alone.add(pacedLoad(http, uri, GOOD, GOOD_REQUESTS, PAUSE, "work"));
            AtomicLong flooded = new AtomicLong();
            // the flooder writes on its own event loop: sharing the good clients' would delay
            // them on the client side, which is not what is measured
            Disposable flood = HttpClient.newConnection().runOn(floodLoop).websocket(Fixtures.CLIENT_SPEC).uri(uri)
                    .handle((in, out) -> {
                        in.receive().subscribe(b -> flooded.incrementAndGet());
                        return out.sendString(Flux.range(0, Integer.MAX_VALUE).map(k -> request(k, "work", String.valueOf(k))))
                                .then().then(Mono.never());
                    }).subscribe();
            clients.add(flood);
            Await.until(Fixtures.WAIT, () -> flooded.get() > 1_000, "the flood under way");
            long answersBefore = flooded.get();
            long t0 = System.nanoTime();
            beside.add(pacedLoad(http, uri, GOOD, GOOD_REQUESTS, PAUSE, "work"));
            floodRate += (flooded.get() - answersBefore) / ((System.nanoTime() - t0) / 1e9) / FLOOD_ROUNDS;
            maxInFlight = Math.max(maxInFlight, relay.metrics().snapshot().inFlight());
            flood.dispose();
            Await.until(Fixtures.WAIT, () -> handler.connections() == 0, "the flooder gone");
        }
        long[] a = merge(alone);
        long[] b = merge(beside);
        double p99Alone = percentileMs(a, 99);
        double p99Beside = percentileMs(b, 99);
        System.out.printf("RELIABILITY flood: %d rounds; the flooder got %.0f answers/s; %d good sessions p50/p99 alone %.2f/%.2f ms, "
                        + "beside the flood %.2f/%.2f ms (p99 ratio %.2f); in flight at most %d%n",
                FLOOD_ROUNDS, floodRate, GOOD, percentileMs(a, 50), p99Alone, percentileMs(b, 50), p99Beside,
                p99Beside / p99Alone, maxInFlight);
        // the flooder's session bound holds (the paced sessions add at most one each)
        assertTrue(maxInFlight <= MAX_IN_FLIGHT + GOOD, "in flight " + maxInFlight);
        assertTrue(p99Beside <= P99_RATIO * p99Alone + NOISE_MS,
                "p99 " + p99Beside + " ms beside the flood, " + p99Alone + " ms alone");
    }

    private static long[] merge(List<long[]> runs) {
        long[] all = runs.stream().flatMapToLong(java.util.Arrays::stream).sorted().toArray();
        return all;
    }
}
