package dev.switchboard.core.test;

import static dev.switchboard.core.test.ContractHandler.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchboard.core.CloseStatus;
import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Payload;
import dev.switchboard.core.Relay;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.transport.WorkerLink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * The contract every {@link WorkerLink} implementation keeps, as rsocket-test's
 * {@code TransportTest} is for rsocket's transports: a subclass says how to start a worker
 * running {@link #handler} behind the link under test, and inherits every case. Cases that need
 * a handler of the test's own are skipped for a worker that runs its own (the Python echo
 * worker); the two-relay case runs only where {@link #startOnTwoRelays} is implemented.
 *
 * <p>Some cases go to the link directly, as the router would; the ones about what a client sees
 * go through a {@link Relay} and a {@link LocalConnection} in front of it.
 */
public abstract class WorkerLinkContract {

    /** The bound on every wait in the kit. */
    protected static final Duration WAIT = Duration.ofSeconds(10);
    /**
     * The longest key, in UTF-8 bytes, that every side serves: the limit of {@code PROTOCOL.md}
     * (the ZeroMQ codec's {@code MAX_KEY_BYTES}), which the relay holds a client to as well.
     */
    public static final int KEY_LIMIT_BYTES = dev.switchboard.core.Limits.DEFAULT_MAX_KEY_BYTES;

    /**
     * How long a streamed item may take from its production to the client: far below the
     * {@link ContractHandler#PACED_GAP} an item held back for the next signal would wait, and
     * loose enough for a loaded 2-core machine.
     */
    static final long MAX_ITEM_DELAY_MS = 150;
    private static final Pattern PRODUCED_AT = Pattern.compile("\"at\":(\\d+)");

    /** What the worker runs, when it runs the test's handler. */
    protected final ContractHandler handler = new ContractHandler();
    private final List<Disposable> cleanups = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();

    /**
     * Starts a worker of {@code capacity} running {@link #handler} (when it {@link
     * #runsTheGivenHandler() runs it}) and returns its link once the worker can serve. What it
     * starts must be handed to {@link #onTearDown}.
     */
    protected abstract WorkerLink start(int capacity) throws Exception;

    /**
     * Starts ONE worker of {@code capacity} running {@link #handler}, serving two relays at once,
     * and returns its two links (one per relay); empty where a worker serves one relay only.
     */
    protected List<WorkerLink> startOnTwoRelays(int capacity) throws Exception {
        return List.of();
    }

    /** Whether the worker runs {@link #handler}; false for one with a handler of its own (echo). */
    protected boolean runsTheGivenHandler() {
        return true;
    }

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

    // ---- the cases

    @Test
    void oddKeysAreServedWithTheKeyIntact() throws Exception {
        WorkerLink link = start(2);
        List<String> keys = List.of("", "ключ/\u00e9/\uD83D\uDDFA", "k".repeat(KEY_LIMIT_BYTES),
                "\u00e9".repeat(KEY_LIMIT_BYTES / 2));
        for (String key : keys) {
            StepVerifier.create(link.exchange(request(key)).map(i -> i.payload().utf8()))
                    .expectNext(json(key)).expectComplete().verify(WAIT);
        }
        if (runsTheGivenHandler()) {
            assertEquals(keys, handler.keys());
        }
    }

    @Test
    void aKeyOverTheLimitIsAnsweredBadRequestNeverReachesTheHandlerAndTheNextRequestIsServed()
            throws Exception {
        // capacity 1: a request that took the only credit for good would starve the next one
        WorkerLink link = start(1);
        for (String key : List.of("k".repeat(KEY_LIMIT_BYTES + 1), "\u00e9".repeat(KEY_LIMIT_BYTES / 2) + "k")) {
            StepVerifier.create(link.exchange(request(key)).map(i -> "an answer of " + i.payload().size() + " bytes"))
                    .expectErrorSatisfies(e -> assertCode(ErrorCode.BAD_REQUEST, e))
                    .verify(WAIT);
            StepVerifier.create(link.exchange(request("next")).map(i -> i.payload().utf8()))
                    .expectNext(json("next")).expectComplete().verify(WAIT);
            assertFalse(handler.saw(key), "a key of " + key.length() + " chars reached the handler");
        }
    }

    @Test
    void aHandlerErrorReachesTheClientAsItsCodeAndAGenericMessage() throws Exception {
        assumeTrue(runsTheGivenHandler(), "the worker runs a handler of its own");
        LocalConnection client = serve(start(2), LocalConnection.reading());
        client.sendText(requestFrame(1, "fail"));
        client.sendText(requestFrame(2, "next"));
        Await.until(WAIT, () -> client.receivedCount() == 2, () -> "two answers, got " + texts(client));
        String error = client.received().get(0).utf8();
        assertTrue(error.startsWith("{\"id\":1,\"error\":{\"code\":\"worker_failed\""), error);
        assertFalse(error.contains("/srv/private"), "the handler's exception text reached the client: " + error);
        assertEquals("{\"id\":2,\"body\":\"next\",\"end\":true}", client.received().get(1).utf8());
    }

    @Test
    void cancellingOneOfSeveralExchangesEndsOnlyItAndItsCreditServesANewOneAtOnce() throws Exception {
        assumeTrue(runsTheGivenHandler(), "the worker runs a handler of its own");
        WorkerLink link = start(2);
        Disposable first = link.exchange(request("hold:1")).subscribe();
        onTearDown(first);
        Answer second = Answer.of(link.exchange(request("hold:2")));
        onTearDown(second);
        Await.until(WAIT, () -> handler.running() == 2, "both requests run");

        first.dispose();
        Await.until(WAIT, () -> handler.cancelled("hold:1"), "the cancelled request's work stopped");
        // the credit it held serves a new request, while the other one still runs
        StepVerifier.create(link.exchange(request("next")).map(i -> i.payload().utf8()))
                .expectNext(json("next")).expectComplete().verify(WAIT);
        assertFalse(handler.cancelled("hold:2"), "cancelling one request cancelled another");
        assertFalse(second.done(), "the other request ended with the cancelled one");

        handler.release("hold:2");
        Await.until(WAIT, second::done, "the other request answers");
        assertEquals(List.of(json("hold:2")), second.items());
        assertEquals(null, second.error());
    }

    @Test
    void theWorkerNeverRunsMoreRequestsThanItsCapacity() throws Exception {
        assumeTrue(runsTheGivenHandler(), "the worker runs a handler of its own");
        int capacity = 2;
        WorkerLink link = start(capacity);
        List<Answer> answers = new ArrayList<>();
        for (int i = 0; i < 3 * capacity; i++) {
            Answer a = Answer.of(link.exchange(request("hold:" + i)));
            onTearDown(a);
            answers.add(a);
        }
        Await.until(WAIT, () -> handler.running() == capacity, "the worker runs its capacity");
        handler.releaseAll();
        Await.until(WAIT, () -> answers.stream().allMatch(Answer::done), "every request answered");
        assertTrue(handler.peak() <= capacity, "capacity " + capacity + " ran " + handler.peak() + " at once");
        for (Answer a : answers) {
            assertTrue(a.error() == null || a.isError(ErrorCode.OVERLOADED), "unexpected error " + a.error());
        }
    }

    @Test
    void aWorkerServingTwoRelaysNeverRunsMoreRequestsThanItsCapacity() throws Exception {
        assumeTrue(runsTheGivenHandler(), "the worker runs a handler of its own");
        int capacity = 2;
        List<WorkerLink> links = startOnTwoRelays(capacity);
        assumeTrue(!links.isEmpty(), "this worker serves one relay only");
        List<Answer> answers = new ArrayList<>();
        for (int l = 0; l < links.size(); l++) {
            // each relay holds its link to the capacity the worker announced
            for (int i = 0; i < capacity; i++) {
                Answer a = Answer.of(links.get(l).exchange(request("hold:" + l + ":" + i)));
                onTearDown(a);
                answers.add(a);
            }
        }
        int total = answers.size();
        // the worker runs its capacity; the others wait in their relay for its credit (or, from
        // a worker that grants each relay its whole capacity, are answered overloaded)
        Await.until(WAIT, () -> handler.running() == capacity,
                () -> "the worker runs its capacity: " + handler.running() + " running, "
                        + overloaded(answers) + " overloaded of " + total);
        assertTrue(handler.peak() <= capacity, "capacity " + capacity + " ran " + handler.peak()
                + " at once on two relays");
        handler.releaseAll();
        Await.until(WAIT, () -> answers.stream().allMatch(Answer::done), "every request answered");
        for (WorkerLink link : links) {
            StepVerifier.create(link.exchange(request("next")).map(i -> i.payload().utf8()))
                    .expectNext(json("next")).expectComplete().verify(WAIT);
        }
    }

    @Test
    void aClientThatStopsReadingStopsItsWorkerAndIsClosed() throws Exception {
        assumeTrue(runsTheGivenHandler(), "the worker runs a handler of its own");
        WorkerLink link = start(2);
        Router router = Router.builder().worker(link).build();
        onTearDown(router);
        Relay relay = Relay.builder().router(router).maxQueuedResponses(8)
                .slowConsumerTimeout(Duration.ofMillis(500)).build();
        LocalConnection client = LocalConnection.notReading();
        onTearDown(relay.serve(client).subscribe());
        client.sendText(requestFrame(1, "flood"));
        Await.until(WAIT, () -> client.closeStatus().isPresent(), "the relay closes the client that reads nothing");
        assertEquals(CloseStatus.POLICY_VIOLATION.code(), client.closeStatus().get().code());
        Await.until(WAIT, () -> handler.cancelled("flood"), "the worker's flood cancelled");
        assertTrue(handler.produced() < ContractHandler.FLOOD_ITEMS,
                "the worker produced all " + handler.produced() + " items for a client that read none");
    }

    @Test
    void streamedItemsReachTheClientAsTheyAreProduced() throws Exception {
        assumeTrue(runsTheGivenHandler(), "the worker runs a handler of its own");
        LocalConnection client = serve(start(2), LocalConnection.reading());
        client.sendText(requestFrame(1, "stream"));
        Await.until(WAIT, () -> handler.streaming("stream"), "the stream starts");
        for (int i = 1; i <= 3; i++) {
            handler.emit("stream", Integer.toString(i));
            int n = i;
            Await.until(WAIT, () -> client.receivedCount() == n,
                    () -> "item " + n + " reaches the client before item " + (n + 1) + " is produced; got "
                            + texts(client));
            assertEquals("{\"id\":1,\"body\":" + i + "}", client.received().get(i - 1).utf8());
        }
        handler.complete("stream");
        Await.until(WAIT, () -> client.receivedCount() == 4, () -> "the end, got " + texts(client));
        assertEquals("{\"id\":1,\"end\":true}", client.received().get(3).utf8());
    }

    @Test
    void aOneItemAnswerIsOneFrameAndAStreamEndsWithItsMark() throws Exception {
        LocalConnection client = serve(start(2), LocalConnection.reading());
        client.sendText(requestFrame(1, "one"));
        Await.until(WAIT, () -> client.receivedCount() >= 1, "the answer");
        if (!runsTheGivenHandler()) {
            client.sendText(requestFrame(2, "two"));
            Await.until(WAIT, () -> client.receivedCount() >= 2, "the second answer");
            assertEquals(List.of("{\"id\":1,\"body\":\"one\",\"end\":true}", "{\"id\":2,\"body\":\"two\",\"end\":true}"),
                    texts(client));
            return;
        }
        client.sendText(requestFrame(2, "three"));
        client.sendText(requestFrame(3, "last"));
        // an ordered session: the answer to 3 comes after everything of 2
        Await.until(WAIT, () -> texts(client).stream().anyMatch(t -> t.startsWith("{\"id\":3,")),
                () -> "the third answer, got " + texts(client));
        List<String> texts = texts(client);
        assertEquals("{\"id\":1,\"body\":\"one\",\"end\":true}", texts.get(0));
        assertEquals("{\"id\":3,\"body\":\"last\",\"end\":true}", texts.get(texts.size() - 1));
        List<String> stream = texts.subList(1, texts.size() - 1);
        assertEquals(List.of("{\"id\":2,\"body\":1}", "{\"id\":2,\"body\":2}"), stream.subList(0, 2));
        String rest = String.join(" ", stream.subList(2, stream.size()));
        assertTrue(rest.equals("{\"id\":2,\"body\":3,\"end\":true}")
                || rest.equals("{\"id\":2,\"body\":3} {\"id\":2,\"end\":true}"), "the stream's end: " + rest);
    }

    @Test
    void eachStreamedItemReachesTheClientAsItIsProduced() throws Exception {
        assumeTrue(runsTheGivenHandler(), "the worker runs a handler of its own");
        LocalConnection client = LocalConnection.reading();
        // each item's production time (in its body) and its arrival at the client, by this JVM's clock
        List<long[]> items = new CopyOnWriteArrayList<>();
        onTearDown(client.frames().subscribe(f -> {
            long now = System.nanoTime();
            Matcher m = PRODUCED_AT.matcher(f.utf8());
            if (m.find()) {
                items.add(new long[] {Long.parseLong(m.group(1)), now});
            }
        }));
        serve(start(2), client);
        client.sendText(requestFrame(1, "paced"));
        Await.until(WAIT, () -> texts(client).stream().anyMatch(t -> t.contains("\"end\":true")),
                () -> "the end of the stream, got " + texts(client));
        assertEquals(ContractHandler.PACED_ITEMS, items.size(), () -> "items: " + texts(client));
        List<Long> gapsMs = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            long producedAt = items.get(i)[0];
            long arrivedAt = items.get(i)[1];
            gapsMs.add(TimeUnit.NANOSECONDS.toMillis(arrivedAt - producedAt));
            if (i + 1 < items.size()) {
                assertTrue(arrivedAt < items.get(i + 1)[0], "item " + i + " waited for the next to be produced");
            }
        }
        LoggerFactory.getLogger(WorkerLinkContract.class).info("{}: produced-to-client gaps {} ms",
                getClass().getSimpleName(), gapsMs);
        for (long gap : gapsMs) {
            assertTrue(gap < MAX_ITEM_DELAY_MS, "an item reached the client " + gap + " ms after it was produced: "
                    + gapsMs);
        }
    }

    // ---- helpers

    /** A request with a fresh id, {@code key} and the body {@code "key"} (what an echo answers). */
    protected final Request request(String key) {
        return Request.builder().id(RequestId.of(ids.incrementAndGet())).key(key)
                .payload(Payload.json(json(key))).build();
    }

    /** A client's text request frame whose body is its key, as a JSON string. */
    protected static String requestFrame(long id, String key) {
        return "{\"id\":" + id + ",\"key\":\"" + key + "\",\"body\":" + json(key) + "}";
    }

    /** A relay in front of {@code link}, serving {@code client}. */
    protected final LocalConnection serve(WorkerLink link, LocalConnection client) {
        Router router = Router.builder().worker(link).build();
        onTearDown(router);
        Relay relay = Relay.builder().router(router).build();
        onTearDown(relay.serve(client).subscribe());
        return client;
    }

    protected static List<String> texts(LocalConnection client) {
        return client.received().stream().map(Payload::utf8).toList();
    }

    private static long overloaded(List<Answer> answers) {
        return answers.stream().filter(a -> a.isError(ErrorCode.OVERLOADED)).count();
    }

    private static void assertCode(ErrorCode code, Throwable e) {
        assertTrue(e instanceof RelayException r && r.code() == code, "expected " + code + ", got " + e);
    }

    /** What one exchange answered so far. */
    protected static final class Answer implements Disposable {
        private final List<String> items = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile boolean done;
        private volatile @Nullable Throwable error;
        private Disposable subscription = () -> { };

        static Answer of(Flux<WorkerLink.Item> exchange) {
            Answer a = new Answer();
            a.subscription = exchange.subscribe(i -> a.items.add(i.payload().utf8()), e -> {
                a.error = e;
                a.done = true;
            }, () -> a.done = true);
            return a;
        }

        boolean done() {
            return done;
        }

        List<String> items() {
            return List.copyOf(items);
        }

        @Nullable Throwable error() {
            return error;
        }

        boolean isError(ErrorCode code) {
            return error instanceof RelayException r && r.code() == code;
        }

        @Override
        public void dispose() {
            subscription.dispose();
        }
    }
}
