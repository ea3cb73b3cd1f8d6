package dev.switchboard.benchmarks;

import dev.switchboard.core.Relay;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RoutingStrategies;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.transport.netty.WebSocketRelayServer;
import dev.switchboard.transport.netty.WebSocketRelaySpec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * The server side of the per-connection memory measurement: a relay ({@code --target relay}, the
 * default {@link WebSocketRelaySpec} with pings every 30 s, four in-process echo workers) or the
 * bare Reactor Netty echo ({@code --target direct}), whose idle WebSockets are held open by a
 * client in another process ({@code benchmarks/peers/idle_clients.py}). Each line {@code gc} on
 * stdin runs a full GC and prints {@code heap_used_bytes=… connections=…}; end of input stops it.
 * Driven by {@code benchmarks/peers/memory.sh}, which divides the heap growth by the connections.
 */
@Command(name = "IdleConnectionServer", mixinStandardHelpOptions = true,
        description = "holds idle WebSockets and reports the heap after GC")
public final class IdleConnectionServer implements Callable<Integer> {

    @Option(names = "--target", defaultValue = "relay", description = "relay or direct")
    String target;
    @Option(names = "--port", defaultValue = "0")
    int port;
    @Option(names = "--max-connections", defaultValue = "200000")
    int maxConnections;

    public static void main(String[] args) {
        System.exit(new CommandLine(new IdleConnectionServer()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        AtomicInteger open = new AtomicInteger();
        @Nullable WebSocketRelayServer relay = null;
        Runnable stop;
        String uri;
        if (target.equals("direct")) {
            DisposableServer server = HttpServer.create().host("127.0.0.1").port(port)
                    .route(r -> r.ws("/ws", (in, out) -> {
                        open.incrementAndGet();
                        return out.sendString(in.receive().asString()).then()
                                .doFinally(s -> open.decrementAndGet());
                    }, WebsocketServerSpec.builder().maxFramePayloadLength(1 << 20).build()))
                    .bindNow(Duration.ofSeconds(10));
            uri = "ws://127.0.0.1:" + server.port() + "/ws";
            stop = () -> server.disposeNow(Duration.ofSeconds(5));
        } else if (target.equals("relay")) {
            List<LocalWorker> workers = new ArrayList<>();
            Router.Builder rb = Router.builder().strategy(RoutingStrategies.cacheAffinity());
            for (int i = 0; i < 4; i++) {
                LocalWorker w = LocalWorker.builder((request, ctx) -> Flux.just(request.payload())).id("w" + i).build();
                workers.add(w);
                rb.worker(w);
            }
            Router router = rb.build();
            WebSocketRelayServer server = WebSocketRelayServer.builder(Relay.builder().router(router).build())
                    .port(port).spec(WebSocketRelaySpec.builder().maxConnections(maxConnections).build()).bindNow();
            uri = server.uri().toString();
            stop = () -> {
                server.shutdown(Duration.ofSeconds(1)).block(Duration.ofSeconds(30));
                workers.forEach(LocalWorker::close);
                router.dispose();
            };
            relay = server;
        } else {
            throw new CommandLine.ParameterException(new CommandLine(this), "--target must be relay or direct");
        }
        System.out.println("listening on " + uri);
        System.out.flush();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.trim().equals("gc")) {
                long used = Long.MAX_VALUE;
                for (int i = 0; i < 3; i++) {
                    System.gc();
                    used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
                }
                int connections = relay != null ? relay.handler().connections() : open.get();
                System.out.println("heap_used_bytes=" + used + " connections=" + connections);
                System.out.flush();
            }
        }
        stop.run();
        return 0;
    }
}
