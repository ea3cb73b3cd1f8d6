package dev.switchboard.transport.zmq;

import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * A remote worker process for {@link MultiProcessTest}: an echo worker that takes a few
 * milliseconds per request. Arguments: gateway endpoint, worker id, heartbeat interval in ms.
 */
public final class WorkerProcessMain {

    private WorkerProcessMain() {
    }

    public static void main(String[] args) {
        ZmqWorker worker = ZmqWorker.builder((req, ctx) -> Mono.delay(Duration.ofMillis(3)).thenReturn(req.payload()).flux())
                .spec(ZmqWorkerSpec.builder().connect(args[0]).id(args[1]).capacity(4)
                        .heartbeatInterval(Duration.ofMillis(Long.parseLong(args[2]))).build()).build();
        Runtime.getRuntime().addShutdownHook(new Thread(worker::dispose));
        System.out.println("started " + worker.id());
        worker.onDispose().block();
    }
}
