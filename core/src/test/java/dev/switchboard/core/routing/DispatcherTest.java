package dev.switchboard.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.test.ManualWorker;
import dev.switchboard.core.transport.WorkerLink.Item;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.test.subscriber.TestSubscriber;

/** The dispatcher's rules on their own: the waiting bound, FIFO waiting, rebalancing to an idle worker. */
class DispatcherTest {

    private final AtomicLong clock = new AtomicLong();
    private final WorkerTable table = new WorkerTable(clock::get);

    /** Sends everything to worker 0; lets an idle worker take a waiting request when {@code take}. */
    private static final class FirstWorker implements RoutingStrategy {
        final boolean take;
        final List<long[]> asked = new ArrayList<>();

        FirstWorker(boolean take) {
            this.take = take;
        }

        @Override
        public String name() {
            return "first";
        }

        @Override
        public int select(Request request, RoutingView view) {
            return 0;
        }

        @Override
        public boolean takeWaiting(Request request, int owner, long waitedNanos, int idle, RoutingView view) {
            asked.add(new long[] {owner, waitedNanos, idle});
            return take;
        }
    }

    private Dispatcher dispatcher(RoutingStrategy strategy, int maxWaiting) {
        return new Dispatcher(table, strategy, maxWaiting, clock::get);
    }

    private static ManualWorker join(Dispatcher dispatcher, String id, int capacity) {
        ManualWorker worker = ManualWorker.create(id, capacity);
        dispatcher.joined(worker);
        return worker;
    }

    /** Joins a worker of one credit and sends it {@code requests} requests, 5 µs apart. */
    private ManualWorker busyWith(Dispatcher dispatcher, int requests) {
        ManualWorker busy = join(dispatcher, "busy", 1);
        for (int i = 0; i < requests; i++) {
            send(dispatcher, i);
            clock.addAndGet(5_000);
        }
        return busy;
    }

    private static TestSubscriber<Item> send(Dispatcher dispatcher, long id) {
        TestSubscriber<Item> s = TestSubscriber.create();
        Call.attempt(dispatcher, Request.builder().id(RequestId.of(id)).key("k" + id).build()).subscribe(s);
        return s;
    }

    private static ErrorCode code(TestSubscriber<Item> s) {
        assertTrue(s.isTerminatedError(), "terminated with an error");
        return assertInstanceOf(RelayException.class, s.expectTerminalError()).code();
    }

    private static List<String> ids(ManualWorker worker) {
        List<String> out = new ArrayList<>();
        worker.exchanges().forEach(ex -> out.add(ex.request().id().toString()));
        return out;
    }

    @Test
    void withNoWorkerARequestFailsAsNoWorkers() {
        Dispatcher d = dispatcher(new FirstWorker(true), 4);
        assertEquals(ErrorCode.NO_WORKERS, code(send(d, 0)));
        assertEquals(1, d.stats().noWorkers());
    }

    @Test
    void pastTheWaitingBoundARequestIsRefusedAsOverloadedUntilAPlaceFrees() {
        Dispatcher d = dispatcher(new FirstWorker(true), 2);
        ManualWorker w = join(d, "w", 1);
        for (int i = 0; i < 3; i++) {
            send(d, i);
        }
        assertEquals(2, d.stats().waiting());

        TestSubscriber<Item> refused = send(d, 3);
        assertEquals(ErrorCode.OVERLOADED, code(refused));
        assertEquals(1, d.stats().rejected());
        assertEquals(List.of("0"), ids(w), "the refused request reached no worker");

        w.exchange("0").complete();
        assertEquals(1, d.stats().waiting(), "request 1 took the freed credit");
        TestSubscriber<Item> admitted = send(d, 4);
        assertFalse(admitted.isTerminated(), "a place freed: the next request waits");
        assertEquals(2, d.stats().waiting());
        assertEquals(1, d.stats().rejected());
    }

    @Test
    void waitingRequestsTakeTheCreditInTheOrderTheyArrived() {
        Dispatcher d = dispatcher(new FirstWorker(true), 16);
        ManualWorker w = join(d, "w", 1);
        List<TestSubscriber<Item>> subs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            subs.add(send(d, i));
            clock.addAndGet(1_000);
        }
        subs.get(3).cancel();
        assertEquals(4, d.stats().waiting(), "a cancelled request gives its place back");
        for (int i = 0; i < 6; i++) {
            if (i != 3) {
                w.exchange(Integer.toString(i)).complete();
            }
        }
        assertEquals(List.of("0", "1", "2", "4", "5"), ids(w));
        assertEquals(0, d.stats().waiting());
        assertEquals(5, d.stats().routed());
    }

    @Test
    void aWorkerThatJoinsIdleTakesTheRequestsWaitingForOthers() {
        FirstWorker strategy = new FirstWorker(true);
        Dispatcher d = dispatcher(strategy, 16);
        ManualWorker busy = busyWith(d, 3);
        assertEquals(2, d.stats().waiting());

        clock.addAndGet(2_000);
        ManualWorker idle = join(d, "idle", 2);
        assertEquals(List.of("1", "2"), ids(idle), "oldest first, up to its credits");
        assertEquals(0, d.stats().waiting());
        assertEquals(List.of("0"), ids(busy));
        long[] first = strategy.asked.get(0);
        assertEquals(0, first[0], "owner");
        assertEquals(12_000, first[1], "waited");
        assertEquals(1, first[2], "idle");
    }

    @Test
    void anIdleWorkerLeavesAWaitingRequestWhereTheStrategySaysItStays() {
        FirstWorker strategy = new FirstWorker(false);
        Dispatcher d = dispatcher(strategy, 16);
        ManualWorker busy = busyWith(d, 2);
        ManualWorker idle = join(d, "idle", 1);
        assertFalse(strategy.asked.isEmpty(), "the strategy was asked");
        assertEquals(0, idle.opened());
        assertEquals(1, d.stats().waiting());
        busy.exchange("0").complete();
        assertEquals(List.of("0", "1"), ids(busy));
    }
}
