package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.Await;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.worker.LocalWorker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

class SessionRoutingKeyTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    /** Answers with the key the router routed by. */
    final LocalWorker worker = LocalWorker.builder((req, ctx) -> Flux.just(Payload.json("\"" + req.key() + "\"")))
            .build();
    final Relay relay = Relay.builder().router(Router.builder().worker(worker).build())
            .sessionRoutingKey("query.view").build();

    List<String> keysSeen(LocalConnection client) {
        Disposable session = relay.serve(client).subscribe();
        client.sendText("{\"id\":1,\"key\":\"tile-1\"}");
        client.sendText("{\"id\":2,\"key\":\"tile-2\"}");
        Await.until(WAIT, () -> client.receivedCount() == 2, "two answers");
        session.dispose();
        return client.received().stream().map(f -> Wire.json(f).get("body").toString()).toList();
    }

    @Test
    void aSessionWithTheAttributeIsRoutedByItAsAWhole() {
        assertEquals(List.of("\"img-7\"", "\"img-7\""),
                keysSeen(LocalConnection.reading(null, Map.of("query.view", "img-7"))));
    }

    @Test
    void aSessionWithoutItIsRoutedByEachRequestsKey() {
        assertEquals(List.of("\"tile-1\"", "\"tile-2\""), keysSeen(LocalConnection.reading()));
    }
}
