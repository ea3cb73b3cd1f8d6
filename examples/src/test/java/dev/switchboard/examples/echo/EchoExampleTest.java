package dev.switchboard.examples.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

class EchoExampleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private EchoExample.@Nullable Running running;

    @AfterEach
    void stop() {
        if (running != null) {
            running.stop();
        }
    }

    private URI start(String... args) {
        EchoExample example = new EchoExample();
        new CommandLine(example).parseArgs(args);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        running = example.start(new PrintStream(out, true, StandardCharsets.UTF_8));
        String line = out.toString(StandardCharsets.UTF_8);
        assertEquals("listening on ws://127.0.0.1:" + running.server.port() + "/ws" + System.lineSeparator(), line);
        return running.server.uri();
    }

    /** Sends {@code requests} on one connection, one at a time, and returns the reply bodies. */
    private static List<JsonNode> exchange(URI uri, List<String> requests) {
        return HttpClient.create().websocket().uri(uri)
                .handle((in, out) -> {
                    reactor.core.publisher.Sinks.Many<String> next = reactor.core.publisher.Sinks.many().unicast()
                            .onBackpressureBuffer();
                    java.util.Iterator<String> it = requests.iterator();
                    next.tryEmitNext(it.next());
                    Flux<String> replies = in.receive().asString().take(requests.size())
                            .doOnNext(r -> {
                                if (it.hasNext()) {
                                    next.tryEmitNext(it.next());
                                }
                            });
                    return out.sendString(next.asFlux()).then().thenMany(Flux.<String>never()).mergeWith(replies);
                })
                .take(requests.size())
                .map(EchoExampleTest::body)
                .collectList()
                .block(Duration.ofSeconds(10));
    }

    private static JsonNode body(String reply) {
        try {
            JsonNode node = JSON.readTree(reply);
            assertTrue(node.path("end").asBoolean(), reply);
            return node.get("body");
        } catch (Exception e) {
            throw new AssertionError(reply, e);
        }
    }

    @Test
    void answersWithTheWorkerTheCacheStateAndTheBody() {
        URI uri = start("--port", "0", "--workers", "2", "--cache", "8");
        List<JsonNode> r = exchange(uri, List.of(
                "{\"id\":1,\"key\":\"slide-1\",\"body\":{\"z\":3,\"x\":[1,2]}}",
                "{\"id\":2,\"key\":\"slide-1\",\"body\":\"again\"}"));
        assertEquals(false, r.get(0).get("cached").asBoolean());
        assertEquals(JSON.valueToTree(java.util.Map.of("z", 3, "x", List.of(1, 2))), r.get(0).get("echo"));
        assertEquals(true, r.get(1).get("cached").asBoolean());
        assertEquals("again", r.get(1).get("echo").asText());
        assertEquals(r.get(0).get("worker"), r.get(1).get("worker"));
    }

    @Test
    void aKeySticksToOneWorkerAcrossConnectionsAndKeysSpreadOverAllWorkers() {
        URI uri = start("--port", "0", "--workers", "3", "--cache", "64");
        Set<String> owners = new HashSet<>();
        for (int c = 0; c < 3; c++) {
            owners.add(exchange(uri, List.of("{\"id\":1,\"key\":\"pyramid-42\"}")).get(0).get("worker").asText());
        }
        assertEquals(1, owners.size(), owners.toString());
        List<String> many = new java.util.ArrayList<>();
        for (int k = 0; k < 30; k++) {
            many.add("{\"id\":" + k + ",\"key\":\"file-" + k + "\"}");
        }
        Set<String> all = new HashSet<>();
        exchange(uri, many).forEach(b -> all.add(b.get("worker").asText()));
        assertEquals(Set.of("worker-1", "worker-2", "worker-3"), all);
    }
}
