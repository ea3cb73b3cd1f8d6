package dev.switchboard.transport.zmq;

import dev.switchboard.core.Payload;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * What a client of the fencing tests saw of one request: its signals as text ({@code "item …"},
 * {@code "error CODE"}, {@code "complete"}), and the requests those tests send.
 */
final class Signals {

    private Signals() {
    }

    /** Subscribes to {@code answers}, recording each signal; the subscription goes to {@code toClose}. */
    static List<String> record(Flux<Payload> answers, List<AutoCloseable> toClose) {
        List<String> signals = new CopyOnWriteArrayList<>();
        Disposable d = answers.subscribe(p -> signals.add("item " + p.utf8()),
                e -> signals.add("error " + (e instanceof RelayException x ? x.code().wireName() : e.toString())),
                () -> signals.add("complete"));
        toClose.add(d::dispose);
        return signals;
    }

    /** Whether the recorded request ended (completed or failed). */
    static boolean ended(List<String> signals) {
        return signals.stream().anyMatch(s -> s.equals("complete") || s.startsWith("error"));
    }

    /** Request {@code id} for key {@code k<id>}, its body the id. */
    static Request request(long id, boolean idempotent) {
        return Request.builder().id(RequestId.of(id)).key("k" + id).payload(Payload.json(Long.toString(id)))
                .idempotent(idempotent).build();
    }
}
