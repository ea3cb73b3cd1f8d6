package dev.switchboard.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.test.ManualWorker;
import dev.switchboard.core.transport.WorkerLink.Item;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.subscriber.TestSubscriber;

/**
 * The retry rules: an idempotent request whose worker is lost before answering is sent once more,
 * to another worker; a non-idempotent one is not; a loss after an item, or any other error, is not
 * retried.
 */
class RetryPolicyTest {

    private final AtomicLong clock = new AtomicLong();
    private final WorkerTable table = new WorkerTable(clock::get);
    private final Dispatcher dispatcher = new Dispatcher(table, RoutingStrategies.roundRobin(), 16, clock::get);
    private final RetryPolicy retry = new RetryPolicy(dispatcher);
    private final ManualWorker a = ManualWorker.create("a", 1);
    private final ManualWorker b = ManualWorker.create("b", 1);

    @BeforeEach
    void join() {
        dispatcher.joined(a);
        dispatcher.joined(b);
    }

    private TestSubscriber<Item> send(boolean idempotent) {
        TestSubscriber<Item> s = TestSubscriber.create();
        retry.exchange(Request.builder().id(RequestId.of(7)).key("k").idempotent(idempotent).build()).subscribe(s);
        return s;
    }

    /** The worker serving request 7 leaves, then fails what it had open, as a closing link does. */
    private static ManualWorker lose(Dispatcher dispatcher, ManualWorker first, ManualWorker second) {
        ManualWorker serving = first.opened() > 0 ? first : second;
        dispatcher.left(serving.id());
        serving.exchanges().get(serving.opened() - 1).error(new IllegalStateException("connection reset"));
        return serving;
    }

    private static RelayException relayError(TestSubscriber<Item> s) {
        assertTrue(s.isTerminatedError(), "terminated with an error");
        return assertInstanceOf(RelayException.class, s.expectTerminalError());
    }

    @Test
    void anIdempotentRequestIsSentOnceMoreToAnotherWorker() {
        TestSubscriber<Item> s = send(true);
        ManualWorker lost = lose(dispatcher, a, b);
        ManualWorker other = lost == a ? b : a;
        assertEquals(1, lost.opened(), "never sent again to the lost worker");
        assertEquals(1, other.opened());
        other.exchange("7").last("\"ok\"");
        assertTrue(s.isTerminatedComplete());
        assertEquals(1, s.getReceivedOnNext().size());
        assertEquals(1, dispatcher.stats().retried());
    }

    @Test
    void anIdempotentRequestIsRetriedOnlyOnce() {
        TestSubscriber<Item> s = send(true);
        ManualWorker lost = lose(dispatcher, a, b);
        lose(dispatcher, lost == a ? b : a, lost);
        RelayException e = relayError(s);
        assertEquals(ErrorCode.WORKER_FAILED, e.code());
        assertTrue(e.getMessage().startsWith("worker lost: "), e.getMessage());
        assertEquals(1, dispatcher.stats().retried());
        assertEquals(2, dispatcher.stats().routed());
    }

    @Test
    void aNonIdempotentRequestIsNotRetried() {
        TestSubscriber<Item> s = send(false);
        lose(dispatcher, a, b);
        assertEquals(ErrorCode.WORKER_FAILED, relayError(s).code());
        assertEquals(1, a.opened() + b.opened(), "sent to one worker only");
        assertEquals(0, dispatcher.stats().retried());
    }

    @Test
    void aWorkerLostAfterItsFirstItemIsNotRetriedAndItsErrorPasses() {
        TestSubscriber<Item> s = send(true);
        ManualWorker serving = a.opened() > 0 ? a : b;
        serving.exchange("7").next("\"part\"");
        dispatcher.left(serving.id());
        IllegalStateException reset = new IllegalStateException("connection reset");
        serving.exchange("7").error(reset);
        assertSame(reset, s.expectTerminalError());
        assertEquals(1, a.opened() + b.opened());
        assertEquals(0, dispatcher.stats().retried());
    }

    @Test
    void anErrorOfALiveWorkerIsNotRetried() {
        TestSubscriber<Item> s = send(true);
        ManualWorker serving = a.opened() > 0 ? a : b;
        IllegalStateException failed = new IllegalStateException("handler failed");
        serving.exchange("7").error(failed);
        assertSame(failed, s.expectTerminalError());
        assertEquals(1, a.opened() + b.opened());
        assertEquals(0, dispatcher.stats().retried());
    }
}
