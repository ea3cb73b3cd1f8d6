package dev.switchboard.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.test.Await;
import dev.switchboard.core.transport.WorkerLink;
import dev.switchboard.core.worker.WorkerContext;
import dev.switchboard.core.worker.WorkerHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The rule under CREDIT in {@code PROTOCOL.md} under load: 3 gateways and 2 workers of small
 * capacity connected to all of them, several clients per gateway sending back to back to whichever
 * worker, handlers that answer inline or after a short random delay. No request is ever answered
 * {@code overloaded} (a gateway spends only the credits it was granted) or fails, and no worker
 * runs more than its capacity. The workers register while the load already runs, with a short
 * heartbeat interval, so that a READY goes again now and then before its acknowledgement arrives
 * while another gateway registers the worker (the crossing {@link ReadyAgainTest} drives by hand;
 * before it was fixed this test failed about every other run). It runs for half of {@code soak.duration} (10 s in the default build; the soak profile runs it
 * for 5 minutes).
 */
class SharedCapacityStressTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration RUN = Duration.parse(System.getProperty("soak.duration", "PT20S")).dividedBy(2);
    private static final Duration HEARTBEAT = Duration.ofMillis(100);
    private static final int GATEWAYS = 3;
    private static final int CLIENTS_PER_GATEWAY = 5;
    private static final int[] CAPACITIES = {2, 3};

    private final List<Disposable> cleanup = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();

    @AfterEach
    void tearDown() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).dispose();
        }
    }

    @Test
    @Timeout(value = 15, unit = java.util.concurrent.TimeUnit.MINUTES)
    void gatewaysSpendingOnlyTheirCreditsAreNeverAnsweredOverloadedAndNoWorkerRunsPastItsCapacity() {
        List<Membership> memberships = new ArrayList<>();
        List<String> endpoints = new ArrayList<>();
        for (int g = 0; g < GATEWAYS; g++) {
            Membership membership = Membership.create();
            ZmqGateway gateway = ZmqGateway.builder(membership)
                    .spec(ZmqGatewaySpec.builder().heartbeatInterval(HEARTBEAT).build()).bindNow();
            cleanup.add(() -> {
                gateway.dispose();
                gateway.onDispose().block(WAIT);
            });
            memberships.add(membership);
            endpoints.add(gateway.endpoint());
        }
        long deadline = System.nanoTime() + RUN.toNanos();
        // the clients start first: each worker registers with gateways that already have work waiting
        AtomicInteger clientsDone = new AtomicInteger();
        for (Membership m : memberships) {
            for (int c = 0; c < CLIENTS_PER_GATEWAY; c++) {
                Disposable d = client(m, deadline).doFinally(s -> clientsDone.incrementAndGet())
                        .subscribe(v -> { }, e -> errors.add("client: " + e));
                cleanup.add(d);
            }
        }
        List<Counting> handlers = new ArrayList<>();
        for (int w = 0; w < CAPACITIES.length; w++) {
            Counting handler = new Counting();
            handlers.add(handler);
            ZmqWorkerSpec.Builder spec = ZmqWorkerSpec.builder().id("w" + w).capacity(CAPACITIES[w])
                    .heartbeatInterval(HEARTBEAT);
            endpoints.forEach(spec::connect);
            ZmqWorker worker = ZmqWorker.builder(handler).spec(spec.build()).build();
            cleanup.add(() -> {
                worker.dispose();
                worker.onDispose().block(WAIT);
            });
        }
        Await.until(WAIT.plus(RUN), () -> clientsDone.get() == GATEWAYS * CLIENTS_PER_GATEWAY,
                () -> "every client ends its run; answered " + answered.get() + ", errors " + errors);
        System.out.printf("shared capacity stress: %d answered in %s, peaks %d and %d%n", answered.get(), RUN,
                handlers.get(0).peak.get(), handlers.get(1).peak.get());
        assertEquals(List.of(), List.copyOf(errors), "no request refused or failed");
        assertTrue(answered.get() > 100, "the load ran: " + answered.get() + " answered");
        for (int w = 0; w < CAPACITIES.length; w++) {
            int peak = handlers.get(w).peak.get();
            assertTrue(peak <= CAPACITIES[w], "w" + w + " of capacity " + CAPACITIES[w] + " ran " + peak + " at once");
        }
    }

    /** Requests back to back through {@code m}'s workers (once there are some) until {@code deadline}. */
    private Mono<Void> client(Membership m, long deadline) {
        return Mono.defer(() -> {
            List<WorkerLink> members = m.members();
            if (members.isEmpty()) {
                return Mono.delay(Duration.ofMillis(5)).then();
            }
            WorkerLink link = members.get(ThreadLocalRandom.current().nextInt(members.size()));
            long id = ids.incrementAndGet();
            int delay = ThreadLocalRandom.current().nextInt(4);
            String key = "k" + (id % 16) + ":" + delay;
            Request r = Request.builder().id(RequestId.of(id)).key(key).payload(Payload.json("1")).build();
            return link.exchange(r)
                    .doOnError(e -> errors.add(link.id() + ": " + e))
                    .onErrorResume(e -> Mono.empty())
                    .doOnComplete(answered::incrementAndGet)
                    .then();
        }).repeat(() -> System.nanoTime() - deadline < 0).then();
    }

    /** Answers inline (a delay of 0) or after the key's delay in ms, and counts its peak of concurrent runs. */
    private static final class Counting implements WorkerHandler {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();

        @Override
        public Flux<Payload> handle(Request request, WorkerContext context) {
            int delay = request.key().charAt(request.key().length() - 1) - '0';
            Mono<Payload> answer = Mono.just(Payload.json("\"" + context.workerId() + "\""));
            Mono<Payload> timed = delay == 0 ? answer : Mono.delay(Duration.ofMillis(delay)).then(answer);
            // a run ends before its answer leaves: the slot may be granted again as soon as the answer goes
            return Mono.defer(() -> {
                peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                return timed.doOnNext(p -> running.decrementAndGet());
            }).flux();
        }
    }
}
