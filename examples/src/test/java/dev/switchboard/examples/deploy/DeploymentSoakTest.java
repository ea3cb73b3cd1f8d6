package dev.switchboard.examples.deploy;

import static dev.switchboard.examples.deploy.DeploymentTest.CACHE;
import static dev.switchboard.examples.deploy.DeploymentTest.CAPACITY;
import static dev.switchboard.examples.deploy.DeploymentTest.KEYS;
import static dev.switchboard.examples.deploy.DeploymentTest.TRACE;
import static dev.switchboard.examples.deploy.DeploymentTest.WINDOW;
import static dev.switchboard.examples.deploy.DeploymentTest.WITHIN;
import static dev.switchboard.examples.deploy.DeploymentTest.WORKERS;
import static dev.switchboard.examples.deploy.DeploymentTest.ZIPF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.core.test.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rest of issue 20's deployment test, longer than the default build allows (each test starts
 * its own processes): {@code mvn -B verify -Psoak}. The pooled hit ratio of 3 relays against one,
 * a relay and a worker killed under load with no error answer, a relay added through the name the
 * workers follow, and a worker frozen past its deadline while it holds a non-idempotent request.
 */
@Tag("soak")
@EnabledOnOs(OS.LINUX)
class DeploymentSoakTest {

    /** How long the frozen worker's requests take: longer than the relays' deadline (3 x 200 ms). */
    private static final int HOLD_MS = 3000;
    /** Requests in the pooled hit-ratio test's trace. */
    private static final int POOLED_TRACE = 12_000;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void threeRelaysKeepAtLeast95PercentOfOneRelaysHitRatioAndAnswerEveryRequest(@TempDir Path dir) throws Exception {
        pooledAgainstSingle(dir, WINDOW, true);
    }

    /** The same trace through one relay, then through nginx and three, on fresh worker processes each time. */
    private static void pooledAgainstSingle(Path dir, int window, boolean noErrors) throws Exception {
        // longer than the default build's trace: on 3,000 requests the ratio of two runs varied by 0.1
        List<String> trace = Trace.zipf(KEYS, ZIPF, POOLED_TRACE, 21);
        double single;
        List<WsClient> clients = new ArrayList<>();
        try (Deployment d = new Deployment(Files.createDirectory(dir.resolve("single")))) {
            d.resolveTo(1);
            d.startRelays(1);
            d.startWorkers(WORKERS, CAPACITY, CACHE);
            WsClient probe = new WsClient(d.relayUri(1), false);
            clients.add(probe);
            Probes.awaitWorkers(probe, WORKERS, WITHIN, "relay1 joined by every worker");
            List<WsClient> direct = new ArrayList<>();
            for (int i = 0; i < DeploymentTest.CLIENTS; i++) {
                direct.add(new WsClient(d.relayUri(1), true));
            }
            clients.addAll(direct);
            Trace.Result r = Trace.start(direct, trace, window, "s").await(WITHIN.multipliedBy(3));
            single = r.hitRatio();
            System.out.printf("deployment: one relay, window %d: hit ratio %.3f, %d errors%n", window, single,
                    r.errors().size());
            assertEquals(List.of(), r.errors());
        } finally {
            clients.forEach(WsClient::close);
            clients.clear();
        }
        try (Deployment d = DeploymentTest.startThreeRelays(Files.createDirectory(dir.resolve("pooled")), clients)) {
            Trace.Result r = Trace.start(DeploymentTest.viaNginx(d, clients), trace, window, "p")
                    .await(WITHIN.multipliedBy(3));
            System.out.printf("deployment: three relays behind nginx, window " + window + ": hit ratio %.3f (%.3f of one relay's), "
                    + "%d errors (%d overloaded)%n", r.hitRatio(), r.hitRatio() / single, r.errors().size(),
                    r.errors("overloaded"));
            assertTrue(r.hitRatio() >= 0.95 * single, "pooled " + r.hitRatio() + " against one relay's " + single);
            if (noErrors) {
                assertEquals(List.of(), r.errors());
            }
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aRelayKilledUnderLoadLosesNoRequest(@TempDir Path dir) throws Exception {
        List<WsClient> clients = new ArrayList<>();
        try (Deployment d = DeploymentTest.startThreeRelays(dir, clients)) {
            List<WsClient> viaNginx = DeploymentTest.viaNginx(d, clients);
            List<String> trace = Trace.zipf(KEYS, ZIPF, TRACE, 26);
            Trace.Run run = Trace.start(viaNginx, trace, WINDOW, "d");
            Await.until(WITHIN, () -> run.answered() >= trace.size() / 3,
                    () -> "a third of the trace answered: " + run.answered());
            d.kill("relay3");
            Trace.Result result = run.await(WITHIN);
            int reconnected = (int) viaNginx.stream().filter(c -> c.connections() > 1).count();
            System.out.printf("deployment: relay3 killed under load: %d of %d answered, %d errors, "
                    + "%d clients reconnected, hit ratio %.3f%n", result.answered(), trace.size(),
                    result.errors().size(), reconnected, result.hitRatio());
            // the killed relay's clients sent again what it had not answered; no one else saw an error
            assertEquals(List.of(), result.errors());
            assertEquals(trace.size(), result.answered());
            assertTrue(reconnected >= 1, "no client was on the killed relay");
            Probes.assertWithinCapacity(d, WORKERS, CAPACITY);
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aWorkerKilledUnderLoadLosesNoIdempotentRequest(@TempDir Path dir) throws Exception {
        List<WsClient> clients = new ArrayList<>();
        try (Deployment d = DeploymentTest.startThreeRelays(dir, clients)) {
            List<String> trace = Trace.zipf(KEYS, ZIPF, TRACE, 22);
            Trace.Run run = Trace.start(DeploymentTest.viaNginx(d, clients), trace, WINDOW, "e");
            Await.until(WITHIN, () -> run.answered() >= trace.size() / 3,
                    () -> "a third of the trace answered: " + run.answered());
            d.kill("w4");
            Trace.Result r = run.await(WITHIN);
            System.out.printf("deployment: w4 killed under load: %d of %d answered, %d errors%n",
                    r.answered(), trace.size(), r.errors().size());
            assertEquals(List.of(), r.errors());
            Probes.assertWithinCapacity(d, WORKERS.subList(0, 3), CAPACITY);
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aRelayAddedBehindTheNameIsJoinedByEveryWorkerAndTakesLoad(@TempDir Path dir) throws Exception {
        List<WsClient> clients = new ArrayList<>();
        try (Deployment d = DeploymentTest.startThreeRelays(dir, clients)) {
            List<String> trace = Trace.zipf(KEYS, ZIPF, TRACE, 23);
            Trace.Run run = Trace.start(DeploymentTest.viaNginx(d, clients), trace, WINDOW, "f");
            d.startRelays(4);
            d.resolveTo(1, 2, 3, 4);
            d.reloadNginx(1, 2, 3, 4);
            WsClient fourth = new WsClient(d.relayUri(4), false);
            clients.add(fourth);
            // relay4 has no worker of its own: an answer through it is a worker that joined it
            Probes.awaitWorkers(fourth, WORKERS, WITHIN, "relay4 joined by every worker");
            List<WsClient> late = DeploymentTest.viaNginx(d, clients);
            Trace.Result after = Trace.start(late, Trace.zipf(KEYS, ZIPF, 400, 24), WINDOW, "f4").await(WITHIN);
            Trace.Result r = run.await(WITHIN);
            System.out.printf("deployment: relay4 added: joined by %s; the trace: %d answered, %d errors; "
                    + "after the reload %d answered, %d errors%n", WORKERS, r.answered(), r.errors().size(),
                    after.answered(), after.errors().size());
            assertEquals(400, after.answered());
            assertEquals(List.of(), after.errors());
            assertEquals(List.of(), r.errors());
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aWorkerFrozenPastItsDeadlineAnswersItsNonIdempotentRequestWorkerFailedOnceAndNeverRunsItTwice(
            @TempDir Path dir) throws Exception {
        List<WsClient> clients = new ArrayList<>();
        try (Deployment d = DeploymentTest.startThreeRelays(dir, clients)) {
            WsClient relay1 = clients.get(0);
            String slow = "g-slow";
            CompletableFuture<JsonNode> answer = relay1.send(slow, "g-key", Trace.tag(slow).put("holdMs", HOLD_MS), false);
            Await.until(WITHIN, () -> Probes.runs(d, WORKERS, slow) == 1, "the slow request started");
            String frozen = WORKERS.stream().filter(w -> Probes.runs(d, List.of(w), slow) == 1).findFirst().orElseThrow();
            // slow idempotent requests for the same key through the other relays, which place it on the same
            // worker: when it is given up they run again elsewhere, and its own late answers must reach no one
            Map<String, CompletableFuture<JsonNode>> idempotent = new LinkedHashMap<>();
            for (int i = 0; i < 3; i++) {
                String id = "g-idempotent-" + i;
                idempotent.put(id, clients.get(1 + i % 2).send(id, "g-key", Trace.tag(id).put("holdMs", HOLD_MS), true));
            }
            Await.until(WITHIN, () -> idempotent.keySet().stream().allMatch(id -> Probes.runs(d, WORKERS, id) >= 1),
                    "the idempotent requests started");
            long heldByFrozen = idempotent.keySet().stream().filter(id -> Probes.runs(d, List.of(frozen), id) > 0).count();
            d.signal(frozen, "STOP");
            JsonNode failed;
            try {
                failed = answer.get(60, TimeUnit.SECONDS);
                for (CompletableFuture<JsonNode> f : idempotent.values()) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                d.signal(frozen, "CONT");
            }
            assertEquals("worker_failed", failed.path("error").path("code").asText(), failed.toString());
            for (Map.Entry<String, CompletableFuture<JsonNode>> e : idempotent.entrySet()) {
                JsonNode a = e.getValue().get();
                assertEquals(e.getKey(), a.path("body").path("echo").path("tag").asText(), a.toString());
            }
            // the frozen worker is back on every relay, and more work goes through all three after its old answers
            for (int r = 0; r < 3; r++) {
                Probes.awaitWorkers(clients.get(r), List.of(frozen), WITHIN, frozen + " back on relay" + (r + 1));
            }
            Trace.Result after = Trace.start(clients.subList(0, 3), Trace.zipf(KEYS, ZIPF, 300, 25), 1, "g").await(WITHIN);
            int extra = clients.stream().mapToInt(WsClient::extraAnswers).sum();
            System.out.printf("deployment: %s frozen: %s answered %s %d time(s), ran %d time(s); it held %d of 3 "
                    + "idempotent requests, which ran %d times in all and were answered once each; answers for no "
                    + "pending request %d; then %d answered, %d errors%n", frozen, slow,
                    failed.path("error").path("code").asText(), relay1.answersFor(slow), Probes.runs(d, WORKERS, slow),
                    heldByFrozen, idempotent.keySet().stream().mapToLong(id -> Probes.runs(d, WORKERS, id)).sum(),
                    extra, after.answered(), after.errors().size());
            assertEquals(1, relay1.answersFor(slow));
            assertEquals(1, Probes.runs(d, WORKERS, slow), "the non-idempotent request ran twice");
            for (int i = 0; i < 3; i++) {
                assertEquals(1, clients.get(1 + i % 2).answersFor("g-idempotent-" + i));
            }
            assertEquals(0, extra, "an answer reached a client for no pending request");
            assertEquals(List.of(), after.errors());
        } finally {
            clients.forEach(WsClient::close);
        }
    }
}
