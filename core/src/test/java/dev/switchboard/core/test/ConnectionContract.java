package dev.switchboard.core.test;

import static dev.switchboard.core.test.ContractHandler.json;
import static dev.switchboard.core.test.WorkerLinkContract.KEY_LIMIT_BYTES;
import static dev.switchboard.core.test.WorkerLinkContract.requestFrame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.worker.LocalWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * The contract every client transport's {@link dev.switchboard.core.transport.Connection} keeps,
 * end to end from the client's side, as rsocket-test's {@code TransportTest} is for rsocket's
 * transports: a subclass says how a client connects to a {@link Relay} through the transport
 * under test, and inherits every case. Behind the relay runs a {@link LocalWorker} with the kit's
 * {@link ContractHandler}.
 */
public abstract class ConnectionContract {

    /** The bound on every wait in the kit. */
    protected static final Duration WAIT = Duration.ofSeconds(10);

    /** What the worker behind the relay runs. */
    protected final ContractHandler handler = new ContractHandler();
    private final List<Disposable> cleanups = new ArrayList<>();

    /** One client connected to a relay through the transport under test, as its user sees it. */
    protected interface Client extends Disposable {
        /** Sends a text frame. */
        void send(String text);

        /** The text frames received so far, in order. */
        List<String> received();
    }

    /**
     * Connects a client to {@code relay} through the transport under test, once it can send. A
     * client that does not {@code read} never reads a response (from the socket, where there is
     * one). The kit disposes it after the test; anything else started must go to {@link #onTearDown}.
     */
    protected abstract Client connect(Relay relay, boolean read) throws Exception;

    /** Has {@code d} disposed after the test, in the reverse order of registration. */
    protected final void onTearDown(Disposable d) {
        cleanups.add(d);
    }

    @AfterEach
    final void tearDownContract() {
        handler.releaseAll();
        for (int i = cleanups.size() - 1; i >= 0; i--) {
            cleanups.get(i).dispose();
        }
        cleanups.clear();
    }

    private Relay relay(int capacity, Relay.Builder settings) {
        LocalWorker worker = LocalWorker.builder(handler).id("contract").capacity(capacity).build();
        Router router = Router.builder().worker(worker).build();
        onTearDown(router);
        onTearDown(worker::close);
        return settings.router(router).build();
    }

    private Client connect(int capacity, boolean read) throws Exception {
        Client c = connect(relay(capacity, Relay.builder()), read);
        onTearDown(c);
        return c;
    }

    private static void awaitCount(Client c, int n, String what) {
        Await.until(WAIT, () -> c.received().size() >= n, () -> what + "; got " + c.received());
    }

    private static String shorten(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "... (" + text.length() + " chars)";
    }

    // ---- the cases

    @Test
    void oddKeysAreServedWithTheKeyIntact() throws Exception {
        Client c = connect(2, true);
        List<String> keys = List.of("", "ключ/\u00e9/\uD83D\uDDFA", "k".repeat(KEY_LIMIT_BYTES),
                "\u00e9".repeat(KEY_LIMIT_BYTES / 2));
        for (int i = 0; i < keys.size(); i++) {
            c.send(requestFrame(i, keys.get(i)));
        }
        awaitCount(c, keys.size(), "every answer");
        for (int i = 0; i < keys.size(); i++) {
            assertEquals("{\"id\":" + i + ",\"body\":" + json(keys.get(i)) + ",\"end\":true}", c.received().get(i));
        }
        assertEquals(keys, handler.keys());
    }

    @Test
    void aKeyOverTheLimitIsAnsweredBadRequestNeverReachesTheWorkerAndTheNextRequestIsServed() throws Exception {
        Client c = connect(1, true);
        String ascii = "k".repeat(KEY_LIMIT_BYTES + 1);
        String unicode = "\u00e9".repeat(KEY_LIMIT_BYTES / 2) + "k";
        c.send(requestFrame(1, ascii));
        c.send(requestFrame(2, "next"));
        c.send(requestFrame(3, unicode));
        c.send(requestFrame(4, "last"));
        awaitCount(c, 4, "four answers");
        List<String> got = c.received();
        assertTrue(got.get(0).startsWith("{\"id\":1,\"error\":{\"code\":\"bad_request\""), shorten(got.get(0)));
        assertEquals("{\"id\":2,\"body\":\"next\",\"end\":true}", got.get(1));
        assertTrue(got.get(2).startsWith("{\"id\":3,\"error\":{\"code\":\"bad_request\""), shorten(got.get(2)));
        assertEquals("{\"id\":4,\"body\":\"last\",\"end\":true}", got.get(3));
        assertEquals(List.of("next", "last"), handler.keys(), "a key over the limit reached the worker");
    }

    @Test
    void aHandlerErrorReachesTheClientAsItsCodeAndAGenericMessage() throws Exception {
        Client c = connect(2, true);
        c.send(requestFrame(1, "fail"));
        c.send(requestFrame(2, "next"));
        awaitCount(c, 2, "two answers");
        String error = c.received().get(0);
        assertTrue(error.startsWith("{\"id\":1,\"error\":{\"code\":\"worker_failed\""), error);
        assertFalse(error.contains("/srv/private"), "the handler's exception text reached the client: " + error);
        assertEquals("{\"id\":2,\"body\":\"next\",\"end\":true}", c.received().get(1));
    }

    @Test
    void cancellingOneOfSeveralRequestsEndsOnlyItAndItsCreditServesTheWaitingOne() throws Exception {
        Client c = connect(2, true);
        c.send(requestFrame(1, "hold:1"));
        c.send(requestFrame(2, "hold:2"));
        c.send(requestFrame(3, "next"));
        Await.until(WAIT, () -> handler.running() == 2, "two requests run, the third waits for a credit");
        c.send("{\"id\":1,\"cancel\":true}");
        Await.until(WAIT, () -> handler.cancelled("hold:1"), "the cancelled request's work stopped");
        Await.until(WAIT, () -> handler.saw("next"), "the waiting request took the freed credit");
        assertFalse(handler.cancelled("hold:2"), "cancelling one request cancelled another");
        handler.release("hold:2");
        awaitCount(c, 3, "the answers to 2 and 3");
        // released by the test, the held answer comes after its handler's call: its end follows alone
        assertEquals(List.of("{\"id\":2,\"body\":\"hold:2\"}", "{\"id\":2,\"end\":true}",
                "{\"id\":3,\"body\":\"next\",\"end\":true}"), c.received());
    }

    @Test
    void aClientThatStopsReadingStopsItsWorkerAndIsClosed() throws Exception {
        Relay relay = relay(2, Relay.builder().maxQueuedResponses(8).slowConsumerTimeout(Duration.ofMillis(500)));
        Client c = connect(relay, false);
        onTearDown(c);
        c.send(requestFrame(1, "flood"));
        Await.until(WAIT, () -> handler.cancelled("flood"), "the relay gives up on the client and stops its worker");
        assertTrue(handler.produced() < ContractHandler.FLOOD_ITEMS,
                "the worker produced all " + handler.produced() + " items for a client that read none");
        Await.until(WAIT, () -> relay.metrics().snapshot().sessions() == 0, "the session ended");
        assertEquals(1, relay.metrics().snapshot().slowConsumersClosed());
        assertEquals(0, relay.metrics().snapshot().queuedResponses());
    }

    @Test
    void streamedItemsReachTheClientAsTheyAreProduced() throws Exception {
        Client c = connect(2, true);
        c.send(requestFrame(1, "stream"));
        Await.until(WAIT, () -> handler.streaming("stream"), "the stream starts");
        for (int i = 1; i <= 3; i++) {
            handler.emit("stream", Integer.toString(i));
            awaitCount(c, i, "item " + i + " reaches the client before item " + (i + 1) + " is produced");
            assertEquals("{\"id\":1,\"body\":" + i + "}", c.received().get(i - 1));
        }
        handler.complete("stream");
        awaitCount(c, 4, "the end");
        assertEquals("{\"id\":1,\"end\":true}", c.received().get(3));
    }

    @Test
    void aOneItemAnswerIsOneFrameAndAStreamEndsWithItsMark() throws Exception {
        Client c = connect(2, true);
        c.send(requestFrame(1, "one"));
        c.send(requestFrame(2, "three"));
        c.send(requestFrame(3, "last"));
        Await.until(WAIT, () -> c.received().stream().anyMatch(t -> t.startsWith("{\"id\":3,")),
                () -> "the third answer, got " + c.received());
        assertEquals(List.of("{\"id\":1,\"body\":\"one\",\"end\":true}", "{\"id\":2,\"body\":1}",
                        "{\"id\":2,\"body\":2}", "{\"id\":2,\"body\":3,\"end\":true}",
                        "{\"id\":3,\"body\":\"last\",\"end\":true}"), c.received());
    }
}
