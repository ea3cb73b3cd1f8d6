package dev.switchboard.examples.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;

/**
 * The echo example as a process, started the way the jar starts it ({@code Main echo ...}) on
 * this test's class path: it prints the listening line, serves, and on SIGTERM closes its
 * sessions with 1001 and exits.
 */
class EchoProcessTest {

    private static final Pattern LISTENING = Pattern.compile("listening on (ws://127\\.0\\.0\\.1:(\\d+)/ws)");
    private @Nullable Process process;

    @AfterEach
    void stop() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    @Test
    void printsTheListeningLineServesAndStopsCleanlyOnSigterm(@TempDir Path dir) throws Exception {
        Path stderr = dir.resolve("stderr.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.switchboard.examples.Main",
                "echo", "--port", "0", "--workers", "2", "--cache", "4").redirectError(stderr.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(30, TimeUnit.SECONDS);
        Matcher m = LISTENING.matcher(line == null ? "" : line);
        assertTrue(m.matches(), "first line: " + line);

        Sinks.One<Integer> closeCode = Sinks.one();
        Sinks.One<String> reply = Sinks.one();
        HttpClient.create().websocket().uri(m.group(1))
                .handle((in, o) -> {
                    in.receiveCloseStatus().subscribe(s -> closeCode.tryEmitValue(s.code()));
                    in.receive().asString().subscribe(reply::tryEmitValue);
                    return o.sendString(Mono.just("{\"id\":1,\"key\":\"a\",\"body\":[1]}")).then().then(Mono.never());
                })
                .subscribe();
        String r = reply.asMono().block(Duration.ofSeconds(10));
        assertEquals("{\"id\":1,\"body\":{\"worker\":\"worker-" , r.substring(0, r.indexOf("worker-") + 7));
        assertTrue(r.endsWith("\"cached\":false,\"echo\":[1]},\"end\":true}"), r);

        process.destroy(); // SIGTERM
        assertEquals(1001, closeCode.asMono().block(Duration.ofSeconds(20)));
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "still running after SIGTERM");
        assertEquals(143, process.exitValue());
        String err = Files.readString(stderr);
        assertFalse(err.contains("Exception"), err);
    }
}
