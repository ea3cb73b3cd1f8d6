package dev.switchboard.examples.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.core.test.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A Zipf trace of keys, and running one over clients with a window of requests each. */
final class Trace {

    private Trace() {
    }

    /** {@code length} keys {@code k0..k(n-1)} drawn from Zipf({@code s}) with a fixed seed. */
    static List<String> zipf(int n, double s, int length, long seed) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1 / Math.pow(i + 1, s);
            cdf[i] = sum;
        }
        Random random = new Random(seed);
        List<String> keys = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            int at = Arrays.binarySearch(cdf, random.nextDouble() * sum);
            keys.add("k" + (at < 0 ? -at - 1 : at));
        }
        return keys;
    }

    /** What a run measured; {@code errors} holds every error answer and every mis-addressed one. */
    record Result(int answered, int hits, List<String> errors, Set<String> workers) {
        /** Hits among the answers that were not errors. */
        double hitRatio() {
            int items = answered - errors.size();
            return items <= 0 ? 0 : (double) hits / items;
        }

        /** The error answers with this code. */
        long errors(String code) {
            return errors.stream().filter(e -> e.contains("\"code\":\"" + code + "\"")).count();
        }
    }

    /** A run under way: {@link #answered()} grows as it goes. */
    static final class Run {
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger hits = new AtomicInteger();
        final List<String> errors = new CopyOnWriteArrayList<>();
        final Set<String> workers = ConcurrentHashMap.newKeySet();
        final Mono<Void> done;
        private final int expected;

        Run(List<WsClient> clients, List<String> trace, int window, String prefix) {
            this.expected = trace.size();
            List<Flux<JsonNode>> parts = new ArrayList<>();
            for (int c = 0; c < clients.size(); c++) {
                WsClient client = clients.get(c);
                List<String> ids = new ArrayList<>();
                for (int i = c; i < trace.size(); i += clients.size()) {
                    ids.add(prefix + "-" + i);
                }
                parts.add(Flux.fromIterable(ids).flatMap(id -> {
                    String key = trace.get(Integer.parseInt(id.substring(prefix.length() + 1)));
                    return Mono.fromFuture(() -> client.send(id, key, tag(id), true))
                            .doOnNext(answer -> record(id, answer))
                            .onErrorResume(e -> {
                                errors.add(id + " not answered: " + e);
                                answered.incrementAndGet();
                                return Mono.empty();
                            });
                }, window, 1));
            }
            this.done = Flux.merge(parts).then().cache();
            done.subscribe(null, e -> errors.add(e.toString()));
        }

        private void record(String id, JsonNode answer) {
            if (answer.has("error")) {
                errors.add(answer.toString());
            } else if (!id.equals(answer.path("body").path("echo").path("tag").asText())) {
                errors.add("answer to " + id + " carries another request's body: " + answer);
            } else {
                if (answer.path("body").path("cached").asBoolean()) {
                    hits.incrementAndGet();
                }
                workers.add(answer.path("body").path("worker").asText());
            }
            answered.incrementAndGet();
        }

        int answered() {
            return answered.get();
        }

        Result await(Duration within) {
            Await.until(within, () -> answered.get() == expected, () -> "the trace answered: "
                    + answered.get() + " of " + expected + ", errors " + errors);
            return new Result(answered.get(), hits.get(), List.copyOf(errors), Set.copyOf(workers));
        }
    }

    static Run start(List<WsClient> clients, List<String> trace, int window, String prefix) {
        return new Run(clients, trace, window, prefix);
    }

    static ObjectNode tag(String id) {
        return WsClient.JSON.createObjectNode().put("tag", id);
    }
}
