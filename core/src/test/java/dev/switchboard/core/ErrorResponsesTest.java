package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.metrics.MetricsSnapshot;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.core.worker.WorkerHandler;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** Each failure answers the request it belongs to, with its code, and hurts no other request. */
class ErrorResponsesTest {

    /** Echoes, except for bodies that ask it to fail in some way. */
    private static final WorkerHandler FAILING = (req, ctx) -> switch (req.payload().utf8()) {
        case "\"throw\"" -> throw new IllegalStateException("handler threw");
        case "\"error\"" -> Flux.error(new IllegalStateException("handler errored"));
        case "\"late\"" -> Flux.just(Payload.json("1")).concatWith(Flux.error(new IllegalStateException("late")));
        case "\"overloaded\"" -> Flux.error(new RelayException(ErrorCode.OVERLOADED, "busy"));
        default -> Flux.just(req.payload());
    };

    private static Relay relay(Router router) {
        return Relay.builder().router(router).build();
    }

    private static String text(Payload f) {
        return f.utf8();
    }

    @Test
    void handlerThatThrowsOrErrorsYieldsWorkerFailedForThatRequestOnly() {
        Relay relay = relay(Router.builder().worker(LocalWorker.builder(FAILING).capacity(2).build()).build());
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        client.send(Wire.request(1, "k", "\"ok\""));
        client.send(Wire.request(2, "k", "\"throw\""));
        client.send(Wire.request(3, "k", "\"ok\""));
        client.send(Wire.request(4, "k", "\"error\""));
        client.send(Wire.request(5, "k", "\"late\""));
        client.send(Wire.request(6, "k", "\"overloaded\""));
        client.send(Wire.request(7, "k", "\"ok\""));

        List<Payload> frames = client.received();
        assertEquals(List.of("1", "2", "3", "4", "5", "5", "6", "7"), Wire.ids(frames));
        assertEquals("{\"id\":1,\"body\":\"ok\",\"end\":true}", text(frames.get(0)));
        assertEquals("worker_failed", Wire.errorCode(frames.get(1)));
        assertEquals("{\"id\":3,\"body\":\"ok\",\"end\":true}", text(frames.get(2)));
        assertEquals("worker_failed", Wire.errorCode(frames.get(3)));
        assertEquals("{\"id\":5,\"body\":1}", text(frames.get(4)), "the item before the error, not marked end");
        assertEquals("worker_failed", Wire.errorCode(frames.get(5)));
        assertEquals("overloaded", Wire.errorCode(frames.get(6)), "a RelayException keeps its code");
        assertEquals("{\"id\":7,\"body\":\"ok\",\"end\":true}", text(frames.get(7)));

        MetricsSnapshot s = relay.metrics().snapshot();
        assertEquals(3L, s.errors().get("worker_failed"));
        assertEquals(1L, s.errors().get("overloaded"));
        assertEquals(0, s.inFlight());
        assertEquals(0, s.workers().get(0).active());
        assertEquals(Optional.empty(), client.closeStatus());
    }

    @Test
    void noWorkersYieldsNoWorkersAndAWorkerThatJoinsServesTheNext() {
        Router router = Router.builder().build();
        Relay relay = relay(router);
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        client.send(Wire.request(1, "k", "null"));
        client.send(Wire.request(2, "k", "null"));

        List<Payload> frames = client.received();
        assertEquals(2, frames.size());
        assertEquals("no_workers", Wire.errorCode(frames.get(0)));
        assertEquals("1", Wire.json(frames.get(0)).get("id").asText());
        assertEquals("no_workers", Wire.errorCode(frames.get(1)));
        assertEquals(2L, relay.metrics().snapshot().errors().get("no_workers"));

        router.membership().join(LocalWorker.builder(FAILING).build());
        client.send(Wire.request(3, "k", "3"));
        assertEquals("{\"id\":3,\"body\":3,\"end\":true}", text(client.received().get(2)));
    }

    @Test
    void undecodableFramesYieldBadRequestAndTheSessionServesTheNextRequest() {
        Relay relay = relay(Router.builder().worker(LocalWorker.builder(FAILING).build()).build());
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        client.sendText("not json");
        client.sendText("{\"id\":7,\"key\":5}");
        client.sendText("{\"id\":8}");
        client.sendText("{\"key\":\"k\",\"body\":1}");
        client.sendText("{\"id\":\"s\",\"key\":\"k\",\"body\":[1,");
        client.send(Payload.binary(new byte[] {9, 0, 0}));
        client.send(Payload.text(new byte[] {'{', '"', 'i', 'd', '"', ':', (byte) 0xff, '}'}));
        client.send(Wire.request(10, "k", "{\"fine\":true}"));

        List<Payload> frames = client.received();
        assertEquals(List.of("null", "7", "8", "null", "s", "null", "null", "10"), Wire.ids(frames));
        for (int i = 0; i < 7; i++) {
            assertEquals("bad_request", Wire.errorCode(frames.get(i)), frames.get(i).utf8());
            assertTrue(Wire.json(frames.get(i)).get("error").get("message").asText().length() > 0);
        }
        assertTrue(Wire.json(frames.get(0)).get("id").isNull(), "an unknown id is JSON null");
        assertEquals("{\"id\":10,\"body\":{\"fine\":true},\"end\":true}", text(frames.get(7)));
        MetricsSnapshot s = relay.metrics().snapshot();
        assertEquals(7L, s.errors().get("bad_request"));
        assertEquals(8, s.requests());
        assertEquals(1, s.routed(), "bad requests never reach a worker");
        assertEquals(0, s.inFlight());
        assertEquals(Optional.empty(), client.closeStatus());
    }

    @Test
    void badRequestsWaitTheirTurnInAnOrderedSession() {
        Relay relay = relay(Router.builder().worker(LocalWorker.builder(FAILING).build()).build());
        LocalConnection client = LocalConnection.notReading();
        relay.serve(client).subscribe();
        client.send(Wire.request(1, "k", "1"));
        client.sendText("{\"id\":2}");
        client.send(Wire.request(3, "k", "3"));
        client.read(Long.MAX_VALUE);
        assertEquals(List.of("1", "2", "3"), Wire.ids(client.received()));
        assertEquals("bad_request", Wire.errorCode(client.received().get(1)));
        assertEquals("missing field \"key\"",
                Wire.json(client.received().get(1)).get("error").get("message").asText());
        assertEquals("{\"id\":3,\"body\":3,\"end\":true}", client.received().get(2).utf8());
    }

    @Test
    void responseTheCodecFailsToEncodeBecomesWorkerFailedAndTheSessionGoesOn() {
        Codec failing = new Codec() {
            @Override
            public ClientMessage decode(Payload frame, Session session) throws CodecException {
                return Codec.json().decode(frame, session);
            }

            @Override
            public Payload encode(Response response) {
                if (response.payload().map(p -> p.utf8().equals("\"boom\"")).orElse(false)) {
                    throw new IllegalArgumentException("cannot encode");
                }
                return Codec.json().encode(response);
            }
        };
        Relay relay = Relay.builder().router(Router.builder().worker(LocalWorker.builder(FAILING).build()).build())
                .codec(failing).maxQueuedResponses(2).build();
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        for (int i = 0; i < 3; i++) {
            client.send(Wire.request(1, "k", "\"boom\""));
        }
        client.send(Wire.request(2, "k", "\"ok\""));
        List<Payload> frames = client.received();
        assertEquals(List.of("1", "1", "1", "2"), Wire.ids(frames));
        for (int i = 0; i < 3; i++) {
            assertEquals("worker_failed", Wire.errorCode(frames.get(i)));
        }
        assertEquals("{\"id\":2,\"body\":\"ok\",\"end\":true}", text(frames.get(3)));
        assertEquals(0, relay.metrics().snapshot().inFlight());
        assertEquals(0, relay.metrics().snapshot().queuedResponses());
    }
}
