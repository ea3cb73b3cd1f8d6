package dev.switchboard.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.routing.RoutingStrategies;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

/**
 * The relay's behaviours checked by a second, independent client: Python's {@code websockets}
 * (Debian's python3-websockets, under /usr/bin/python3), running
 * {@code src/test/python/ws_client_checks.py} against a live server.
 */
@ExtendWith(NettyLeakCheck.class)
class PythonClientTest {

    static final String PYTHON = "/usr/bin/python3";
    static final Path SCRIPT = Path.of("src/test/python/ws_client_checks.py");
    static final List<String> CHECKS = List.of("round_trip", "streamed", "principal", "invalid_utf8", "oversized",
            "server_ping", "no_pong_closed", "client_ping_answered", "origin_refused", "auth_refused");

    private @Nullable WebSocketRelayServer server;
    private @Nullable Process process;

    @AfterEach
    void stop() {
        if (process != null) {
            process.destroyForcibly();
        }
        if (server != null) {
            server.shutdown(Duration.ZERO).block(TestClient.WAIT);
        }
    }

    @Test
    void pythonWebsocketsClientSeesEveryBehaviour() throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(SCRIPT), "missing " + SCRIPT.toAbsolutePath());
        WebSocketRelaySpec spec = WebSocketRelaySpec.builder()
                .maxFramePayloadBytes(1024)
                .pingInterval(Duration.ofMillis(300))
                .pongTimeout(Duration.ofMillis(150))
                .allowedOrigins("https://ok.example")
                .authenticator(req -> "Bearer alice".equals(req.requestHeaders().get("Authorization"))
                        ? Mono.just("alice") : Mono.empty())
                .build();
        server = WebSocketRelayServer.builder(WebSocketRelayTest.relay(RoutingStrategies.roundRobin(), 2))
                .spec(spec).bindNow();
        process = new ProcessBuilder(PYTHON, SCRIPT.toString(), server.uri().toString())
                .redirectErrorStream(true).start();
        boolean exited = process.waitFor(90, TimeUnit.SECONDS);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(exited, "the Python client did not finish:\n" + output);
        if (output.contains("No module named 'websockets'")) {
            throw new AssertionError("Python's websockets is missing: apt-get install -y python3-websockets");
        }
        assertEquals(0, process.exitValue(), output);
        for (String check : CHECKS) {
            assertTrue(output.contains("ok " + check + "\n"), "check " + check + " did not pass:\n" + output);
        }
    }
}
