package dev.switchboard.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.test.Await;
import dev.switchboard.core.test.WorkerLinkContract;
import dev.switchboard.core.transport.WorkerLink;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The worker-link contract against the Python echo worker of {@code examples/python-worker}
 * (Debian's python3-zmq, over libzmq) behind a {@link ZmqGateway}: the cases that an echo worker
 * can show (keys, limits, the last-item mark); the others need a handler of the test's own.
 */
class PythonWorkerContractTest extends WorkerLinkContract {

    private static final String PYTHON = "/usr/bin/python3";

    @Override
    protected boolean runsTheGivenHandler() {
        return false;
    }

    @Override
    protected WorkerLink start(int capacity) throws Exception {
        requirePythonZmq();
        Membership membership = Membership.create();
        ZmqGateway gateway = ZmqGateway.builder(membership)
                .spec(ZmqGatewaySpec.builder().heartbeatInterval(Duration.ofMillis(200)).build())
                .bindNow();
        onTearDown(() -> {
            gateway.dispose();
            gateway.onDispose().block(WAIT);
        });
        Process python = new ProcessBuilder(PYTHON, script().toString(), "--connect", gateway.endpoint(),
                "--id", "py", "--capacity", Integer.toString(capacity), "--heartbeat-ms", "200")
                .redirectErrorStream(true).redirectOutput(new File("target/python-contract-worker.log")).start();
        onTearDown(() -> stop(python));
        Await.until(WAIT, () -> membership.members().size() == 1, "the Python worker registered");
        return membership.members().get(0);
    }

    private static void stop(Process python) {
        python.destroy();
        try {
            if (!python.waitFor(5, TimeUnit.SECONDS)) {
                python.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
}
