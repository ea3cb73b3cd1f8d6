package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.Await;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.worker.LocalWorker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

class RelayRoundTripTest {

    @Test
    void echoesOneRequestAsOneFrame() {
        LocalWorker worker = LocalWorker.builder((req, ctx) -> Flux.just(req.payload())).id("w1").build();
        Relay relay = Relay.builder().router(Router.builder().worker(worker).build()).build();
        LocalConnection c = LocalConnection.reading();
        Disposable session = relay.serve(c).subscribe();
        c.sendText("{\"id\":1,\"key\":\"k\",\"body\":{\"x\":[1,2]}}");
        c.sendText("{\"id\":\"two\",\"key\":\"k\",\"body\":\"s\"}");
        Await.until(Duration.ofSeconds(5), () -> c.received().size() >= 2, () -> "two answers; got " + c.received());
        assertEquals(List.of("{\"id\":1,\"body\":{\"x\":[1,2]},\"end\":true}", "{\"id\":\"two\",\"body\":\"s\",\"end\":true}"),
                c.received().stream().map(Payload::utf8).toList());
        session.dispose();
    }

    @Test
    void handlerSeesThePrincipalAndSessionOfItsRequest() {
        LocalWorker worker = LocalWorker.builder((req, ctx) -> Flux.just(Payload.json("\"" + req.principal().orElse("-")
                + " " + req.sessionId().isEmpty() + " " + ctx.workerId() + "\""))).id("w9").build();
        Relay relay = Relay.builder().router(Router.builder().worker(worker).build()).build();
        LocalConnection c = LocalConnection.reading("alice", java.util.Map.of("view", "slide-1"));
        relay.serve(c).subscribe();
        c.sendText("{\"id\":1,\"key\":\"k\"}");
        assertEquals(List.of("{\"id\":1,\"body\":\"alice false w9\",\"end\":true}"),
                c.received().stream().map(Payload::utf8).toList());
    }
}
