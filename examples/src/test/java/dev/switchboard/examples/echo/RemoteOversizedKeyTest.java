package dev.switchboard.examples.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.test.Await;
import dev.switchboard.examples.WorkerApp;
import dev.switchboard.transport.zmq.ZmqWorker;
import dev.switchboard.transport.zmq.ZmqWorkerSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The headline case from an independent client: Python's websockets
 * ({@code src/test/python/oversized_key_client.py}) against the echo example with no in-process
 * worker and one remote echo worker of capacity 1. A request whose key is 5,000 bytes is
 * answered {@code bad_request} within a second, and a normal request right after is served
 * within a second, twice over.
 */
class RemoteOversizedKeyTest {

    private static final String PYTHON = "/usr/bin/python3";
    private static final Path SCRIPT = Path.of("src/test/python/oversized_key_client.py");
    private static final List<String> CHECKS = List.of("oversized-key-1", "served-after-1", "oversized-key-2",
            "served-after-2");
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Pattern GATEWAY = Pattern.compile("gateway on (\\S+)");
    private static final Pattern LISTENING = Pattern.compile("listening on (ws://\\S+)");

    private EchoExample.@Nullable Running echo;
    private @Nullable ZmqWorker worker;
    private @Nullable WorkerApp app;
    private @Nullable Process process;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        if (worker != null) {
            worker.dispose();
            worker.onDispose().block(WAIT);
        }
        if (app != null) {
            app.close();
        }
        if (echo != null) {
            echo.stop();
        }
    }

    private static String find(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), "no " + p + " in: " + text);
        return m.group(1);
    }

    @Test
    void aFiveThousandByteKeyFromAPythonClientIsAnsweredAndTheNextRequestServed()
            throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(SCRIPT), "missing " + SCRIPT.toAbsolutePath());
        EchoExample example = new EchoExample();
        new CommandLine(example).parseArgs("--port", "0", "--host", "127.0.0.1", "--workers", "0",
                "--gateway", "tcp://127.0.0.1:*");
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        EchoExample.Running running = example.start(new PrintStream(lines, true, StandardCharsets.UTF_8));
        echo = running;
        String printed = lines.toString(StandardCharsets.UTF_8);
        String endpoint = find(GATEWAY, printed);
        String uri = find(LISTENING, printed);

        app = EchoExample.app(4);
        worker = ZmqWorker.builder(app.handler())
                .spec(ZmqWorkerSpec.builder().id("remote-echo").capacity(1).connect(endpoint)
                .cache(app.cache()).build()).build();
        Await.until(WAIT, () -> running.relay.router().loads().stream().anyMatch(l -> l.id().equals("remote-echo")),
                "the remote worker joined the relay");

        process = new ProcessBuilder(PYTHON, SCRIPT.toString(), uri).redirectErrorStream(true).start();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(exited, "the Python client did not finish:\n" + output);
        if (output.contains("No module named 'websockets'")) {
            throw new AssertionError("Python's websockets is missing: apt-get install -y python3-websockets");
        }
        for (String check : CHECKS) {
            assertTrue(output.contains("ok " + check + " "), "check " + check + " did not pass:\n" + output);
        }
        assertEquals(0, process.exitValue(), output);
    }
}
