package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.test.ManualWorker;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ORDERED sessions get responses in request order; UNORDERED ones as workers produce them. */
class OrderingTest {

    private final ManualWorker w1 = ManualWorker.create("w1", 3);
    private final ManualWorker w2 = ManualWorker.create("w2", 3);

    private LocalConnection session(Ordering ordering) {
        Relay relay = Relay.builder().router(Router.builder().worker(w1).worker(w2).build())
                .ordering(ordering).build();
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        for (int i = 1; i <= 5; i++) {
            client.send(Wire.request(i, "k", "null"));
        }
        return client;
    }

    private ManualWorker.Exchange exchange(String id) {
        return w1.exchanges().stream().anyMatch(e -> e.request().id().toString().equals(id))
                ? w1.exchange(id) : w2.exchange(id);
    }

    private void answer(String id) {
        exchange(id).last("\"r" + id + "\"");
    }

    @Test
    void orderedSessionGetsResponsesInRequestOrderWhenWorkersFinishOutOfOrder() {
        LocalConnection client = session(Ordering.ORDERED);
        answer("5");
        answer("3");
        assertEquals(List.of(), Wire.ids(client.received()), "answers overtook request 1");
        answer("1");
        assertEquals(List.of("1"), Wire.ids(client.received()));
        answer("4");
        assertEquals(List.of("1"), Wire.ids(client.received()));
        answer("2");
        assertEquals(List.of("1", "2", "3", "4", "5"), Wire.ids(client.received()));
        for (Payload f : client.received()) {
            String id = Wire.json(f).get("id").asText();
            assertEquals("r" + id, Wire.json(f).get("body").asText());
        }
    }

    @Test
    void unorderedSessionGetsResponsesAsWorkersProduceThem() {
        LocalConnection client = session(Ordering.UNORDERED);
        answer("5");
        answer("3");
        assertEquals(List.of("5", "3"), Wire.ids(client.received()));
        answer("1");
        answer("4");
        answer("2");
        assertEquals(List.of("5", "3", "1", "4", "2"), Wire.ids(client.received()));
    }

    @Test
    void orderedStreamsAreNotInterleaved() {
        LocalConnection client = session(Ordering.ORDERED);
        exchange("2").next("20").next("21");
        exchange("1").next("10");
        exchange("2").complete();
        exchange("1").next("11").next("12");
        assertEquals(List.of("1", "1", "1"), Wire.ids(client.received()), "the head streams as it goes");
        exchange("1").complete();
        for (String id : List.of("3", "4", "5")) {
            exchange(id).complete();
        }
        assertEquals(List.of(
                "{\"id\":1,\"body\":10}", "{\"id\":1,\"body\":11}", "{\"id\":1,\"body\":12}", "{\"id\":1,\"end\":true}",
                "{\"id\":2,\"body\":20}", "{\"id\":2,\"body\":21}", "{\"id\":2,\"end\":true}",
                "{\"id\":3,\"end\":true}", "{\"id\":4,\"end\":true}", "{\"id\":5,\"end\":true}"),
                client.received().stream().map(Payload::utf8).toList());
    }

    @Test
    void unorderedStreamsInterleaveAsProduced() {
        LocalConnection client = session(Ordering.UNORDERED);
        exchange("2").next("20");
        exchange("1").next("10");
        exchange("2").next("21");
        exchange("1").complete();
        exchange("2").complete();
        assertEquals(List.of("{\"id\":2,\"body\":20}", "{\"id\":1,\"body\":10}", "{\"id\":2,\"body\":21}",
                "{\"id\":1,\"end\":true}", "{\"id\":2,\"end\":true}"), client.received().stream().map(Payload::utf8).toList());
    }
}
