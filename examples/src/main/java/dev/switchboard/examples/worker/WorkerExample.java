package dev.switchboard.examples.worker;

import dev.switchboard.examples.WorkerApp;
import dev.switchboard.examples.echo.EchoExample;
import dev.switchboard.examples.tiles.TilesCommand;
import dev.switchboard.transport.zmq.CurveKeyPair;
import dev.switchboard.transport.zmq.ZmqWorker;
import dev.switchboard.transport.zmq.ZmqWorkerSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A remote worker process: connects to one or more ZeroMQ gateways and serves an application
 * until it is stopped (SIGTERM or Ctrl-C make it tell its gateways and leave).
 *
 * <pre>
 * java -jar examples/target/switchboard-examples.jar worker --connect tcp://127.0.0.1:5555 --app echo --capacity 8 [--id NAME]
 * </pre>
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Runs a remote worker that connects to Switchboard ZeroMQ gateways.")
public final class WorkerExample implements Callable<Integer> {

    @Option(names = "--connect", required = true, paramLabel = "ENDPOINT",
            description = "A gateway endpoint, e.g. tcp://127.0.0.1:5555; repeat for several gateways.")
    private List<String> connect = List.of();

    @Option(names = "--app", defaultValue = "echo", description = "The application to serve: ${COMPLETION-CANDIDATES}.")
    private App app = App.echo;

    @Option(names = "--capacity", defaultValue = "8", description = "Requests served at once per gateway.")
    private int capacity;

    @Option(names = "--id", description = "The worker id (default: host-pid-N).")
    private @Nullable String id;

    @Option(names = "--heartbeat-ms", defaultValue = "1000", description = "Heartbeat interval in milliseconds.")
    private long heartbeatMs;

    @Option(names = "--server-key", description = "The gateway's CURVE public key (Z85): turns CURVE on.")
    private @Nullable String serverKey;

    @Option(names = "--public-key", description = "This worker's CURVE public key (Z85).")
    private @Nullable String publicKey;

    @Option(names = "--secret-key", description = "This worker's CURVE secret key (Z85).")
    private @Nullable String secretKey;

    @Option(names = "--cache", defaultValue = "16", description = "Resources the application's cache holds.")
    private int cache;

    @Option(names = "--data", description = "tiles: the folder of pyramidal TIFF files, as the tile server's "
            + "--data (default: the demo images in <tmp>/switchboard-tiles).")
    private @Nullable Path data;

    /** The applications this example can serve. */
    enum App {
        /** The echo example's worker: {@code {"worker", "cached", "echo"}}. */
        echo,
        /** The tile server's worker: PNG tiles read from pyramid files it keeps open. */
        tiles
    }

    /** Runs the worker with command-line arguments; returns the exit code once it stopped. */
    public static int run(String[] args) {
        return new CommandLine(new WorkerExample()).execute(args);
    }

    /** Entry point for running this example alone. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    @Override
    public Integer call() {
        ZmqWorkerSpec.Builder spec = ZmqWorkerSpec.builder().capacity(capacity)
                .heartbeatInterval(Duration.ofMillis(heartbeatMs));
        connect.forEach(spec::connect);
        if (id != null) {
            spec.id(id);
        }
        if (capacity < 1 || cache < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--capacity and --cache must be at least 1");
        }
        if (serverKey != null) {
            if (publicKey == null || secretKey == null) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--server-key needs --public-key and --secret-key");
            }
            spec.curve(serverKey, new CurveKeyPair(publicKey, secretKey));
        }
        WorkerApp served = app == App.tiles ? TilesCommand.app(data, cache) : EchoExample.app(cache);
        spec.cache(served.cache());
        Scheduler blocking = Schedulers.newBoundedElastic(capacity * Math.max(1, connect.size()), 1024, "worker-app");
        if (served.blocking()) {
            spec.blocking(blocking);
        }
        ZmqWorker worker = ZmqWorker.builder(served.handler()).spec(spec.build()).build();
        Thread hook = new Thread(() -> {
            worker.dispose();
            worker.onDispose().block(Duration.ofSeconds(5));
            served.close();
            blocking.dispose();
        }, "switchboard-worker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("worker " + worker.id() + " serving " + app + " for " + connect);
        worker.onDispose().block();
        return 0;
    }
}
