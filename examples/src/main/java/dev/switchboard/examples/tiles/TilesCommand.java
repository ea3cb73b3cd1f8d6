package dev.switchboard.examples.tiles;

import dev.switchboard.core.routing.Router;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tiles}: the tile server on embedded defaults. Prints {@code listening on
 * http://HOST:PORT/} once it accepts connections; stops cleanly on SIGTERM or Ctrl-C.
 */
@Command(name = "tiles", mixinStandardHelpOptions = true,
        description = "Deep-zoom tile server: a viewer whose tiles come over the relay from cache-affine workers.")
public final class TilesCommand implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default ${DEFAULT-VALUE})")
    String host;
    @Option(names = "--port", defaultValue = "8080", description = "port, 0 for any free one (default ${DEFAULT-VALUE})")
    int port;
    @Option(names = "--workers", defaultValue = "4", description = "in-process tile workers (default ${DEFAULT-VALUE})")
    int workers;
    @Option(names = "--cache", defaultValue = "4", description = "open pyramid files per worker (default ${DEFAULT-VALUE})")
    int cache;
    @Option(names = "--capacity", defaultValue = "4", description = "requests a worker serves at once (default ${DEFAULT-VALUE})")
    int capacity;
    @Option(names = "--data", description = "folder of pyramid files (default: <tmp>/switchboard-tiles, generated on first start)")
    Path data;

    /** Runs the command line {@code args}; returns the exit code. */
    public static int run(String[] args) {
        return new CommandLine(new TilesCommand()).execute(args);
    }

    @Override
    public Integer call() throws InterruptedException {
        Path dir = data != null ? data : Path.of(System.getProperty("java.io.tmpdir"), "switchboard-tiles");
        TileServer server = TileServer.start(new TileServer.Options(host, port, workers, cache, capacity, dir),
                Router.builder());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "tiles-shutdown"));
        System.out.println("listening on http://" + host + ":" + server.address().getPort() + "/");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
