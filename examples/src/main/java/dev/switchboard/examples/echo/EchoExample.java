package dev.switchboard.examples.echo;

import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RoutingStrategies;
import dev.switchboard.core.routing.RoutingStrategy;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.core.worker.ResourceCache;
import dev.switchboard.examples.WorkerApp;
import dev.switchboard.transport.netty.WebSocketRelayServer;
import dev.switchboard.transport.netty.WebSocketRelaySpec;
import dev.switchboard.transport.zmq.ZmqGateway;
import dev.switchboard.transport.zmq.ZmqGatewaySpec;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code echo}: a standalone relay on {@code ws://HOST:PORT/ws} with the default JSON codec and
 * {@code --workers} in-process workers, each with a resource cache of {@code --cache} entries.
 * Every request is answered by one item {@code {"worker": id, "cached": hit, "echo": body}}.
 * It prints {@code listening on ws://HOST:PORT/ws} once it accepts connections and shuts down
 * gracefully on SIGTERM.
 *
 * <pre>
 * java -jar examples/target/switchboard-examples.jar echo --port 0 --workers 4 --cache 16
 * </pre>
 */
@Command(name = "echo", mixinStandardHelpOptions = true,
        description = "A WebSocket relay whose workers echo each request with their id and cache state.")
public final class EchoExample implements Callable<Integer> {

    @Option(names = "--port", description = "port to listen on, 0 for any free port (default ${DEFAULT-VALUE})")
    int port = 8080;

    @Option(names = "--host", description = "address to bind (default ${DEFAULT-VALUE})")
    String host = WebSocketRelayServer.DEFAULT_HOST;

    @Option(names = "--workers", description = "number of in-process workers (default ${DEFAULT-VALUE})")
    int workers = 4;

    @Option(names = "--capacity", description = "requests each worker serves at once: its handler's threads (default ${DEFAULT-VALUE})")
    int capacity = LocalWorker.DEFAULT_CAPACITY;

    @Option(names = "--cache", description = "resources each worker's cache holds (default ${DEFAULT-VALUE})")
    int cache = 16;

    @Option(names = "--routing", description = "routing strategy: cache-affinity, rendezvous, bounded-load, round-robin or least-loaded (default ${DEFAULT-VALUE})")
    String routing = "cache-affinity";

    @Option(names = "--gateway", description = "also bind a ZeroMQ gateway here for remote workers, e.g. tcp://127.0.0.1:5555")
    @Nullable String gateway;

    @Option(names = "--heartbeat-ms", description = "the gateway's heartbeat interval in ms (default ${DEFAULT-VALUE})")
    long heartbeatMs = ZmqGatewaySpec.DEFAULT_HEARTBEAT_INTERVAL_MS;

    @Option(names = "--liveness", description = "heartbeat intervals without a message before the gateway declares a "
            + "remote worker dead (default ${DEFAULT-VALUE})")
    int liveness = ZmqGatewaySpec.DEFAULT_LIVENESS;

    @Option(names = "--shutdown-timeout-ms", description = "graceful shutdown deadline (default ${DEFAULT-VALUE})")
    long shutdownTimeoutMs = WebSocketRelaySpec.DEFAULT_SHUTDOWN_TIMEOUT_MS;

    /** Runs the example with {@code args}; returns the exit code (2 for bad options). */
    public static int run(String[] args) {
        return new CommandLine(new EchoExample()).execute(args);
    }

    @Override
    public Integer call() {
        if (workers < 0 || cache < 1 || capacity < 1 || (workers == 0 && gateway == null)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--cache and --capacity must be at least 1, and --workers at least 1 unless --gateway brings remote workers");
        }
        Running running = start(System.out);
        Thread hook = new Thread(running::stop, "echo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        running.server.onDispose().block();
        return 0;
    }

    /** Starts the relay and prints the listening line on {@code out}. */
    Running start(PrintStream out) {
        List<LocalWorker> pool = new ArrayList<>();
        List<WorkerApp> apps = new ArrayList<>();
        Router.Builder builder = Router.builder().strategy(strategy(routing));
        for (int i = 1; i <= workers; i++) {
            WorkerApp app = app(cache);
            LocalWorker w = LocalWorker.builder(app.handler()).id("worker-" + i).capacity(capacity)
                    .cache(app.cache()).blocking().build();
            apps.add(app);
            pool.add(w);
            builder.worker(w);
        }
        Router router = builder.build();
        ZmqGateway zmq = gateway == null ? null
                : ZmqGateway.builder(router.membership())
                        .spec(ZmqGatewaySpec.builder().endpoint(gateway)
                                .heartbeatInterval(Duration.ofMillis(heartbeatMs)).liveness(liveness).build())
                        .bindNow();
        Relay relay = Relay.builder().router(router).build();
        WebSocketRelaySpec spec = WebSocketRelaySpec.builder()
                .shutdownTimeout(Duration.ofMillis(shutdownTimeoutMs)).build();
        WebSocketRelayServer server = WebSocketRelayServer.builder(relay).host(host).port(port)
                .spec(spec)
                .bindNow();
        if (zmq != null) {
            out.println("gateway on " + zmq.endpoint());
        }
        out.println("listening on " + server.uri());
        out.flush();
        return new Running(server, relay, pool, apps, zmq);
    }

    /**
     * The echo application: a handler answering {@code {"worker", "cached", "echo"}} with its own
     * resource cache of {@code cacheSize} keys, as an in-process or a remote worker runs it.
     */
    public static WorkerApp app(int cacheSize) {
        ResourceCache<String, EchoWorker.Resource> c = ResourceCache.builder(EchoWorker.Resource::new)
                .maximumSize(cacheSize).build();
        return new WorkerApp(new EchoWorker(c), c, true);
    }

    private static RoutingStrategy strategy(String name) {
        return RoutingStrategies.byName(name);
    }

    /** A started echo relay and what it owns. */
    static final class Running {
        final WebSocketRelayServer server;
        final Relay relay;
        private final List<LocalWorker> workers;
        private final List<WorkerApp> apps;
        private final @Nullable ZmqGateway gateway;

        Running(WebSocketRelayServer server, Relay relay, List<LocalWorker> workers, List<WorkerApp> apps,
                @Nullable ZmqGateway gateway) {
            this.server = server;
            this.relay = relay;
            this.workers = workers;
            this.apps = apps;
            this.gateway = gateway;
        }

        /** Graceful shutdown, then closes the workers, the router and every cached resource. */
        void stop() {
            server.shutdown().block(server.handler().spec().shutdownTimeout()
                    .plus(server.handler().spec().closeTimeout().multipliedBy(3)));
            if (gateway != null) {
                gateway.dispose();
            }
            workers.forEach(LocalWorker::close);
            relay.router().dispose();
            apps.forEach(WorkerApp::close);
        }
    }
}
