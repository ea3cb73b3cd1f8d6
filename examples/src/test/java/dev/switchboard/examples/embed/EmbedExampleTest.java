package dev.switchboard.examples.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;

class EmbedExampleTest {

    DisposableServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    @Test
    void theHostRouteAndTheRelayRouteServeSideBySide() {
        server = EmbedExample.start();
        HttpClient client = HttpClient.create().baseUrl("http://127.0.0.1:" + server.port());
        assertEquals("ok", client.get().uri("/health").responseContent().aggregate().asString()
                .block(Duration.ofSeconds(10)));
        String reply = client.websocket().uri("/ws").handle((in, out) -> out
                        .sendString(Mono.just("{\"id\":1,\"key\":\"k\",\"body\":null}"))
                        .then().thenMany(in.receive().asString().take(1)))
                .blockFirst(Duration.ofSeconds(10));
        assertEquals("{\"id\":1,\"body\":{\"hello\":\"w1\"},\"end\":true}", reply);
    }

    @Test
    void theReadmeQuotesTheExampleAsItCompiles() throws Exception {
        List<String> source = Files.readAllLines(
                Path.of("src/main/java/dev/switchboard/examples/embed/EmbedExample.java"), StandardCharsets.UTF_8);
        int from = indexOf(source, "// tag::embed[]") + 1;
        int to = indexOf(source, "// end::embed[]");
        String snippet = source.subList(from, to).stream().map(l -> l.length() >= 8 ? l.substring(8) : l.strip())
                .collect(Collectors.joining("\n"));
        String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
        assertTrue(readme.contains(snippet), "README.md must quote EmbedExample's tagged region verbatim:\n" + snippet);
    }

    private static int indexOf(List<String> lines, String marker) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(marker)) {
                return i;
            }
        }
        throw new AssertionError("missing marker " + marker);
    }
}
