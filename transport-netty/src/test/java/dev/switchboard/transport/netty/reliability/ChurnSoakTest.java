package dev.switchboard.transport.netty.reliability;

import dev.switchboard.core.test.Await;

import static dev.switchboard.transport.netty.reliability.Fixtures.isFinal;
import static dev.switchboard.transport.netty.reliability.Fixtures.mib;
import static dev.switchboard.transport.netty.reliability.Fixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RoutingStrategies;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.transport.netty.NettyLeakCheck;
import dev.switchboard.transport.netty.WebSocketRelayServer;
import dev.switchboard.transport.netty.WebSocketRelaySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Connect, request, disconnect, over and over, while workers are restarted: file descriptors,
 * threads and heap after GC are sampled at a fixed period and must stay flat, every cycle must
 * end (answers or error answers, never a hang), and everything is free at the end. The default
 * build runs {@value #SHORT_SECONDS} s of it; {@code mvn -B verify -Psoak} runs
 * {@code soak.duration} (10 minutes) sampling every 10 s.
 */
@ExtendWith(NettyLeakCheck.class)
class ChurnSoakTest {

    static final int SHORT_SECONDS = 20;
    static final int CONCURRENCY = 8;
    static final int REQUESTS_PER_CYCLE = 3;
    static final Duration RESTART_EVERY = Duration.ofSeconds(2);
    static final long FD_SLACK = 20;
    static final int THREAD_SLACK = 4;
    static final long HEAP_SLACK_BYTES = 24L << 20;

    private final List<LocalWorker> workers = new ArrayList<>();
    private final AtomicInteger generation = new AtomicInteger();
    private final List<Disposable> running = new ArrayList<>();
    private @Nullable WebSocketRelayServer server;
    private final HttpClient http = HttpClient.newConnection().runOn(Fixtures.CLIENT_LOOPS);

    record Sample(long seconds, long fds, int threads, long heap) {
    }

    @AfterEach
    void stop() {
        running.forEach(Disposable::dispose);
        if (server != null) {
            server.shutdown(Duration.ZERO).block(Fixtures.WAIT);
        }
    }

    @Test
    void connectRequestDisconnectChurnWithWorkerRestartsKeepsDescriptorsThreadsAndHeapFlat() {
        churn(Duration.ofSeconds(SHORT_SECONDS), Duration.ofSeconds(4));
    }

    @Test
    @Tag("soak")
    void soakConnectRequestDisconnectChurnWithWorkerRestarts() {
        churn(Fixtures.SOAK, Duration.ofSeconds(10));
    }

    private LocalWorker worker() {
        LocalWorker w = LocalWorker.builder(Fixtures.HANDLER).id("w" + generation.incrementAndGet()).capacity(8).build();
        synchronized (workers) {
            workers.add(w);
        }
        return w;
    }

    private void churn(Duration duration, Duration period) {
        Membership membership = Membership.create();
        Relay relay = Relay.builder().router(Router.builder().membership(membership)
                .strategy(RoutingStrategies.leastLoaded()).build()).build();
        for (int i = 0; i < 3; i++) {
            membership.join(worker());
        }
        server = WebSocketRelayServer.builder(relay).spec(WebSocketRelaySpec.builder().closeTimeout(Duration.ofSeconds(1)).build())
                .bindNow();
        String uri = server.uri().toString();

        AtomicLong cycles = new AtomicLong();
        AtomicLong errorAnswers = new AtomicLong();
        AtomicInteger restarts = new AtomicInteger();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        running.add(Flux.range(0, Integer.MAX_VALUE)
                .flatMap(i -> cycle(uri, i, errorAnswers)
                        .timeout(Duration.ofSeconds(20))
                        .doOnSuccess(v -> cycles.incrementAndGet())
                        .onErrorResume(e -> {
                            failures.add(e);
                            return Mono.empty();
                        }), CONCURRENCY)
                .subscribe());
        // the oldest worker stops taking requests (those it runs finish) and a new one joins
        running.add(Flux.interval(RESTART_EVERY).subscribe(t -> {
            LocalWorker oldest;
            synchronized (workers) {
                oldest = workers.remove(0);
            }
            oldest.close();
            membership.join(worker());
            restarts.incrementAndGet();
        }));

        List<Sample> samples = new ArrayList<>();
        long t0 = System.nanoTime();
        long end = t0 + duration.toNanos();
        while (System.nanoTime() < end) {
            Mono.delay(period).block();
            long now = (System.nanoTime() - t0) / 1_000_000_000L;
            Sample s = new Sample(now, Fixtures.openFds(), Fixtures.threads(), Fixtures.heapAfterGc());
            samples.add(s);
            System.out.printf("RELIABILITY churn sample at %d s: %d cycles, %d restarts, fds %d, threads %d, heap %.1f MiB%n",
                    now, cycles.get(), restarts.get(), s.fds(), s.threads(), mib(s.heap()));
        }
        running.forEach(Disposable::dispose);
        running.clear();
        Await.until(Fixtures.WAIT, () -> relay.metrics().snapshot().sessions() == 0 && server.handler().connections() == 0,
                "every churned session closed");

        assertTrue(samples.size() >= 3, "samples " + samples);
        // the first sample is the baseline: event loops, pools and JIT have warmed up by then
        Sample base = samples.get(0);
        long maxFds = samples.stream().mapToLong(Sample::fds).max().orElseThrow();
        int maxThreads = samples.stream().mapToInt(Sample::threads).max().orElseThrow();
        long maxHeap = samples.stream().mapToLong(Sample::heap).max().orElseThrow();
        Sample last = samples.get(samples.size() - 1);
        System.out.printf("RELIABILITY churn: %d s, %d cycles (%.0f/s) of %d requests, %d worker restarts, %d error answers; "
                        + "fds %d -> %d (max %d), threads %d -> %d (max %d), heap after GC %.1f -> %.1f MiB (max %.1f)%n",
                duration.toSeconds(), cycles.get(), cycles.get() / (double) duration.toSeconds(), REQUESTS_PER_CYCLE,
                restarts.get(), errorAnswers.get(), base.fds(), last.fds(), maxFds, base.threads(), last.threads(),
                maxThreads, mib(base.heap()), mib(last.heap()), mib(maxHeap));
        assertTrue(failures.isEmpty(), failures.size() + " cycles failed, first: " + failures.peek());
        assertTrue(cycles.get() > 0);
        assertTrue(restarts.get() > 0);
        for (Sample s : samples) {
            assertTrue(s.fds() <= base.fds() + FD_SLACK, "descriptors grew: " + samples);
            assertTrue(s.threads() <= base.threads() + THREAD_SLACK, "threads grew: " + samples);
            assertTrue(s.heap() <= base.heap() + HEAP_SLACK_BYTES, "heap grew: " + samples);
        }
        assertEquals(0, relay.metrics().snapshot().inFlight());
        synchronized (workers) {
            assertTrue(workers.stream().allMatch(w -> w.active() == 0));
        }
    }

    /** One client: connects, sends its requests, waits for each final answer, and closes. */
    private Mono<Void> cycle(String uri, int i, AtomicLong errorAnswers) {
        return http.websocket(Fixtures.CLIENT_SPEC).uri(uri).handle((in, out) -> {
            Flux<String> requests = Flux.range(0, REQUESTS_PER_CYCLE).map(k -> request(k, "work", String.valueOf(k)));
            return out.sendString(requests).then()
                    .thenMany(in.receive().asString().filter(r -> {
                        if (r.contains("\"error\":")) {
                            errorAnswers.incrementAndGet();
                        }
                        return isFinal(r);
                    }).take(REQUESTS_PER_CYCLE))
                    .count()
                    .flatMap(n -> n == REQUESTS_PER_CYCLE ? Mono.empty()
                            : Mono.error(new AssertionError("cycle " + i + " got " + n + " answers")));
        }).then();
    }
}
