package dev.switchboard.examples.tiles;

import dev.switchboard.core.routing.Router;
import dev.switchboard.core.worker.ResourceCache;
import dev.switchboard.examples.WorkerApp;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

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
    @Option(names = "--data", description = "folder of pyramidal TIFF files (.tif, .tiff, .ptif, .svs; subfolders too) "
            + "(default: <tmp>/switchboard-tiles, demo images generated on first start)")
    @Nullable Path data;
    @Option(names = "--gateway", description = "also bind a ZeroMQ gateway for remote tile workers, e.g. tcp://127.0.0.1:5555")
    @Nullable String gateway;

    /**
     * The data folder: {@code dir} as given, or {@code <tmp>/switchboard-tiles} with the demo
     * images drawn there first when missing.
     */
    static Path dataDir(@Nullable Path dir) {
        if (dir != null) {
            return dir;
        }
        Path demo = Path.of(System.getProperty("java.io.tmpdir"), "switchboard-tiles");
        DemoImages.ensure(demo);
        return demo;
    }

    /**
     * The tile application as a worker runs it, in-process or remote: a tile handler over the
     * images of {@code data} (the demo images when null) with a cache of {@code cacheSize} open
     * files.
     */
    public static WorkerApp app(@Nullable Path data, int cacheSize) {
        TileCatalog catalog = TileCatalog.scan(dataDir(data));
        ResourceCache<String, Pyramid> cache = TileHandler.readerCache(catalog, cacheSize);
        return new WorkerApp(new TileHandler(catalog, cache), cache, true);
    }

    /** Runs the command line {@code args}; returns the exit code. */
    public static int run(String[] args) {
        return new CommandLine(new TilesCommand()).execute(args);
    }

    @Override
    public Integer call() throws InterruptedException {
        TileServer server = TileServer.start(new TileServer.Options(host, port, workers, cache, capacity,
                dataDir(data), gateway), Router.builder());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "tiles-shutdown"));
        server.gatewayEndpoint().ifPresent(g -> System.out.println("gateway on " + g));
        System.out.println("listening on http://" + host + ":" + server.address().getPort() + "/");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
