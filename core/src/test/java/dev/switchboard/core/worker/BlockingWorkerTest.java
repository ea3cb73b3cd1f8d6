package dev.switchboard.core.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Payload;
import dev.switchboard.core.transport.WorkerLink.Item;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * The rules of a blocking {@link LocalWorker}'s lanes, on threads of its own and on a scheduler:
 * at most capacity handler calls at once, a cancelled request that waits for a thread never
 * runs, a failing handler fails its request only, demand reaches the handler on a lane, and
 * close ends the threads.
 */
class BlockingWorkerTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private static final Scheduler SCHEDULER = Schedulers.newBoundedElastic(8, 64, "lanes-test");

    private final List<LocalWorker> workers = new ArrayList<>();
    private final List<CountDownLatch> gates = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        gates.forEach(g -> {
            while (g.getCount() > 0) {
                g.countDown();
            }
        });
        workers.forEach(LocalWorker::close);
    }

    private static final AtomicInteger POOLS = new AtomicInteger();

    /** Threads of Switchboard's own, as {@code blocking()} gives, but for this worker alone. */
    private static BlockingLanes ownThreads(String name, Duration keepAlive) {
        return new BlockingLanes(name, null, keepAlive.toNanos(), LaneWatch.INSTANCE);
    }

    private static BlockingLanes ownThreads() {
        return ownThreads("test-lanes-" + POOLS.incrementAndGet(), Duration.ofNanos(BlockingLanes.KEEP_ALIVE_NANOS));
    }

    static Stream<Arguments> lanes() {
        return Stream.of(
                Arguments.of("own threads", (UnaryOperator<LocalWorker.Builder>) b -> b.blocking(ownThreads())),
                Arguments.of("scheduler", (UnaryOperator<LocalWorker.Builder>) b -> b.blocking(SCHEDULER)));
    }

    private LocalWorker worker(UnaryOperator<LocalWorker.Builder> lanes, int capacity, WorkerHandler handler) {
        LocalWorker w = lanes.apply(LocalWorker.builder(handler).id("lanes-" + workers.size()).capacity(capacity))
                .build();
        workers.add(w);
        return w;
    }

    private CountDownLatch gate() {
        CountDownLatch g = new CountDownLatch(1);
        gates.add(g);
        return g;
    }

    private static void pass(CountDownLatch gate) {
        try {
            if (!gate.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the test never opened the gate");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static Request request(long id) {
        return Request.builder().id(RequestId.of(id)).key("k" + id).payload(Payload.json(Long.toString(id))).build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes")
    void atMostCapacityHandlerCallsRunAtOnceAndNoneOnTheCallersThread(String name,
            UnaryOperator<LocalWorker.Builder> lanes) {
        int capacity = 3;
        int requests = 40;
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch gate = gate();
        LocalWorker worker = worker(lanes, capacity, (req, ctx) -> Mono.fromCallable(() -> {
            int now = running.incrementAndGet();
            most.accumulateAndGet(now, Math::max);
            threads.add(Thread.currentThread().getName());
            pass(gate);
            running.decrementAndGet();
            return req.payload();
        }).flux());
        Router router = Router.builder().worker(worker).maxWaiting(requests).build();
        AtomicInteger answered = new AtomicInteger();
        for (int i = 0; i < requests; i++) {
            router.route(request(i)).subscribe(p -> answered.incrementAndGet());
        }
        Await.until(WAIT, () -> running.get() == capacity, () -> running + " handler calls run");
        assertEquals(requests - capacity, router.stats().waiting());
        assertEquals(capacity, worker.active());

        gate.countDown();
        Await.until(WAIT, () -> answered.get() == requests, () -> answered + " answers");
        assertEquals(capacity, most.get());
        // an answer's item reaches the caller before its call ends and gives the credit back
        Await.until(WAIT, () -> worker.active() == 0, () -> worker.active() + " still active");
        assertFalse(threads.contains(Thread.currentThread().getName()));
        assertTrue(threads.size() <= capacity, threads.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes")
    void aRequestBehindABusyThreadWaitsForItUnlessThatTakesLongerThanTheSpareThreadDelay(String name,
            UnaryOperator<LocalWorker.Builder> lanes) {
        List<String> threads = new CopyOnWriteArrayList<>();
        CountDownLatch gate = gate();
        WorkerHandler handler = (req, ctx) -> Mono.fromCallable(() -> {
            threads.add(Thread.currentThread().getName());
            if (req.payload().utf8().equals("1")) {
                pass(gate);
            }
            return req.payload();
        }).flux();

        LocalWorker patient = worker(b -> lanes.apply(b).spareThreadDelay(Duration.ofHours(1)), 2, handler);
        StepVerifier first = StepVerifier.create(patient.exchange(request(1))).expectNext(Item.last(Payload.json("1")))
                .expectComplete().verifyLater();
        Await.until(WAIT, () -> threads.size() == 1, "the first request runs");
        StepVerifier second = StepVerifier.create(patient.exchange(request(2))).expectNext(Item.last(Payload.json("2")))
                .expectComplete().verifyLater();
        assertEquals(1, patient.lanes().lanes(), "a thread was woken for a request behind a busy one");
        gate.countDown();
        first.verify(WAIT);
        second.verify(WAIT);
        assertEquals(threads.get(0), threads.get(1), "the busy thread did not take the waiting request");
        assertEquals(0, patient.lanes().spares());

        threads.clear();
        CountDownLatch blocked = gate();
        WorkerHandler blocking = (req, ctx) -> Mono.fromCallable(() -> {
            threads.add(Thread.currentThread().getName());
            if (req.payload().utf8().equals("1")) {
                pass(blocked);
            }
            return req.payload();
        }).flux();
        LocalWorker eager = worker(b -> lanes.apply(b).spareThreadDelay(Duration.ofMillis(5)), 2, blocking);
        Disposable stuck = eager.exchange(request(1)).subscribe();
        Await.until(WAIT, () -> threads.size() == 1, "the first request runs");
        StepVerifier.create(eager.exchange(request(2))).expectNext(Item.last(Payload.json("2"))).expectComplete().verify(WAIT);
        assertEquals(2, Set.copyOf(threads).size(), "the second request ran on the blocked thread: " + threads);
        assertEquals(1, eager.lanes().spares());
        blocked.countDown();
        stuck.dispose();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes")
    void cancellingARequestThatWaitsForAThreadNeverRunsItsHandlerAndFreesItsCredit(String name,
            UnaryOperator<LocalWorker.Builder> lanes) {
        List<Long> started = new CopyOnWriteArrayList<>();
        AtomicBoolean firstCancelled = new AtomicBoolean();
        CountDownLatch gate = gate();
        LocalWorker worker = worker(lanes, 1, (req, ctx) -> {
            long id = Long.parseLong(req.payload().utf8());
            started.add(id);
            if (id == 1) {
                // blocks its only thread until the test opens the gate, cancelled or not
                pass(gate);
                return Flux.<Payload>never().doOnCancel(() -> firstCancelled.set(true));
            }
            return Flux.just(req.payload());
        });

        Disposable first = worker.exchange(request(1)).subscribe();
        Await.until(WAIT, () -> started.size() == 1, "the first request started");
        first.dispose();
        assertEquals(0, worker.active(), "a cancelled request keeps no credit, even while its thread is busy");

        // the only thread is still busy with the first request: the second waits for it
        Disposable second = worker.exchange(request(2)).subscribe();
        assertEquals(1, worker.active());
        second.dispose();
        assertEquals(0, worker.active(), "the waiting request gave its credit back");

        gate.countDown();
        Await.until(WAIT, () -> firstCancelled.get(), "the first request's items were cancelled");
        StepVerifier.create(worker.exchange(request(3))).expectNext(Item.last(Payload.json("3"))).expectComplete().verify(WAIT);
        assertEquals(List.of(1L, 3L), started, "the cancelled waiting request reached its handler");
        assertEquals(0, worker.active());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes")
    void aFailingHandlerFailsItsRequestOnlyAndItsThreadServesTheNext(String name,
            UnaryOperator<LocalWorker.Builder> lanes) {
        List<String> threads = new CopyOnWriteArrayList<>();
        LocalWorker worker = worker(lanes, 1, (req, ctx) -> {
            threads.add(Thread.currentThread().getName());
            return switch (req.payload().utf8()) {
                case "1" -> throw new IllegalStateException("thrown by the handler");
                case "2" -> Flux.error(new IllegalArgumentException("signalled by the handler"));
                case "3" -> Flux.just(req.payload()).map(p -> {
                    throw new IllegalStateException("thrown by its items");
                });
                default -> Flux.just(req.payload());
            };
        });
        StepVerifier.create(worker.exchange(request(1)))
                .expectErrorMatches(e -> e instanceof IllegalStateException).verify(WAIT);
        StepVerifier.create(worker.exchange(request(2)))
                .expectErrorMatches(e -> e instanceof IllegalArgumentException).verify(WAIT);
        StepVerifier.create(worker.exchange(request(3)))
                .expectErrorMatches(e -> e instanceof IllegalStateException).verify(WAIT);
        StepVerifier.create(worker.exchange(request(4))).expectNext(Item.last(Payload.json("4"))).expectComplete().verify(WAIT);
        assertEquals(4, threads.size());
        assertEquals(0, worker.active());
        if (name.equals("own threads")) {
            assertEquals(1, Set.copyOf(threads).size(), "the thread did not survive: " + threads);
            assertEquals(1, worker.lanes().threads().size());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes")
    void aStreamGetsEachItemOnALaneAsItsCallerAsksForIt(String name, UnaryOperator<LocalWorker.Builder> lanes) {
        List<String> producedOn = new CopyOnWriteArrayList<>();
        LocalWorker worker = worker(lanes, 2, (req, ctx) -> Flux.generate(() -> 0, (i, sink) -> {
            producedOn.add(Thread.currentThread().getName());
            sink.next(Payload.json(Integer.toString(i)));
            if (i == 2) {
                sink.complete();
            }
            return i + 1;
        }));
        StepVerifier.create(worker.exchange(request(1)), 0)
                .expectSubscription()
                .thenRequest(1).expectNext(Item.next(Payload.json("0")))
                .then(() -> assertEquals(1, producedOn.size(), "produced without demand"))
                .thenRequest(1).expectNext(Item.next(Payload.json("1")))
                .thenRequest(1).expectNext(Item.last(Payload.json("2")))
                .expectComplete()
                .verify(WAIT);
        assertEquals(3, producedOn.size());
        assertFalse(producedOn.contains(Thread.currentThread().getName()), producedOn.toString());
        assertEquals(0, worker.active());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes")
    void cancellingARunningRequestCancelsItsItemsWithoutInterruptingItsThread(String name,
            UnaryOperator<LocalWorker.Builder> lanes) {
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean returned = new AtomicBoolean();
        CountDownLatch gate = gate();
        CountDownLatch inside = new CountDownLatch(1);
        LocalWorker worker = worker(lanes, 1, (req, ctx) -> Flux.<Payload>create(sink -> {
            sink.onCancel(() -> cancelled.set(true));
            inside.countDown();
            try {
                // a blocking read, say, that an interrupt would break
                gate.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
            interrupted.compareAndSet(false, Thread.currentThread().isInterrupted());
            returned.set(true);
        }));
        Disposable running = worker.exchange(request(1)).subscribe();
        Await.until(WAIT, () -> inside.getCount() == 0, "the handler runs");
        running.dispose();
        assertTrue(cancelled.get(), "the items were not cancelled");
        assertEquals(0, worker.active());
        gate.countDown();
        Await.until(WAIT, returned::get, "the handler returned");
        assertFalse(interrupted.get(), "the cancel interrupted the handler's thread");
    }

    @Test
    void closeEndsTheWorkersThreadsOnceTheirRequestsAreDone() {
        int capacity = 3;
        CountDownLatch gate = gate();
        AtomicInteger running = new AtomicInteger();
        LocalWorker worker = worker(b -> b.blocking(ownThreads("close-test", Duration.ofMinutes(1))), capacity,
                (req, ctx) -> Mono.fromCallable(() -> {
            running.incrementAndGet();
            pass(gate);
            return req.payload();
        }).flux());
        List<StepVerifier> answers = new ArrayList<>();
        for (int i = 0; i < capacity; i++) {
            answers.add(StepVerifier.create(worker.exchange(request(i))).expectNextCount(1).expectComplete()
                    .verifyLater());
        }
        Await.until(WAIT, () -> running.get() == capacity, () -> running + " running");
        List<Thread> threads = worker.lanes().threads();
        assertEquals(capacity, threads.size());
        assertTrue(threads.stream().allMatch(t -> t.getName().startsWith("close-test-")), threads.toString());

        worker.close();
        StepVerifier.create(worker.exchange(request(9)))
                .expectErrorMatches(e -> e instanceof RelayException r && r.code() == ErrorCode.WORKER_FAILED)
                .verify(WAIT);
        assertTrue(threads.stream().allMatch(Thread::isAlive), "a thread ended before its request");
        gate.countDown();
        answers.forEach(a -> a.verify(WAIT));
        Await.until(WAIT, () -> threads.stream().noneMatch(Thread::isAlive), () -> "alive: " + threads);
        assertEquals(0, worker.lanes().lanes());
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("close-test-")));
        // the JVM's watch over busy threads, which started the spare ones, ends with nothing to watch
        Await.until(WAIT, () -> LaneWatch.INSTANCE.thread() == null, "the lanes watch still runs");
    }

    @Test
    void anIdleWorkerParksItsThreadsAndWakesThemForTheNextRequest() {
        LocalWorker worker = worker(b -> b.blocking(ownThreads()), 2, (req, ctx) -> Flux.just(req.payload()));
        assertEquals(0, worker.lanes().lanes(), "threads start with the first request");
        for (int i = 0; i < 20; i++) {
            StepVerifier.create(worker.exchange(request(i))).expectNext(Item.last(Payload.json(Integer.toString(i))))
                    .expectComplete().verify(WAIT);
        }
        assertTrue(worker.lanes().lanes() >= 1 && worker.lanes().lanes() <= 2, worker.lanes().lanes() + " lanes");
    }

    @Test
    void aThreadWithoutWorkForTheKeepAliveEndsAndTheNextRequestStartsAnother() {
        LocalWorker worker = worker(b -> b.blocking(ownThreads("keep-alive", Duration.ofMillis(20))), 2,
                (req, ctx) -> Flux.just(req.payload()));
        StepVerifier.create(worker.exchange(request(1))).expectNext(Item.last(Payload.json("1"))).expectComplete().verify(WAIT);
        List<Thread> first = worker.lanes().threads();
        assertEquals(1, first.size());
        Await.until(WAIT, () -> worker.lanes().lanes() == 0 && !first.get(0).isAlive(), "the idle thread ended");
        StepVerifier.create(worker.exchange(request(2))).expectNext(Item.last(Payload.json("2"))).expectComplete().verify(WAIT);
        assertEquals(0, worker.active());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes")
    void requestsThatArriveAsItsThreadsParkAreNeverStranded(String name, UnaryOperator<LocalWorker.Builder> lanes) {
        // callers on several threads, each sending its next request as soon as the last is
        // answered: requests keep arriving just as a thread that served one goes to park
        int callers = 4;
        int each = 5_000;
        LocalWorker worker = worker(b -> lanes.apply(b).spareThreadDelay(Duration.ofHours(1)), callers,
                (req, ctx) -> Flux.just(req.payload()));
        Flux.range(0, callers)
                .flatMap(c -> Flux.range(0, each)
                        .concatMap(i -> worker.exchange(request(c * each + i)).publishOn(Schedulers.parallel()), 1)
                        .subscribeOn(Schedulers.parallel()), callers)
                .count()
                .as(StepVerifier::create)
                .expectNext((long) callers * each)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        assertEquals(0, worker.active());
        if (name.equals("own threads")) {
            assertEquals(worker.lanes().lanes(), worker.lanes().threads().size(), "a thread ended but still counts");
        }
    }

    @Test
    void blockingWorkersShareSwitchboardsThreadsAndThoseOfTheirScheduler() {
        List<String> threads = new CopyOnWriteArrayList<>();
        WorkerHandler handler = (req, ctx) -> Mono.fromCallable(() -> {
            threads.add(Thread.currentThread().getName());
            return req.payload();
        }).flux();
        LocalWorker a = worker(LocalWorker.Builder::blocking, 2, handler);
        LocalWorker b = worker(LocalWorker.Builder::blocking, 3, handler);
        assertSame(a.lanes(), b.lanes());
        int attached = a.lanes().attached();
        StepVerifier.create(a.exchange(request(1))).expectNext(Item.last(Payload.json("1"))).expectComplete().verify(WAIT);
        StepVerifier.create(b.exchange(request(2))).expectNext(Item.last(Payload.json("2"))).expectComplete().verify(WAIT);
        assertTrue(threads.stream().allMatch(t -> t.startsWith("switchboard-blocking-")), threads.toString());
        a.close();
        assertEquals(attached - 1, b.lanes().attached());
        StepVerifier.create(b.exchange(request(3))).expectNext(Item.last(Payload.json("3"))).expectComplete().verify(WAIT);

        Scheduler other = Schedulers.newBoundedElastic(2, 16, "lanes-other");
        try {
            LocalWorker c = worker(w -> w.blocking(SCHEDULER), 1, handler);
            LocalWorker d = worker(w -> w.blocking(SCHEDULER), 1, handler);
            LocalWorker e = worker(w -> w.blocking(other), 1, handler);
            assertSame(c.lanes(), d.lanes());
            assertNotSame(c.lanes(), e.lanes());
            assertNotSame(c.lanes(), b.lanes());
        } finally {
            workers.forEach(LocalWorker::close);
            other.dispose();
        }
    }

    @Test
    void aWorkerWhoseCapacityIsUnboundedLeavesTheOthersTheirShareWhenItCloses() {
        BlockingLanes lanes = ownThreads();
        WorkerHandler echo = (req, ctx) -> Flux.just(req.payload());
        LocalWorker bounded = worker(b -> b.blocking(lanes), 2, echo);
        // a remote worker's local runner: its gateways bound it, not its own count
        LocalWorker unbounded = worker(b -> b.blocking(lanes), Integer.MAX_VALUE, echo);
        StepVerifier.create(unbounded.exchange(request(1))).expectNext(Item.last(Payload.json("1"))).expectComplete().verify(WAIT);
        unbounded.close();
        StepVerifier.create(Flux.merge(bounded.exchange(request(2)), bounded.exchange(request(3))).count())
                .expectNext(2L).expectComplete().verify(WAIT);
    }
}
