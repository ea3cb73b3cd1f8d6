package dev.switchboard.transport.zmq;

import dev.switchboard.core.test.Await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Payload;
import dev.switchboard.core.Relay;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.transport.zmq.internal.Protocol;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Nothing a client or a worker sends can wedge the remote path: a field over its limit is answered
 * {@code bad_request} at the gateway and never forwarded, and a worker answers every record whose
 * tag it can read.
 */
class RemoteLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final Membership membership = Membership.create();
    private final Router router = Router.builder().membership(membership).build();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        router.dispose();
    }

    private ZmqGateway gateway() {
        return gateway(Duration.ofMillis(200));
    }

    private ZmqGateway gateway(Duration heartbeat) {
        ZmqGateway g = ZmqGateway.builder(membership)
                .spec(ZmqGatewaySpec.builder().heartbeatInterval(heartbeat).build())
                .bindNow();
        toClose.add(() -> {
            g.dispose();
            g.onDispose().block(WAIT);
        });
        return g;
    }

    private static String repeat(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    @Test
    void aFiveThousandByteKeyIsAnsweredBadRequestAndTheWorkerServesTheNextRequest() {
        ZmqGateway gateway = gateway();
        ZmqWorker worker = ZmqWorker.builder((req, ctx) -> Flux.just(req.payload()))
                .spec(ZmqWorkerSpec.builder().id("w1").capacity(1).connect(gateway.endpoint())
                .heartbeatInterval(Duration.ofMillis(200)).build()).build();
        toClose.add(worker::dispose);
        Await.until(WAIT, () -> gateway.workerIds().contains("w1"), "the worker registered");
        Relay relay = Relay.builder().router(router).build();
        LocalConnection client = LocalConnection.reading();
        Disposable session = relay.serve(client).subscribe();
        toClose.add(session::dispose);

        client.sendText("{\"id\":1,\"key\":\"" + repeat('k', 5000) + "\",\"body\":1}");
        Await.until(ONE_SECOND, () -> client.receivedCount() == 1, "the oversized request answered");
        String answer = client.received().get(0).utf8();
        assertTrue(answer.contains("\"bad_request\"") && answer.contains("4096"), answer);

        client.sendText("{\"id\":2,\"key\":\"a\",\"body\":2}");
        Await.until(ONE_SECOND, () -> client.receivedCount() == 2, "the next request served");
        assertEquals("{\"id\":2,\"body\":2,\"end\":true}", client.received().get(1).utf8());
        assertEquals(1, worker.stats().served());
    }

    @Test
    void theGatewayAnswersAFieldOverItsLimitBadRequestAndNeverForwardsIt() {
        // the raw peer sends no heartbeat: it must stay registered for the test's length
        ZmqGateway gateway = gateway(Duration.ofSeconds(10));
        RawPeer peer = new RawPeer(gateway.endpoint());
        toClose.add(peer);
        peer.register("raw", 4, 10_000);
        Await.until(WAIT, () -> gateway.workerIds().contains("raw"), "the raw worker registered");
        Await.until(WAIT, () -> router.loads().stream().anyMatch(l -> l.id().equals("raw")), "the router sees it");

        List<Request> oversized = List.of(
                Request.builder().id(RequestId.of(1)).key(repeat('k', 5000)).build(),
                // more than a text16 holds: sent, it would corrupt the record
                Request.builder().id(RequestId.of(2)).key(repeat('k', 70_000)).build(),
                Request.builder().id(RequestId.of(3)).key("a").sessionId(repeat('s', 300)).build(),
                Request.builder().id(RequestId.of(4)).key("a").principal(repeat('p', 2000)).build(),
                Request.builder().id(RequestId.of(5)).key("a").payload(Payload.binary(new byte[(8 << 20) + 1])).build());
        for (Request r : oversized) {
            StepVerifier.create(router.route(r))
                    .expectErrorSatisfies(e -> {
                        assertTrue(e instanceof RelayException x && x.code() == ErrorCode.BAD_REQUEST, e.toString());
                        assertTrue(e.getMessage().contains("DEFAULT_MAX_"), e.getMessage());
                    })
                    .verify(ONE_SECOND);
        }
        assertNull(peer.receiveType(Protocol.REQUEST, 300), "nothing over a limit reached the worker");
    }

    @Test
    void aWorkerAnswersEveryRecordWhoseTagItCanRead() {
        try (RawGateway gw = new RawGateway()) {
            ZmqWorker worker = ZmqWorker.builder((req, ctx) -> Flux.just(req.payload()))
                    .spec(ZmqWorkerSpec.builder().id("w").capacity(4).connect(gw.endpoint())
                    .heartbeatInterval(Duration.ofMillis(200)).build()).build();
            toClose.add(worker::dispose);
            gw.acceptReady(5000);
            byte[] s = RawPeer.text("s");
            byte[] cut = ByteBuffer.allocate(10).putLong(8).put(new byte[2]).array();
            gw.sendRequests(
                    RawGateway.record(7, RawPeer.text(repeat('k', 5000)), s, "7"),
                    cut,
                    RawGateway.record(9, RawPeer.text("a"), s, "9"),
                    RawGateway.record(10, new byte[] {(byte) 0xff}, s, "10"));
            Map<Long, String> answers = new HashMap<>();
            while (answers.size() < 4) {
                List<byte[]> m = gw.receiveType(Protocol.RESPONSE, 5000);
                if (m == null) {
                    throw new AssertionError("answered only " + answers);
                }
                answers.putAll(responses(m.get(0)));
            }
            assertTrue(answers.get(7L).startsWith("error bad_request") && answers.get(7L).contains("4096"), answers.toString());
            assertTrue(answers.get(8L).startsWith("error bad_request"), answers.toString());
            assertEquals("data-end 9", answers.get(9L));
            assertTrue(answers.get(10L).startsWith("error bad_request"), answers.toString());
            assertEquals(1, worker.stats().malformed());
        }
    }

    /** The records of a RESPONSE frame, by tag: "data-end body", "end" or "error code message". */
    static Map<Long, String> responses(byte[] frame) {
        Map<Long, String> out = new HashMap<>();
        ByteBuffer b = ByteBuffer.wrap(frame, Protocol.ENVELOPE, frame.length - Protocol.ENVELOPE);
        while (b.hasRemaining()) {
            int n = b.getInt();
            int end = b.position() + n;
            long tag = b.getLong();
            int status = b.get();
            String text;
            if (status == Protocol.ERROR) {
                byte[] code = new byte[b.getShort()];
                b.get(code);
                byte[] message = new byte[end - b.position()];
                b.get(message);
                text = "error " + new String(code, StandardCharsets.UTF_8) + " " + new String(message, StandardCharsets.UTF_8);
            } else if (status == Protocol.END) {
                text = "end";
            } else {
                b.get();
                byte[] body = new byte[end - b.position()];
                b.get(body);
                text = (status == Protocol.DATA_END ? "data-end " : "data ") + new String(body, StandardCharsets.UTF_8);
            }
            out.put(tag, text);
            b.position(end);
        }
        return out;
    }
}
