package dev.switchboard.benchmarks;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * The physical baseline: a bare Reactor Netty WebSocket server that echoes every text frame, with
 * no relay. The benchmarks measure Switchboard as a ratio of it, in the same run.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.switchboard.benchmarks.DirectEchoServer --port 9000}
 * (prints {@code listening on ws://127.0.0.1:PORT/ws}).
 */
@Command(name = "DirectEchoServer", mixinStandardHelpOptions = true, description = "bare Reactor Netty WebSocket echo")
public final class DirectEchoServer implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "127.0.0.1")
    String host;
    @Option(names = "--port", defaultValue = "0")
    int port;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DirectEchoServer()).execute(args));
    }

    /** Starts the echo server on {@code host}:{@code port} (0 for any). */
    public static DisposableServer start(String host, int port) {
        return HttpServer.create().host(host).port(port)
                .route(r -> r.ws("/ws", (in, out) -> out.sendString(in.receive().asString()),
                        WebsocketServerSpec.builder().maxFramePayloadLength(1 << 20).build()))
                .bindNow(Duration.ofSeconds(10));
    }

    @Override
    public Integer call() throws InterruptedException {
        DisposableServer server = start(host, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.disposeNow(Duration.ofSeconds(5));
            stopped.countDown();
        }));
        System.out.println("listening on ws://" + host + ":" + server.port() + "/ws");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
