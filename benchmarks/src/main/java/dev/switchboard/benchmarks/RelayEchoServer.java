package dev.switchboard.benchmarks;

import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Membership;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RoutingStrategies;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.transport.netty.WebSocketRelayServer;
import dev.switchboard.transport.zmq.ZmqGateway;
import dev.switchboard.transport.zmq.ZmqGatewaySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;

/**
 * Switchboard's relay as the benchmarks measure it: {@link WebSocketRelayServer} with the default
 * spec and JSON codec, routing each message with {@code --routing} (cache affinity by default) to
 * {@code --workers} in-process workers that echo the request body, non-blocking, as the direct
 * echo does. The echo example ({@code examples … echo}) differs in its workers, which hop to a
 * blocking scheduler and touch a resource cache per request.
 *
 * <p>With {@code --zmq-bind ENDPOINT} it also binds a {@link ZmqGateway} there, whose remote
 * workers join the same router, and binds the WebSocket only once {@code --await-zmq-workers}
 * have registered ({@code --workers 0} routes to remote workers only).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.switchboard.benchmarks.RelayEchoServer --port 0}
 * (prints {@code listening on ws://127.0.0.1:PORT/ws}).
 */
@Command(name = "RelayEchoServer", mixinStandardHelpOptions = true,
        description = "Switchboard relay with in-process non-blocking echo workers")
public final class RelayEchoServer implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "0")
    int port;
    @Option(names = "--workers", defaultValue = "4", description = "in-process workers")
    int workers;
    @Option(names = "--capacity", defaultValue = "64", description = "requests each worker serves at once")
    int capacity;
    @Option(names = "--routing", defaultValue = "cache-affinity", description = "routing strategy")
    String routing;
    @Option(names = "--zmq-bind", description = "ZeroMQ gateway endpoint for remote workers, e.g. tcp://127.0.0.1:5555")
    @Nullable String zmqBind;
    @Option(names = "--await-zmq-workers", defaultValue = "1", description = "remote workers to wait for (60 s at most)")
    int awaitZmqWorkers;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RelayEchoServer()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        List<LocalWorker> pool = new ArrayList<>();
        Router.Builder rb = Router.builder().strategy(RoutingStrategies.byName(routing));
        for (int i = 1; i <= workers; i++) {
            LocalWorker w = LocalWorker.builder((request, ctx) -> Flux.just(request.payload()))
                    .id("worker-" + i).capacity(capacity).build();
            pool.add(w);
            rb.worker(w);
        }
        Membership membership = Membership.create();
        Router router = rb.membership(membership).build();
        @Nullable ZmqGateway gateway = null;
        if (zmqBind != null) {
            gateway = ZmqGateway.builder(membership)
                    .spec(ZmqGatewaySpec.builder().endpoint(zmqBind).build())
                    .bindNow();
            System.out.println("gateway on " + gateway.endpoint());
            System.out.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (gateway.workerIds().size() < awaitZmqWorkers) {
                if (System.nanoTime() > deadline) {
                    System.err.println("fewer than " + awaitZmqWorkers + " remote workers registered within 60 s");
                    gateway.dispose();
                    router.dispose();
                    return 1;
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
        ZmqGateway zmq = gateway;
        WebSocketRelayServer server = WebSocketRelayServer.builder(Relay.builder().router(router).build())
                .port(port).bindNow();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown(Duration.ofSeconds(1)).block(Duration.ofSeconds(10));
            pool.forEach(LocalWorker::close);
            if (zmq != null) {
                zmq.dispose();
            }
            router.dispose();
            stopped.countDown();
        }));
        System.out.println("listening on " + server.uri());
        System.out.flush();
        stopped.await();
        return 0;
    }
}
