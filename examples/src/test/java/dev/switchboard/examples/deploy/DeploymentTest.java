package dev.switchboard.examples.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.core.test.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/DEPLOY.md's topology as separate processes on this machine: nginx (examples/deploy/nginx.conf)
 * round-robin over 3 relays, 4 workers following the relays' name and joining all three. The
 * default build's version: independent relays agree on cold keys, no worker runs more than its
 * capacity, and a relay killed under load loses nothing and answers no error (its clients reconnect
 * through nginx and send again). {@link DeploymentSoakTest} adds the pooled hit ratio, a worker
 * killed, a relay added and a worker frozen. Each test prints what it measured, on lines starting
 * {@code deployment:}.
 */
@EnabledOnOs(OS.LINUX) // relays bind 127.0.0.2 and 127.0.0.3, which only Linux routes to loopback by default
class DeploymentTest {

    static final List<String> WORKERS = List.of("w1", "w2", "w3", "w4");
    static final int CAPACITY = 4;
    static final int CACHE = 64;
    static final int CLIENTS = 12;
    static final int WINDOW = 4;
    static final int KEYS = 1000;
    static final double ZIPF = 0.9;
    static final int TRACE = 3000;
    static final Duration WITHIN = Duration.ofSeconds(90);
    /** Cold keys sent at once, each through every relay. */
    static final int KEYS_AT_ONCE = 1;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void independentRelaysAgreeOnColdKeysNoWorkerRunsPastItsCapacityAndAKilledRelaysClientsAreAnswered(
            @TempDir Path dir) throws Exception {
        List<WsClient> clients = new ArrayList<>();
        try (Deployment d = startThreeRelays(dir, clients)) {
            double agreement = coldKeyAgreement(clients.subList(0, 3), 200);
            System.out.printf("deployment: cold keys placed on the same worker by all 3 relays: %.3f%n", agreement);
            assertTrue(agreement >= 0.95, "cold-key agreement " + agreement);

            List<WsClient> viaNginx = viaNginx(d, clients);
            List<String> trace = Trace.zipf(KEYS, ZIPF, TRACE, 20);
            Trace.Run run = Trace.start(viaNginx, trace, WINDOW, "c");
            Await.until(WITHIN, () -> run.answered() >= trace.size() / 3,
                    () -> "a third of the trace answered: " + run.answered());
            d.kill("relay3");
            Trace.Result result = run.await(WITHIN);
            int reconnected = (int) viaNginx.stream().filter(c -> c.connections() > 1).count();
            System.out.printf("deployment: the trace through nginx, relay3 killed after a third: %d of %d answered, "
                    + "%d errors (%d overloaded), %d clients reconnected, hit ratio %.3f%n", result.answered(),
                    trace.size(), result.errors().size(), result.errors("overloaded"), reconnected, result.hitRatio());
            Probes.assertWithinCapacity(d, WORKERS, CAPACITY);
            // every request of the killed relay's clients was sent again and answered, and no answer is
            // an error: a gateway spending only its credits is never answered 'overloaded'
            assertEquals(trace.size(), result.answered());
            assertEquals(List.of(), result.errors(), "no error answer");
            assertTrue(reconnected >= 1, "no client was on the killed relay");
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    /**
     * Relays 1-3, the workers, nginx; adds a direct client per relay to {@code clients} (in relay
     * order) once every worker answers through it.
     */
    static Deployment startThreeRelays(Path dir, List<WsClient> clients) {
        Deployment d = new Deployment(dir);
        try {
            d.resolveTo(1, 2, 3);
            d.startRelays(1, 2, 3);
            d.startWorkers(WORKERS, CAPACITY, CACHE);
            d.startNginx(1, 2, 3);
            for (int r = 1; r <= 3; r++) {
                WsClient c = new WsClient(d.relayUri(r), false);
                clients.add(c);
                Probes.awaitWorkers(c, WORKERS, WITHIN, "relay" + r + " joined by every worker");
            }
            return d;
        } catch (RuntimeException | Error e) {
            d.close();
            throw e;
        }
    }

    /** {@value #CLIENTS} reconnecting clients through nginx, added to {@code clients}. */
    static List<WsClient> viaNginx(Deployment d, List<WsClient> clients) {
        List<WsClient> added = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            added.add(new WsClient(d.nginxUri(), true));
        }
        clients.addAll(added);
        return added;
    }

    /** Sends each of {@code n} never-seen keys through every relay at once; the share placed on one worker by all. */
    static double coldKeyAgreement(List<WsClient> relays, int n) throws Exception {
        int agreed = 0;
        for (int batch = 0; batch < n; batch += KEYS_AT_ONCE) {
            List<List<CompletableFuture<JsonNode>>> answers = new ArrayList<>();
            for (int k = batch; k < Math.min(n, batch + KEYS_AT_ONCE); k++) {
                String key = "cold-" + k;
                List<CompletableFuture<JsonNode>> perRelay = new ArrayList<>();
                for (int r = 0; r < relays.size(); r++) {
                    String id = key + "-r" + r;
                    perRelay.add(relays.get(r).send(id, key, Trace.tag(id), true));
                }
                answers.add(perRelay);
            }
            for (List<CompletableFuture<JsonNode>> perRelay : answers) {
                List<String> workers = new ArrayList<>();
                for (CompletableFuture<JsonNode> f : perRelay) {
                    workers.add(f.get(60, TimeUnit.SECONDS).path("body").path("worker").asText("?"));
                }
                if (IntStream.range(1, workers.size()).allMatch(i -> workers.get(i).equals(workers.get(0)))) {
                    agreed++;
                }
            }
        }
        return (double) agreed / n;
    }
}
