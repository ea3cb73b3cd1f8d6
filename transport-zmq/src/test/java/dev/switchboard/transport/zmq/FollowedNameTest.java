package dev.switchboard.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Payload;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * A worker that follows a name joins every gateway it resolves to and leaves those it no longer
 * does. The gateways listen on one port at three loopback addresses (127.0.0.1 to .3, all routed
 * to {@code lo} on Linux), as the relays behind a headless Service share a port at their own
 * addresses; the test's resolver plays DNS.
 */
class FollowedNameTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration HEARTBEAT = Duration.ofMillis(200);
    private static final Duration PERIOD = Duration.ofMillis(50);
    private static final String NAME = "relays.test";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final AtomicReference<List<InetAddress>> answer = new AtomicReference<>(List.of());
    private final AtomicBoolean dnsDown = new AtomicBoolean();
    private final GatewayResolver resolver = host -> {
        if (!host.equals(NAME)) {
            throw new UnknownHostException(host);
        }
        if (dnsDown.get()) {
            throw new IOException("the DNS server does not answer");
        }
        return answer.get();
    };
    private final List<Relay> relays = new ArrayList<>();
    private int port;

    /** A gateway and the router in front of it, as one relay process has. */
    private record Relay(ZmqGateway gateway, Router router, InetAddress address) {
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    /** Three relays on one port, at 127.0.0.1, .2 and .3. */
    private void startRelays() throws UnknownHostException {
        Relay first = relay("127.0.0.1", "*");
        port = Integer.parseInt(first.gateway().endpoint().substring(first.gateway().endpoint().lastIndexOf(':') + 1));
        relays.add(first);
        relays.add(relay("127.0.0.2", Integer.toString(port)));
        relays.add(relay("127.0.0.3", Integer.toString(port)));
    }

    private Relay relay(String address, String portText) throws UnknownHostException {
        Membership m = Membership.create();
        Router router = Router.builder().membership(m).build();
        toClose.add(router::dispose);
        ZmqGateway g = ZmqGateway.builder(m).spec(ZmqGatewaySpec.builder()
                .endpoint("tcp://" + address + ":" + portText).heartbeatInterval(HEARTBEAT).build()).bindNow();
        toClose.add(() -> {
            g.dispose();
            g.onDispose().block(WAIT);
        });
        return new Relay(g, router, InetAddress.getByName(address));
    }

    private List<InetAddress> addresses(int... relayIndexes) {
        List<InetAddress> list = new ArrayList<>();
        for (int i : relayIndexes) {
            list.add(relays.get(i).address());
        }
        return list;
    }

    private ZmqWorker follower(ZmqWorkerSpec.Builder spec, AtomicBoolean cancelled) {
        ZmqWorker w = ZmqWorker.builder((req, ctx) -> req.key().equals("hang")
                        ? Flux.<Payload>never().doOnCancel(() -> cancelled.set(true))
                        : Flux.just(req.payload()))
                .spec(spec.id("w1").capacity(4).heartbeatInterval(HEARTBEAT).resolver(resolver)
                        .connectAll(NAME, port, PERIOD).build())
                .build();
        toClose.add(() -> {
            w.dispose();
            w.onDispose().block(WAIT);
        });
        return w;
    }

    private void awaitJoined(int relay) {
        Await.until(WAIT, () -> relays.get(relay).gateway().workerIds().contains("w1"), "w1 registered with relay " + relay);
    }

    private static Request request(long id, String key) {
        return Request.builder().id(RequestId.of(id)).key(key).payload(Payload.json(Long.toString(id))).build();
    }

    private void echoesThrough(int relay) {
        StepVerifier.create(relays.get(relay).router().route(request(relay, "k")).map(Payload::utf8))
                .expectNext(Integer.toString(relay)).expectComplete().verify(WAIT);
    }

    @Test
    void aWorkerJoinsTheAddressesThatAppearAndLeavesThoseThatGo() throws Exception {
        startRelays();
        answer.set(addresses(0, 1));
        AtomicBoolean cancelled = new AtomicBoolean();
        ZmqWorker w = follower(ZmqWorkerSpec.builder(), cancelled);
        awaitJoined(0);
        awaitJoined(1);
        echoesThrough(0);
        echoesThrough(1);
        assertEquals(List.of(), relays.get(2).gateway().workerIds());

        // a relay added behind the name: joined within a few periods, and it takes requests
        answer.set(addresses(1, 0, 2));
        awaitJoined(2);
        echoesThrough(2);
        assertEquals(3, w.stats().gateways());

        // a relay removed: the worker tells it it leaves and cancels what it ran for it
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // not idempotent, so that the relay does not retry it elsewhere (and finds no worker) but fails it
        Request hanging = Request.builder().id(RequestId.of(9)).key("hang").payload(Payload.json("9"))
                .idempotent(false).build();
        toClose.add(relays.get(1).router().route(hanging).subscribe(p -> { }, failure::set)::dispose);
        Await.until(WAIT, () -> relays.get(1).gateway().stats().requests() >= 2, "the hanging request reached w1");
        answer.set(addresses(0, 2));
        Await.until(WAIT, () -> relays.get(1).gateway().workerIds().isEmpty(), "w1 left relay 1");
        assertEquals(0, relays.get(1).gateway().stats().deadWorkers(), "it said it leaves, it was not declared dead");
        Await.until(WAIT, cancelled::get, "the request of the gateway left is cancelled at the worker");
        Await.until(WAIT, () -> failure.get() != null, "the request of the gateway left fails at its relay");
        assertEquals(ErrorCode.WORKER_FAILED, ((RelayException) failure.get()).code());
        assertEquals(2, w.stats().gateways());
        echoesThrough(0);
        echoesThrough(2);
    }

    @Test
    void aLookupThatFailsOrComesBackEmptyChangesNothing() throws Exception {
        startRelays();
        answer.set(addresses(0, 1));
        ZmqWorker w = follower(ZmqWorkerSpec.builder(), new AtomicBoolean());
        awaitJoined(0);
        awaitJoined(1);

        dnsDown.set(true);
        Await.until(WAIT, () -> w.stats().failedLookups() >= 3, "three failed lookups");
        dnsDown.set(false);
        answer.set(List.of());
        long failed = w.stats().failedLookups();
        Await.until(WAIT, () -> w.stats().failedLookups() >= failed + 3, "three empty answers");
        assertEquals(List.of("w1"), relays.get(0).gateway().workerIds());
        assertEquals(List.of("w1"), relays.get(1).gateway().workerIds());
        assertEquals(2, w.stats().gateways());
        echoesThrough(0);
        echoesThrough(1);

        // and it follows again once the name resolves
        answer.set(addresses(1));
        Await.until(WAIT, () -> relays.get(0).gateway().workerIds().isEmpty(), "w1 left relay 0");
        assertEquals(List.of("w1"), relays.get(1).gateway().workerIds());
    }

    @Test
    void addressesBeyondTheLimitAreIgnoredAndCountedAndAFixedEndpointStays() throws Exception {
        startRelays();
        // 127.0.1.x: nothing listens there; the DEALERs just keep trying
        List<InetAddress> many = new ArrayList<>(addresses(0));
        for (int i = 1; i <= ZmqWorkerSpec.MAX_GATEWAYS + 5; i++) {
            many.add(InetAddress.getByName("127.0.1." + i));
        }
        answer.set(many);
        ZmqWorker w = follower(ZmqWorkerSpec.builder().connect("tcp://127.0.0.1:" + port), new AtomicBoolean());
        Await.until(WAIT, () -> w.stats().gateways() == ZmqWorkerSpec.MAX_GATEWAYS
                && w.stats().gatewaysOverLimit() >= 6, "64 gateways kept, the addresses over the limit counted");
        awaitJoined(0);

        answer.set(addresses(1));
        awaitJoined(1);
        Await.until(WAIT, () -> w.stats().gateways() == 2, "the fixed gateway and relay 1 only");
        assertEquals(List.of("w1"), relays.get(0).gateway().workerIds(), "the fixed endpoint stays");
        echoesThrough(0);
        echoesThrough(1);
    }

    @Test
    void aNameIsCheckedWhenGiven() {
        ZmqWorkerSpec.Builder b = ZmqWorkerSpec.builder();
        assertThrows(IllegalArgumentException.class, () -> b.connectAll("tcp://relays", 5555, PERIOD));
        assertThrows(IllegalArgumentException.class, () -> b.connectAll(" ", 5555, PERIOD));
        assertThrows(IllegalArgumentException.class, () -> b.connectAll(NAME, 0, PERIOD));
        assertThrows(IllegalArgumentException.class, () -> b.connectAll(NAME, 5555, Duration.ofMillis(1)));
        ZmqWorkerSpec spec = b.connectAll(NAME, 5555, PERIOD).build();
        assertEquals(List.of(new ZmqWorkerSpec.GatewayName(NAME, 5555, PERIOD)), spec.gatewayNames());
        assertTrue(spec.endpoints().isEmpty());
        for (int i = 1; i < ZmqWorkerSpec.MAX_GATEWAYS; i++) {
            b.connect("tcp://127.0.0.1:" + (6000 + i));
        }
        assertThrows(IllegalArgumentException.class, () -> b.connect("tcp://127.0.0.1:7000"));
        assertFalse(spec.gatewayNames().isEmpty());
    }
}
