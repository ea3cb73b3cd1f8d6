package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.Await;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.worker.LocalWorker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** One set of limits on a request's fields: the codec and the relay answer {@code bad_request} naming the limit. */
class LimitsTest {

    private static final Session SESSION = Session.of("s1", null, Map.of(), Ordering.ORDERED, 8, 8);
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void theDefaultCodecRefusesAKeyOverTheLimitNamingIt() {
        String frame = "{\"id\":7,\"key\":\"" + "k".repeat(Limits.DEFAULT_MAX_KEY_BYTES + 1) + "\"}";
        CodecException e = assertThrows(CodecException.class, () -> Codec.json().decode(Payload.text(frame), SESSION));
        assertTrue(e.getMessage().contains("DEFAULT_MAX_KEY_BYTES") && e.getMessage().contains("4096"), e.getMessage());
        assertEquals(RequestId.of(7), e.requestId().orElseThrow());
    }

    @Test
    void keysAreMeasuredInUtf8Bytes() throws CodecException {
        // 2 bytes each: 4,096 bytes pass, 4,098 do not
        String fits = "é".repeat(Limits.DEFAULT_MAX_KEY_BYTES / 2);
        assertEquals(fits, ((Request) Codec.json().decode(Payload.text("{\"id\":1,\"key\":\"" + fits + "\"}"), SESSION)).key());
        assertTrue(Limits.violation(Request.builder().id(RequestId.of(1)).key(fits + "é").build()).isPresent());
        // 4 bytes for two chars
        String emoji = "\uD83D\uDE00".repeat(Limits.DEFAULT_MAX_KEY_BYTES / 4);
        assertTrue(Limits.violation(Request.builder().id(RequestId.of(1)).key(emoji).build()).isEmpty());
        assertTrue(Limits.violation(Request.builder().id(RequestId.of(1)).key(emoji + "a").build()).isPresent());
    }

    @Test
    void everyFieldHasItsNamedLimit() {
        Request ok = Request.builder().id(RequestId.of(1)).key("k").build();
        assertTrue(Limits.violation(ok).isEmpty());
        assertTrue(Limits.violation(ok.toBuilder().sessionId("s".repeat(Limits.DEFAULT_MAX_SESSION_ID_BYTES + 1)).build())
                .orElseThrow().contains("DEFAULT_MAX_SESSION_ID_BYTES"));
        assertTrue(Limits.violation(ok.toBuilder().principal("p".repeat(Limits.DEFAULT_MAX_PRINCIPAL_BYTES + 1)).build())
                .orElseThrow().contains("DEFAULT_MAX_PRINCIPAL_BYTES"));
        assertTrue(Limits.violation(ok.toBuilder().id(RequestId.of("i".repeat(Limits.DEFAULT_MAX_REQUEST_ID_BYTES + 1)))
                .build()).orElseThrow().contains("DEFAULT_MAX_REQUEST_ID_BYTES"));
        assertTrue(Limits.violation(ok.toBuilder().payload(Payload.binary(new byte[Limits.DEFAULT_MAX_BODY_BYTES + 1]))
                .build()).orElseThrow().contains("DEFAULT_MAX_BODY_BYTES"));
    }

    @Test
    void theRelayAnswersBadRequestForARequestOverALimitFromAnyCodecAndNeverCallsTheWorker() {
        AtomicInteger handled = new AtomicInteger();
        LocalWorker worker = LocalWorker.builder((req, ctx) -> {
            handled.incrementAndGet();
            return Flux.just(req.payload());
        }).build();
        // a codec that checks nothing: the key is whatever the frame says
        Codec lax = new Codec() {
            @Override
            public ClientMessage decode(Payload frame, Session session) {
                return Request.builder().sessionId(session.id()).id(RequestId.of(1)).key(frame.utf8()).build();
            }

            @Override
            public Payload encode(Response response) {
                return Codec.json().encode(response);
            }
        };
        Relay relay = Relay.builder().router(Router.builder().worker(worker).build()).codec(lax).build();
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        client.sendText("k".repeat(5000));
        Await.until(WAIT, () -> client.receivedCount() == 1, () -> client.received().toString());
        String answer = client.received().get(0).utf8();
        assertTrue(answer.contains("\"bad_request\"") && answer.contains("DEFAULT_MAX_KEY_BYTES"), answer);
        assertEquals(0, handled.get());
        client.sendText("short");
        Await.until(WAIT, () -> client.receivedCount() == 2, () -> client.received().toString());
        assertEquals(1, handled.get());
    }
}
