package dev.switchboard.transport.zmq;

import dev.switchboard.core.test.Await;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Payload;
import dev.switchboard.core.Relay;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.core.worker.WorkerHandler;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A handler's exception text stays at the worker, in-process and remote alike: the client gets
 * the code and a generic message; a {@link RelayException} is addressed to the client and keeps
 * its code and message.
 */
class ErrorTextTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    static final WorkerHandler FAILING = (req, ctx) -> switch (req.payload().utf8()) {
        case "\"throw\"" -> throw new IllegalStateException("cannot open /srv/private/db.sqlite");
        case "\"error\"" -> Flux.error(new java.io.IOException("cannot open /srv/private/db.sqlite"));
        case "\"busy\"" -> Flux.error(new RelayException(ErrorCode.OVERLOADED, "busy, try again"));
        default -> Flux.just(req.payload());
    };

    static final List<String> EXPECTED = List.of(
            "{\"id\":1,\"error\":{\"code\":\"worker_failed\",\"message\":\"the worker failed\"}}",
            "{\"id\":2,\"error\":{\"code\":\"worker_failed\",\"message\":\"the worker failed\"}}",
            "{\"id\":3,\"error\":{\"code\":\"overloaded\",\"message\":\"busy, try again\"}}",
            "{\"id\":4,\"body\":\"ok\",\"end\":true}");

    private static List<String> answers(Router router) {
        Relay relay = Relay.builder().router(router).build();
        LocalConnection client = LocalConnection.reading();
        Disposable session = relay.serve(client).subscribe();
        try {
            int id = 0;
            for (String body : List.of("\"throw\"", "\"error\"", "\"busy\"", "\"ok\"")) {
                client.sendText("{\"id\":" + ++id + ",\"key\":\"k\",\"body\":" + body + "}");
                int n = id;
                Await.until(WAIT, () -> client.receivedCount() == n, "answer " + n);
            }
            return client.received().stream().map(Payload::utf8).toList();
        } finally {
            session.dispose();
        }
    }

    @Test
    void anInProcessHandlersExceptionTextStaysAtTheWorker() {
        Router router = Router.builder().worker(LocalWorker.builder(FAILING).build()).build();
        try {
            assertEquals(EXPECTED, answers(router));
        } finally {
            router.dispose();
        }
    }

    @Test
    void aRemoteHandlersExceptionTextStaysAtTheWorkerAsInProcess() {
        Membership membership = Membership.create();
        Router router = Router.builder().membership(membership).build();
        ZmqGateway gateway = ZmqGateway.builder(membership).bindNow();
        ZmqWorker worker = ZmqWorker.builder(FAILING)
                .spec(ZmqWorkerSpec.builder().id("remote").connect(gateway.endpoint()).build())
                .build();
        try {
            Await.until(WAIT, () -> router.loads().stream().anyMatch(l -> l.id().equals("remote")),
                    "the router sees the worker");
            assertEquals(EXPECTED, answers(router));
        } finally {
            worker.dispose();
            gateway.dispose();
            gateway.onDispose().block(WAIT);
            router.dispose();
        }
    }

    /** Thrown by the handler and by the Flux it returns, as BlockHound's error is. */
    static final WorkerHandler THROWS_ERROR = (req, ctx) -> switch (req.payload().utf8()) {
        case "\"fatal\"" -> throw new AssertionError("a handler's Error");
        case "\"fatal later\"" -> Mono.<Payload>fromCallable(() -> {
            throw new AssertionError("an Error in the handler's Flux");
        }).flux();
        default -> Flux.just(req.payload());
    };

    private static void assertTheErrorsFailTheirRequestsOnly(Router router) {
        Relay relay = Relay.builder().router(router).build();
        LocalConnection client = LocalConnection.reading();
        Disposable session = relay.serve(client).subscribe();
        try {
            int id = 0;
            for (String body : List.of("\"fatal\"", "\"fatal later\"", "\"ok\"")) {
                client.sendText("{\"id\":" + ++id + ",\"key\":\"k\",\"body\":" + body + "}");
                int n = id;
                Await.until(WAIT, () -> client.receivedCount() == n, "answer " + n);
            }
            assertEquals(List.of(EXPECTED.get(0), EXPECTED.get(1), "{\"id\":3,\"body\":\"ok\",\"end\":true}"),
                    client.received().stream().map(Payload::utf8).toList());
        } finally {
            session.dispose();
        }
    }

    @Test
    void anInProcessHandlerThrowingAnErrorFailsItsRequestAndTheWorkerGoesOn() {
        Router router = Router.builder().worker(LocalWorker.builder(THROWS_ERROR).build()).build();
        try {
            assertTheErrorsFailTheirRequestsOnly(router);
        } finally {
            router.dispose();
        }
    }

    @Test
    void anInlineRemoteHandlerThrowingAnErrorFailsItsRequestAndTheWorkerGoesOn() {
        Membership membership = Membership.create();
        Router router = Router.builder().membership(membership).build();
        ZmqGateway gateway = ZmqGateway.builder(membership).bindNow();
        ZmqWorker worker = ZmqWorker.builder(THROWS_ERROR)
                .spec(ZmqWorkerSpec.builder().id("inline").connect(gateway.endpoint()).inline().build())
                .build();
        try {
            Await.until(WAIT, () -> router.loads().stream().anyMatch(l -> l.id().equals("inline")),
                    "the router sees the worker");
            assertTheErrorsFailTheirRequestsOnly(router);
        } finally {
            worker.dispose();
            gateway.dispose();
            gateway.onDispose().block(WAIT);
            router.dispose();
        }
    }
}
