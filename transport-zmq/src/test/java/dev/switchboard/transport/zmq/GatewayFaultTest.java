package dev.switchboard.transport.zmq;

import dev.switchboard.core.test.Await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Payload;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RoutingStrategies;
import dev.switchboard.core.routing.WorkerLoad;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Gateway faults under a steady load: a worker process frozen with SIGSTOP until its missed
 * heartbeats declare it dead, then resumed; the gateway itself restarted. Every request ends
 * (answered, or answered with an error), none waits past the heartbeat deadline plus a second,
 * and the frozen worker or the restarted gateway serves again. A worker killed under load is
 * {@link MultiProcessTest}.
 */
class GatewayFaultTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int HEARTBEAT_MS = 300;
    /** The contract: no request waits longer than the heartbeat deadline plus one second. */
    private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(3 * HEARTBEAT_MS + 1000);

    private final Membership membership = Membership.create();
    private final Router router = Router.builder().membership(membership).strategy(RoutingStrategies.roundRobin()).build();
    private final List<Process> processes = new ArrayList<>();
    private final List<ZmqWorker> workers = new ArrayList<>();
    private final List<ZmqGateway> gateways = new ArrayList<>();
    private @Nullable Disposable load;
    private volatile boolean loading = true;

    private final LongAdder issued = new LongAdder();
    private final LongAdder finished = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final List<Throwable> otherErrors = new CopyOnWriteArrayList<>();
    private final AtomicLong longestNanos = new AtomicLong();

    @AfterEach
    void tearDown() throws InterruptedException {
        if (load != null) {
            load.dispose();
        }
        for (Process p : processes) {
            signal(p, "CONT");
            p.destroyForcibly();
        }
        for (Process p : processes) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        workers.forEach(ZmqWorker::dispose);
        for (ZmqGateway g : gateways) {
            g.dispose();
            g.onDispose().block(WAIT);
        }
        router.dispose();
    }

    private ZmqGateway gateway(String endpoint) {
        ZmqGateway g = ZmqGateway.builder(membership).spec(ZmqGatewaySpec.builder().endpoint(endpoint)
                .heartbeatInterval(Duration.ofMillis(HEARTBEAT_MS)).build()).bindNow();
        gateways.add(g);
        return g;
    }

    private Process startWorkerProcess(String endpoint, String id) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), WorkerProcessMain.class.getName(), endpoint, id,
                Integer.toString(HEARTBEAT_MS))
                .redirectErrorStream(true).redirectOutput(new File("target/fault-worker-" + id + ".log")).start();
        processes.add(p);
        return p;
    }

    private static void signal(Process p, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
            assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0 || !p.isAlive(), "kill -" + signal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private long served(String id) {
        return router.loads().stream().filter(l -> l.id().equals(id)).mapToLong(WorkerLoad::served).sum();
    }

    private void startLoad() {
        load = Flux.interval(Duration.ofMillis(4)).takeWhile(t -> loading).onBackpressureDrop()
                .flatMap(this::oneRequest, 12).subscribe();
    }

    private Mono<Void> oneRequest(long i) {
        issued.increment();
        long start = System.nanoTime();
        Request request = Request.builder().id(RequestId.of(i)).key("k" + (i % 50))
                .payload(Payload.json(Long.toString(i))).idempotent(i % 4 != 0).build();
        return router.route(request).then()
                .doOnSuccess(v -> answered.increment())
                .onErrorResume(e -> {
                    // a request on a worker that died, or routed while none was registered
                    if (!(e instanceof RelayException r) || r.code() == ErrorCode.WORKER_FAILED
                            || r.code() == ErrorCode.NO_WORKERS) {
                        failed.increment();
                    } else {
                        otherErrors.add(e);
                    }
                    return Mono.empty();
                })
                .doFinally(s -> {
                    longestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                    finished.increment();
                });
    }

    private void stopLoadAndCheck(String what) {
        loading = false;
        Await.until(WAIT, () -> finished.sum() == issued.sum(), "every request finished");
        System.out.printf("RELIABILITY %s: %d requests, %d answered, %d answered with an error, longest %d ms%n", what,
                issued.sum(), answered.sum(), failed.sum(), TimeUnit.NANOSECONDS.toMillis(longestNanos.get()));
        assertTrue(otherErrors.isEmpty(), otherErrors.toString());
        assertEquals(issued.sum(), answered.sum() + failed.sum());
        assertTrue(longestNanos.get() <= MAX_WAIT_NANOS,
                "a request waited " + TimeUnit.NANOSECONDS.toMillis(longestNanos.get()) + " ms");
    }

    @Test
    void aWorkerFrozenWithSigstopIsDeclaredDeadAndRejoinsWhenResumed() throws Exception {
        ZmqGateway gateway = gateway("tcp://127.0.0.1:*");
        Process frozen = startWorkerProcess(gateway.endpoint(), "f1");
        startWorkerProcess(gateway.endpoint(), "f2");
        Await.until(WAIT, () -> gateway.workerIds().size() == 2, "two worker processes registered");
        startLoad();
        Await.until(WAIT, () -> finished.sum() >= 200 && served("f1") > 0, "a steady load");

        signal(frozen, "STOP");
        long stoppedAt = System.nanoTime();
        Await.until(Duration.ofNanos(MAX_WAIT_NANOS), () -> !gateway.workerIds().contains("f1"),
                "the frozen worker declared dead");
        long declaredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
        long atDeath = finished.sum();
        Await.until(WAIT, () -> finished.sum() >= atDeath + 200, "the other carries on");

        signal(frozen, "CONT");
        Await.until(WAIT, () -> gateway.workerIds().contains("f1"), "the resumed worker rejoined");
        long before = served("f1");
        Await.until(WAIT, () -> served("f1") > before + 20, "the resumed worker gets traffic");
        System.out.printf("RELIABILITY sigstop: declared dead %d ms after SIGSTOP (heartbeat %d ms)%n", declaredMs,
                HEARTBEAT_MS);
        stopLoadAndCheck("sigstop");
        assertTrue(gateway.stats().deadWorkers() >= 1);
    }

    @Test
    void aGatewayRestartedUnderLoadIsRejoinedAndNoRequestHangs() {
        ZmqGateway first = gateway("tcp://127.0.0.1:*");
        String endpoint = first.endpoint();
        for (String id : List.of("g1", "g2")) {
            workers.add(ZmqWorker.builder((req, ctx) -> Mono.delay(Duration.ofMillis(3)).thenReturn(req.payload()).flux())
                    .spec(ZmqWorkerSpec.builder().id(id).capacity(4).connect(endpoint)
                            .heartbeatInterval(Duration.ofMillis(HEARTBEAT_MS)).build()).build());
        }
        Await.until(WAIT, () -> first.workerIds().size() == 2, "both workers registered");
        startLoad();
        Await.until(WAIT, () -> finished.sum() >= 200, "a steady load");

        first.dispose();
        first.onDispose().block(WAIT);
        long restartedAt = System.nanoTime();
        ZmqGateway second = gateway(endpoint);
        Await.until(WAIT, () -> second.workerIds().size() == 2, "both workers registered again");
        long rejoinMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt);
        long answeredBefore = answered.sum();
        Await.until(WAIT, () -> answered.sum() >= answeredBefore + 200, "the restarted gateway serves");
        System.out.printf("RELIABILITY gateway restart: workers back %d ms after the new gateway bound%n", rejoinMs);
        stopLoadAndCheck("gateway restart");
    }
}
