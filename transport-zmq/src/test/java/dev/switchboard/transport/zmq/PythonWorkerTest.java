package dev.switchboard.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Frame;
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
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * The Python worker of {@code examples/python-worker}, on Debian's python3-zmq (libzmq), against
 * the JeroMQ gateway: it registers, serves, and its CACHE reports steer routing.
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
        gateway = ZmqGateway.bindNow(ZmqGatewaySpec.builder().heartbeatInterval(Duration.ofMillis(200)).build(),
                membership);
        File log = new File("target/python-worker.log");
        python = new ProcessBuilder(PYTHON, script().toString(), "--connect", gateway.endpoint(), "--id", "py1",
                "--capacity", "4", "--heartbeat-ms", "200", "--cache-size", "2")
                .redirectErrorStream(true).redirectOutput(log).start();
        Await.until(WAIT, "the Python worker registered", () -> gateway.workerIds().contains("py1"));

        // through the relay, as a client sees it
        Relay relay = Relay.builder().router(router).build();
        LocalConnection c = LocalConnection.reading();
        session = relay.serve(c).subscribe();
        c.sendText("{\"id\":1,\"key\":\"a\",\"body\":{\"tile\":[1,2,3]}}");
        Await.until(WAIT, "the echo", () -> c.received().size() == 1);
        assertEquals("{\"id\":1,\"body\":{\"tile\":[1,2,3]},\"end\":true}", c.received().get(0).text());

        // binary bodies cross unchanged
        byte[] bytes = {0, 1, 2, (byte) 0xff};
        StepVerifier.create(router.route(Request.builder().id(RequestId.of(2)).key("b")
                        .payload(Payload.binary(bytes)).build()))
                .expectNext(Payload.binary(bytes.clone())).expectComplete().verify(WAIT);
        StepVerifier.create(router.route(request(3, "c"))).expectNextCount(1).expectComplete().verify(WAIT);
        // its LRU holds 2 keys: "a" was evicted; CACHED and EVICTED both reached the router
        Await.until(WAIT, "two keys cached at the router", () -> load("py1").cachedKeys() == 2);

        javaWorker = ZmqWorker.start(ZmqWorkerSpec.builder().id("java1").connect(gateway.endpoint())
                .heartbeatInterval(Duration.ofMillis(200)).build(), (req, ctx) -> Flux.just(req.payload()));
        Await.until(WAIT, "the Java worker registered", () -> gateway.workerIds().contains("java1"));
        long pyServed = load("py1").served();
        long hits = router.stats().affinityHits();
        for (int i = 0; i < 10; i++) {
            StepVerifier.create(router.route(request(10 + i, i % 2 == 0 ? "b" : "c")))
                    .expectNextCount(1).expectComplete().verify(WAIT);
        }
        assertEquals(pyServed + 10, load("py1").served(), "the cached keys went to the Python worker");
        assertEquals(hits + 10, router.stats().affinityHits());
        assertEquals(0, load("java1").served());
        assertTrue(c.received().stream().map(Frame::text).allMatch(t -> t.contains("\"end\":true")));
    }
}
