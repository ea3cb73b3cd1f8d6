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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A gateway in this JVM and three worker JVMs under a steady load: {@code kill -9} of one worker
 * loses no request, the others carry on, and the worker restarted rejoins and gets traffic.
 */
class MultiProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int HEARTBEAT_MS = 300;
    /** The contract: no request waits longer than the heartbeat deadline plus one second. */
    private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(3 * HEARTBEAT_MS + 1000);

    private final Membership membership = Membership.create();
    private final Router router = Router.builder().membership(membership).strategy(RoutingStrategies.roundRobin()).build();
    private final List<Process> processes = new ArrayList<>();
    private ZmqGateway gateway;
    private Disposable load;
    private volatile boolean loading = true;

    private final LongAdder issued = new LongAdder();
    private final LongAdder finished = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private final LongAdder workerFailed = new LongAdder();
    private final List<Throwable> otherErrors = new CopyOnWriteArrayList<>();
    private final AtomicLong longestNanos = new AtomicLong();

    @AfterEach
    void tearDown() throws InterruptedException {
        if (load != null) {
            load.dispose();
        }
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (gateway != null) {
            gateway.dispose();
            gateway.onDispose().block(WAIT);
        }
        router.dispose();
    }

    private Process startWorker(String id) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), WorkerProcessMain.class.getName(), gateway.endpoint(), id,
                Integer.toString(HEARTBEAT_MS))
                .redirectErrorStream(true).redirectOutput(new File("target/worker-" + id + ".log")).start();
        processes.add(p);
        return p;
    }

    private long served(String id) {
        return router.loads().stream().filter(l -> l.id().equals(id)).mapToLong(WorkerLoad::served).sum();
    }

    private Mono<Void> oneRequest(long i) {
        issued.increment();
        long start = System.nanoTime();
        Request request = Request.builder().id(RequestId.of(i)).key("k" + (i % 50))
                .payload(Payload.json(Long.toString(i))).idempotent(i % 4 != 0).build();
        return router.route(request).then()
                .doOnSuccess(v -> answered.increment())
                .onErrorResume(e -> {
                    // the relay answers any error that is not a RelayException with worker_failed
                    if (!(e instanceof RelayException r) || r.code() == ErrorCode.WORKER_FAILED) {
                        workerFailed.increment();
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

    @Test
    void killingOneWorkerLosesNoRequestAndTheRestartedWorkerRejoins() throws Exception {
        gateway = ZmqGateway.builder(membership)
                .spec(ZmqGatewaySpec.builder().heartbeatInterval(Duration.ofMillis(HEARTBEAT_MS)).build())
                .bindNow();
        Process victim = startWorker("p1");
        startWorker("p2");
        startWorker("p3");
        Await.until(WAIT, () -> gateway.workerIds().size() == 3, "three worker processes registered");

        load = Flux.interval(Duration.ofMillis(4)).takeWhile(t -> loading).onBackpressureDrop()
                .flatMap(this::oneRequest, 12).subscribe();
        Await.until(WAIT, () -> finished.sum() >= 200, "a steady load");

        victim.destroyForcibly();
        victim.waitFor(10, TimeUnit.SECONDS);
        Await.until(Duration.ofMillis(MAX_WAIT_NANOS / 1_000_000 + 1000), () -> !gateway.workerIds().contains("p1"),
                "the killed worker dropped");
        long p2 = served("p2");
        long p3 = served("p3");
        long atKill = finished.sum();
        Await.until(WAIT, () -> finished.sum() >= atKill + 200, "the others carry on");
        assertTrue(served("p2") > p2 && served("p3") > p3, "both survivors took requests");

        startWorker("p1");
        Await.until(WAIT, () -> gateway.workerIds().contains("p1"), "the restarted worker rejoined");
        Await.until(WAIT, () -> served("p1") > 20, "the restarted worker gets traffic");

        loading = false;
        Await.until(WAIT, () -> finished.sum() == issued.sum(), "every request finished");
        assertTrue(otherErrors.isEmpty(), otherErrors.toString());
        assertEquals(issued.sum(), answered.sum() + workerFailed.sum());
        assertTrue(longestNanos.get() <= MAX_WAIT_NANOS,
                "a request waited " + TimeUnit.NANOSECONDS.toMillis(longestNanos.get()) + " ms");
        System.out.printf("multi-process: %d requests, %d answered, %d worker_failed, longest %d ms%n",
                issued.sum(), answered.sum(), workerFailed.sum(), TimeUnit.NANOSECONDS.toMillis(longestNanos.get()));
    }
}
