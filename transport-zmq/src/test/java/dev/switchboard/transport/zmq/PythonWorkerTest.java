package dev.switchboard.transport.zmq;

import dev.switchboard.core.test.Await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Relay;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RoutingStrategy;
import dev.switchboard.core.routing.RoutingView;
import dev.switchboard.core.routing.WorkerLoad;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.transport.zmq.internal.Protocol;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * The Python worker of {@code examples/python-worker}, on Debian's python3-zmq (libzmq), against
 * the JeroMQ gateway: it registers, serves, and its CACHE reports steer routing; against a
 * hand-driven gateway ({@link RawGateway}) it keeps to PROTOCOL.md's MUSTs: every readable record
 * answered, credits never exceeded, the limits, and no exception text on the wire.
 */
class PythonWorkerTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String PYTHON = "/usr/bin/python3";

    private final Membership membership = Membership.create();
    private final Router router = Router.builder().membership(membership).strategy(new CachedFirst()).build();
    private ZmqGateway gateway;
    private Process python;
    private ZmqWorker javaWorker;
    private Disposable session;
    private RawGateway raw;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (session != null) {
            session.dispose();
        }
        if (python != null) {
            python.destroy();
            if (!python.waitFor(5, TimeUnit.SECONDS)) {
                python.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (raw != null) {
            raw.close();
        }
        if (javaWorker != null) {
            javaWorker.dispose();
        }
        if (gateway != null) {
            gateway.dispose();
            gateway.onDispose().block(WAIT);
        }
        router.dispose();
    }

    /** Sends a request to a worker that reported its key cached, else round robin. */
    static final class CachedFirst implements RoutingStrategy {
        private int next;

        @Override
        public String name() {
            return "cached-first";
        }

        @Override
        public int select(Request request, RoutingView view) {
            for (int i = 0; i < view.size(); i++) {
                if (view.worker(i).holds(request.key())) {
                    return i;
                }
            }
            next = (next + 1) & Integer.MAX_VALUE;
            return next % view.size();
        }
    }

    private static Path script() {
        for (Path p : List.of(Path.of("../examples/python-worker/worker.py"),
                Path.of("examples/python-worker/worker.py"))) {
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath();
            }
        }
        throw new AssertionError("examples/python-worker/worker.py not found from " + Path.of("").toAbsolutePath());
    }

    private static void requirePythonZmq() throws IOException, InterruptedException {
        Process check = new ProcessBuilder(PYTHON, "-c", "import zmq").redirectErrorStream(true).start();
        boolean done = check.waitFor(20, TimeUnit.SECONDS);
        String out = new String(check.getInputStream().readAllBytes());
        assertTrue(done && check.exitValue() == 0,
                "this test needs Debian's python3-zmq (apt-get install -y python3-zmq): " + out);
    }

    private static Request request(long id, String key) {
        return Request.builder().id(RequestId.of(id)).key(key).payload(Payload.json("{\"n\":" + id + "}")).build();
    }

    private WorkerLoad load(String id) {
        return router.loads().stream().filter(l -> l.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no worker " + id));
    }

    @Test
    void thePythonWorkerRegistersServesAndItsCacheReportsSteerRouting() throws Exception {
        requirePythonZmq();
        gateway = ZmqGateway.builder(membership)
                .spec(ZmqGatewaySpec.builder().heartbeatInterval(Duration.ofMillis(200)).build())
                .bindNow();
        File log = new File("target/python-worker.log");
        python = new ProcessBuilder(PYTHON, script().toString(), "--connect", gateway.endpoint(), "--id", "py1",
                "--capacity", "4", "--heartbeat-ms", "200", "--cache-size", "2")
                .redirectErrorStream(true).redirectOutput(log).start();
        Await.until(WAIT, () -> gateway.workerIds().contains("py1"), "the Python worker registered");

        // through the relay, as a client sees it
        Relay relay = Relay.builder().router(router).build();
        LocalConnection c = LocalConnection.reading();
        session = relay.serve(c).subscribe();
        c.sendText("{\"id\":1,\"key\":\"a\",\"body\":{\"tile\":[1,2,3]}}");
        Await.until(WAIT, () -> c.received().size() == 1, "the echo");
        assertEquals("{\"id\":1,\"body\":{\"tile\":[1,2,3]},\"end\":true}", c.received().get(0).utf8());

        // binary bodies cross unchanged
        byte[] bytes = {0, 1, 2, (byte) 0xff};
        StepVerifier.create(router.route(Request.builder().id(RequestId.of(2)).key("b")
                        .payload(Payload.binary(bytes)).build()))
                .expectNext(Payload.binary(bytes.clone())).expectComplete().verify(WAIT);
        StepVerifier.create(router.route(request(3, "c"))).expectNextCount(1).expectComplete().verify(WAIT);
        // its LRU holds 2 keys: "a" was evicted; CACHED and EVICTED both reached the router
        Await.until(WAIT, () -> load("py1").cachedKeys() == 2, "two keys cached at the router");

        javaWorker = ZmqWorker.builder((req, ctx) -> Flux.just(req.payload()))
                .spec(ZmqWorkerSpec.builder().id("java1").connect(gateway.endpoint())
                .heartbeatInterval(Duration.ofMillis(200)).build()).build();
        Await.until(WAIT, () -> gateway.workerIds().contains("java1"), "the Java worker registered");
        long pyServed = load("py1").served();
        long hits = router.stats().affinityHits();
        for (int i = 0; i < 10; i++) {
            StepVerifier.create(router.route(request(10 + i, i % 2 == 0 ? "b" : "c")))
                    .expectNextCount(1).expectComplete().verify(WAIT);
        }
        assertEquals(pyServed + 10, load("py1").served(), "the cached keys went to the Python worker");
        assertEquals(hits + 10, router.stats().affinityHits());
        assertEquals(0, load("java1").served());
        assertTrue(c.received().stream().map(Payload::utf8).allMatch(t -> t.contains("\"end\":true")));
    }

    /** Starts the Python worker against a {@link RawGateway} and acknowledges its READY. */
    private void startAgainstRawGateway(File log, String... extra) throws Exception {
        requirePythonZmq();
        raw = new RawGateway();
        List<String> command = new java.util.ArrayList<>(List.of(PYTHON, script().toString(), "--connect",
                raw.endpoint(), "--id", "py", "--heartbeat-ms", "200"));
        command.addAll(List.of(extra));
        python = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        raw.acceptReady((int) WAIT.toMillis());
    }

    /** Answers to the REQUEST records sent, by tag, until {@code count} have come. */
    private Map<Long, String> answers(int count) {
        Map<Long, String> answers = new HashMap<>();
        while (answers.size() < count) {
            List<byte[]> m = raw.receiveType(Protocol.RESPONSE, (int) WAIT.toMillis());
            if (m == null) {
                throw new AssertionError("answered only " + answers);
            }
            answers.putAll(RemoteLimitsTest.responses(m.get(0)));
        }
        return answers;
    }

    @Test
    void thePythonWorkerAnswersEveryRecordWhoseTagItCanRead() throws Exception {
        startAgainstRawGateway(new File("target/python-worker-records.log"), "--capacity", "8");
        byte[] s = RawPeer.text("s");
        byte[] cut = ByteBuffer.allocate(10).putLong(8).put(new byte[2]).array();
        byte[] zeroWindow = RawGateway.record(12, RawPeer.text("a"), s, "12");
        ByteBuffer.wrap(zeroWindow).putInt(8, 0);
        byte[] unknownKind = RawGateway.record(13, RawPeer.text("a"), s, "13");
        unknownKind[unknownKind.length - 3] = 7; // the payload kind, before the body "13"
        raw.sendRequests(
                RawGateway.record(7, RawPeer.text("k".repeat(5000)), s, "7"),
                cut,
                RawGateway.record(9, RawPeer.text("a"), s, "9"),
                RawGateway.record(10, new byte[] {(byte) 0xff}, s, "10"),
                RawGateway.record(11, RawPeer.text("a"), RawPeer.text("s".repeat(300)), "11"),
                zeroWindow,
                unknownKind,
                new byte[] {1, 2, 3});
        Map<Long, String> answers = answers(7);
        assertTrue(answers.get(7L).startsWith("error bad_request") && answers.get(7L).contains("4096"), answers.toString());
        assertTrue(answers.get(8L).startsWith("error bad_request"), answers.toString());
        assertEquals("data-end 9", answers.get(9L));
        assertTrue(answers.get(10L).startsWith("error bad_request"), answers.toString());
        assertTrue(answers.get(11L).startsWith("error bad_request") && answers.get(11L).contains("256"), answers.toString());
        assertTrue(answers.get(12L).startsWith("error bad_request"), answers.toString());
        assertTrue(answers.get(13L).startsWith("error bad_request"), answers.toString());

        // it still serves
        raw.sendRequests(RawGateway.record(14, RawPeer.text("a"), s, "14"));
        assertEquals("data-end 14", answers(1).get(14L));
    }

    @Test
    void thePythonWorkerAnswersOverloadedPastItsCredits() throws Exception {
        startAgainstRawGateway(new File("target/python-worker-credits.log"), "--capacity", "2");
        byte[] s = RawPeer.text("s");
        // three requests on two credits, and a tag already in flight
        raw.sendRequests(RawGateway.record(1, RawPeer.text("a"), s, "1"), RawGateway.record(1, RawPeer.text("a"), s, "1"),
                RawGateway.record(2, RawPeer.text("a"), s, "2"), RawGateway.record(3, RawPeer.text("a"), s, "3"));
        List<String> answers = new java.util.ArrayList<>();
        while (answers.size() < 4) {
            List<byte[]> m = raw.receiveType(Protocol.RESPONSE, (int) WAIT.toMillis());
            if (m == null) {
                throw new AssertionError("answered only " + answers);
            }
            answers.addAll(records(m.get(0)));
        }
        assertEquals(List.of("1 data-end 1", "1 error overloaded", "2 data-end 2", "3 error overloaded"),
                answers.stream().map(a -> a.replaceAll("(overloaded).*", "$1")).toList());

        // the answers gave the credits back
        raw.sendRequests(RawGateway.record(4, RawPeer.text("a"), s, "4"), RawGateway.record(5, RawPeer.text("a"), s, "5"));
        assertEquals(Map.of(4L, "data-end 4", 5L, "data-end 5"), answers(2));
    }

    @Test
    void aFailingPythonHandlerReachesTheGatewayOnlyAsWorkerFailed() throws Exception {
        File log = new File("target/python-worker-failure.log");
        startAgainstRawGateway(log, "--capacity", "2", "--fail-key", "boom");
        byte[] s = RawPeer.text("s");
        raw.sendRequests(RawGateway.record(1, RawPeer.text("boom"), s, "1"), RawGateway.record(2, RawPeer.text("a"), s, "2"));
        Map<Long, String> answers = answers(2);
        assertEquals("error worker_failed the worker failed", answers.get(1L));
        assertEquals("data-end 2", answers.get(2L));
        Await.until(WAIT, () -> read(log).contains("cannot open /srv/private/boom.db"),
                "the detail in the worker's log");
        assertTrue(read(log).contains("cannot open /srv/private/boom.db"));
    }

    private static String read(File f) {
        try {
            return Files.readString(f.toPath());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The records of a RESPONSE frame in order, each "tag" and what {@link RemoteLimitsTest#responses} says. */
    private static List<String> records(byte[] frame) {
        List<String> out = new java.util.ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(frame, Protocol.ENVELOPE, frame.length - Protocol.ENVELOPE);
        while (b.hasRemaining()) {
            int n = b.getInt();
            byte[] record = new byte[n];
            b.get(record);
            byte[] one = ByteBuffer.allocate(Protocol.ENVELOPE + 4 + n).put(frame, 0, Protocol.ENVELOPE).putInt(n)
                    .put(record).array();
            RemoteLimitsTest.responses(one).forEach((tag, text) -> out.add(tag + " " + text));
        }
        return out;
    }
}
