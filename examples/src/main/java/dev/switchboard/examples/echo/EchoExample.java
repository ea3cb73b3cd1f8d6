package dev.switchboard.examples.echo;

import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RoutingStrategies;
import dev.switchboard.core.routing.RoutingStrategy;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.core.worker.ResourceCache;
import dev.switchboard.transport.netty.WebSocketRelayServer;
import dev.switchboard.transport.netty.WebSocketRelaySpec;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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

    @Option(names = "--cache", description = "resources each worker's cache holds (default ${DEFAULT-VALUE})")
    int cache = 16;

    @Option(names = "--routing", description = "routing strategy: cache-affinity, rendezvous, bounded-load, round-robin or least-loaded (default ${DEFAULT-VALUE})")
    String routing = "cache-affinity";

    @Option(names = "--shutdown-timeout-ms", description = "graceful shutdown deadline (default ${DEFAULT-VALUE})")
    long shutdownTimeoutMs = WebSocketRelaySpec.DEFAULT_SHUTDOWN_TIMEOUT_MS;

    /** Runs the example with {@code args}; returns the exit code (2 for bad options). */
    public static int run(String[] args) {
        return new CommandLine(new EchoExample()).execute(args);
    }

    @Override
    public Integer call() {
        if (workers < 1 || cache < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--workers and --cache must be at least 1");
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
        List<ResourceCache<String, EchoWorker.Resource>> caches = new ArrayList<>();
        Router.Builder router = Router.builder().strategy(strategy(routing));
        for (int i = 1; i <= workers; i++) {
            ResourceCache<String, EchoWorker.Resource> c = ResourceCache.builder(EchoWorker.Resource::new)
                    .maximumSize(cache).build();
            LocalWorker w = LocalWorker.builder(new EchoWorker(c)).id("worker-" + i).cache(c).blocking().build();
            caches.add(c);
            pool.add(w);
            router.worker(w);
        }
        Relay relay = Relay.builder().router(router.build()).build();
        WebSocketRelaySpec spec = WebSocketRelaySpec.builder()
                .shutdownTimeout(Duration.ofMillis(shutdownTimeoutMs)).build();
        WebSocketRelayServer server = WebSocketRelayServer.builder(relay).host(host).port(port).spec(spec).bindNow();
        out.println("listening on " + server.uri());
        out.flush();
        return new Running(server, relay, pool, caches);
    }

    private static RoutingStrategy strategy(String name) {
        return RoutingStrategies.byName(name);
    }

    /** A started echo relay and what it owns. */
    static final class Running {
        final WebSocketRelayServer server;
        final Relay relay;
        private final List<LocalWorker> workers;
        private final List<ResourceCache<String, EchoWorker.Resource>> caches;

        Running(WebSocketRelayServer server, Relay relay, List<LocalWorker> workers,
                List<ResourceCache<String, EchoWorker.Resource>> caches) {
            this.server = server;
            this.relay = relay;
            this.workers = workers;
            this.caches = caches;
        }

        /** Graceful shutdown, then closes the workers, the router and every cached resource. */
        void stop() {
            server.shutdown().block(server.handler().spec().shutdownTimeout()
                    .plus(server.handler().spec().closeTimeout().multipliedBy(3)));
            workers.forEach(LocalWorker::close);
            relay.router().dispose();
            caches.forEach(ResourceCache::close);
        }
    }
}
