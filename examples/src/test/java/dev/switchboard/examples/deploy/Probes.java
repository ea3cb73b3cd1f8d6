package dev.switchboard.examples.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.core.test.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Checks a test makes on a running {@link Deployment}. */
final class Probes {

    private static final Pattern PEAK = Pattern.compile("peak in flight (\\d+) of capacity (\\d+)");
    private static final AtomicInteger SEQ = new AtomicInteger();

    private Probes() {
    }

    /** Sends batches of fresh keys through {@code client} until answers came from every worker of {@code ids}. */
    static void awaitWorkers(WsClient client, Collection<String> ids, Duration within, String what) {
        Set<String> seen = new HashSet<>();
        Await.until(within, () -> {
            List<CompletableFuture<JsonNode>> batch = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String id = "probe-" + SEQ.incrementAndGet();
                batch.add(client.send(id, id, Trace.tag(id), true));
            }
            for (CompletableFuture<JsonNode> f : batch) {
                try {
                    JsonNode answer = f.get(10, TimeUnit.SECONDS);
                    if (!answer.has("error")) {
                        seen.add(answer.path("body").path("worker").asText());
                    }
                } catch (Exception e) {
                    // not answered yet: the next round asks again
                }
            }
            return seen.containsAll(ids);
        }, () -> what + ": answers came from " + seen + ", expected " + ids);
    }

    /** Every worker's log has no "capacity exceeded", and its peak is at most {@code capacity}; prints the peaks. */
    static void assertWithinCapacity(Deployment d, List<String> workers, int capacity) {
        for (String w : workers) {
            String log = d.log(w);
            assertFalse(log.contains("capacity exceeded"), w + " ran more than its capacity:\n" + log);
            int peak = 0;
            Matcher m = PEAK.matcher(log);
            while (m.find()) {
                peak = Math.max(peak, Integer.parseInt(m.group(1)));
            }
            System.out.printf("deployment: %s peak in flight %d of capacity %d%n", w, peak, capacity);
            assertTrue(peak >= 1 && peak <= capacity, w + " peak " + peak);
        }
    }

    /** How many times the run logs of {@code workers} show request {@code id} started. */
    static long runs(Deployment d, List<String> workers, String id) {
        long n = 0;
        for (String w : workers) {
            n += Deployment.read(d.runLog(w)).lines().filter(l -> l.split("\t", -1).length > 1
                    && l.split("\t", -1)[1].equals(id)).count();
        }
        return n;
    }
}
