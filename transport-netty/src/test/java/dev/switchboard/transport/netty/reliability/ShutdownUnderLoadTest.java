package dev.switchboard.transport.netty.reliability;

import dev.switchboard.core.test.Await;

import static dev.switchboard.transport.netty.reliability.Fixtures.isFinal;
import static dev.switchboard.transport.netty.reliability.Fixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RoutingStrategies;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.transport.netty.NettyLeakCheck;
import dev.switchboard.transport.netty.WebSocketRelayServer;
import dev.switchboard.transport.netty.WebSocketRelaySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;

/**
 * The relay shut down while every session is busy: each session is closed with 1001, and each
 * request the relay took in is answered (within the deadline) or, past it, cancelled at the
 * worker, so that nothing is left running or held.
 */
@ExtendWith(NettyLeakCheck.class)
class ShutdownUnderLoadTest {

    static final int SESSIONS = 20;
    static final int PIPELINE = 2;
    /**
     * A request's service time in the graceful test: longer than a closing connection waits for
     * its last frames (half the close timeout), so only the drain gets the answers out.
     */
    static final String SERVICE_MS = "700";

    private final List<Disposable> clients = new ArrayList<>();
    private final List<LocalWorker> workers = new ArrayList<>();
    private @Nullable WebSocketRelayServer server;
    private @Nullable Relay relay;
    private final HttpClient http = HttpClient.newConnection().runOn(Fixtures.CLIENT_LOOPS);

    @AfterEach
    void stop() {
        clients.forEach(Disposable::dispose);
        if (server != null) {
            server.shutdown(Duration.ZERO).block(Fixtures.WAIT);
        }
    }

    /** A client that keeps {@link #PIPELINE} requests of {@code key} outstanding until it is closed. */
    private static final class Busy {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong answered = new AtomicLong();
        final Sinks.One<Integer> closeCode = Sinks.one();
    }

    private Busy busy(String uri, String key, String body) {
        Busy b = new Busy();
        clients.add(http.websocket(Fixtures.CLIENT_SPEC).uri(uri).handle((in, out) -> {
            Sinks.Many<String> requests = Sinks.many().unicast().onBackpressureBuffer();
            in.receiveCloseStatus().subscribe(s -> b.closeCode.tryEmitValue(s.code()));
            in.receive().asString().subscribe(reply -> {
                if (isFinal(reply)) {
                    b.answered.incrementAndGet();
                    requests.tryEmitNext(request(b.sent.getAndIncrement(), key, body));
                }
            });
            for (int i = 0; i < PIPELINE; i++) {
                requests.tryEmitNext(request(b.sent.getAndIncrement(), key, body));
            }
            return out.sendString(requests.asFlux()).then().then(Mono.never());
        }).subscribe(null, e -> b.closeCode.tryEmitValue(-1)));
        return b;
    }

    private String start() {
        Router.Builder router = Router.builder().strategy(RoutingStrategies.roundRobin());
        for (int i = 1; i <= 2; i++) {
            LocalWorker w = LocalWorker.builder(Fixtures.HANDLER).id("w" + i).capacity(16).build();
            workers.add(w);
            router.worker(w);
        }
        relay = Relay.builder().router(router.build()).build();
        server = WebSocketRelayServer.builder(relay)
                .spec(WebSocketRelaySpec.builder().closeTimeout(Duration.ofSeconds(1)).build()).bindNow();
        return server.uri().toString();
    }

    @Test
    void shutdownUnderLoadClosesEverySessionWith1001AndAnswersEveryRequestItTookIn() {
        String uri = start();
        List<Busy> all = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            all.add(busy(uri, "slow", SERVICE_MS));
        }
        Await.until(Fixtures.WAIT, () -> all.stream().allMatch(b -> b.answered.get() >= 2), "every session busy");
        long inFlightAtShutdown = relay.metrics().snapshot().inFlight();

        server.shutdown(Duration.ofSeconds(10)).block(Fixtures.WAIT);

        for (Busy b : all) {
            assertEquals(1001, b.closeCode.asMono().block(Fixtures.WAIT));
        }
        long answered = all.stream().mapToLong(b -> b.answered.get()).sum();
        long sent = all.stream().mapToLong(b -> b.sent.get()).sum();
        long takenIn = relay.metrics().snapshot().requests();
        System.out.printf("RELIABILITY shutdown: %d sessions, %d requests in flight at the shutdown; "
                + "%d sent, %d taken in, %d answered%n", SESSIONS, inFlightAtShutdown, sent, takenIn, answered);
        assertTrue(inFlightAtShutdown > 0);
        // every request the relay read was answered; those sent after it stopped reading met the 1001
        assertEquals(takenIn, answered);
        assertEquals(0, relay.metrics().snapshot().inFlight());
        assertEquals(0, relay.metrics().snapshot().sessions());
        assertEquals(0, server.handler().connections());
        assertTrue(workers.stream().allMatch(w -> w.active() == 0));
        assertTrue(relay.metrics().snapshot().errors().values().stream().allMatch(n -> n == 0),
                relay.metrics().snapshot().errors().toString());
    }

    @Test
    void shutdownPastItsDeadlineClosesEverySessionWith1001AndCancelsWhatStillRuns() {
        String uri = start();
        int cancelledBefore = Fixtures.CANCELLED.get();
        List<Busy> all = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            all.add(busy(uri, "hang", "0"));
        }
        // the workers' 32 credits taken, the other 8 requests waiting in the router
        Await.until(Fixtures.WAIT, () -> relay.metrics().snapshot().inFlight() == (long) SESSIONS * PIPELINE,
                "every request taken in");
        long t0 = System.nanoTime();
        Duration deadline = Duration.ofMillis(300);

        server.shutdown(deadline).block(Fixtures.WAIT);

        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        for (Busy b : all) {
            assertEquals(1001, b.closeCode.asMono().block(Fixtures.WAIT));
        }
        Await.until(Fixtures.WAIT, () -> workers.stream().allMatch(w -> w.active() == 0), "every credit back");
        System.out.printf("RELIABILITY shutdown past the deadline: %d sessions closed in %d ms (deadline %d ms), "
                        + "%d requests cancelled at the workers%n", SESSIONS, took.toMillis(), deadline.toMillis(),
                Fixtures.CANCELLED.get() - cancelledBefore);
        // at least the 32 on the workers; a credit freed by one session's cancel may first go to
        // another session's waiting request, which is then cancelled in turn
        assertTrue(Fixtures.CANCELLED.get() - cancelledBefore >= 32, "the requests on the workers cancelled");
        assertEquals(0, Fixtures.HANGING.get());
        assertEquals(0, relay.metrics().snapshot().inFlight());
        assertEquals(0, relay.metrics().snapshot().waiting());
        assertEquals(0, relay.metrics().snapshot().sessions());
        assertTrue(took.compareTo(deadline.plus(server.handler().spec().closeTimeout().multipliedBy(2))) <= 0,
                "took " + took);
    }
}
