package dev.switchboard.examples.worker;

import dev.switchboard.core.worker.WorkerHandler;
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
 * java -Dsun.net.inetaddr.ttl=0 -jar examples/target/switchboard-examples.jar worker --connect-all relays.example:5555 --follow-ms 1000
 * </pre>
 *
 * <p>It logs each new peak of requests in flight ({@code peak in flight N of capacity C}; an
 * ERROR {@code capacity exceeded} should never appear), and with {@code --run-log FILE} writes
 * one line per request its handler starts (worker id, request id, key). docs/DEPLOY.md runs
 * several of them behind several relays.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Runs a remote worker that connects to Switchboard ZeroMQ gateways.")
public final class WorkerExample implements Callable<Integer> {

    @Option(names = "--connect", paramLabel = "ENDPOINT",
            description = "A gateway endpoint, e.g. tcp://127.0.0.1:5555; repeat for several gateways.")
    private List<String> connect = List.of();

    @Option(names = "--connect-all", paramLabel = "NAME:PORT",
            description = "Join every address NAME resolves to (a gateway at tcp://ADDRESS:PORT each) and follow "
                    + "the name; repeat for several names. Run the JVM with -Dsun.net.inetaddr.ttl=0 (or a TTL "
                    + "below --follow-ms) so that a changed answer is seen.")
    private List<String> connectAll = List.of();

    @Option(names = "--follow-ms", defaultValue = "1000",
            description = "Time between lookups of a --connect-all name, in ms (default ${DEFAULT-VALUE}).")
    private long followMs;

    @Option(names = "--run-log", paramLabel = "FILE",
            description = "Append a line per request the handler starts: worker id, request id, key (tab-separated).")
    private @Nullable Path runLog;

    @Option(names = "--app", defaultValue = "echo", description = "The application to serve: ${COMPLETION-CANDIDATES}.")
    private App app = App.echo;

    @Option(names = "--capacity", defaultValue = "8", description = "Requests served at once, over all its gateways together.")
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

    private static int parsePort(String s) {
        try {
            int port = Integer.parseInt(s);
            return port <= 65_535 ? port : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public Integer call() {
        if (capacity < 1 || cache < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--capacity and --cache must be at least 1");
        }
        if (connect.isEmpty() && connectAll.isEmpty()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "give --connect or --connect-all");
        }
        ZmqWorkerSpec.Builder spec = ZmqWorkerSpec.builder().capacity(capacity)
                .heartbeatInterval(Duration.ofMillis(heartbeatMs));
        connect.forEach(spec::connect);
        for (String name : connectAll) {
            int colon = name.lastIndexOf(':');
            int port = colon > 0 ? parsePort(name.substring(colon + 1)) : -1;
            if (port < 1) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--connect-all takes NAME:PORT with a port from 1 to 65535, was " + name);
            }
            spec.connectAll(name.substring(0, colon), port, Duration.ofMillis(followMs));
        }
        if (id != null) {
            spec.id(id);
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
        // one capacity for the whole worker, whatever the number of gateways: as many threads
        Scheduler blocking = Schedulers.newBoundedElastic(capacity, 1024, "worker-app");
        if (served.blocking()) {
            spec.blocking(blocking);
        }
        WorkerHandler handler = new InFlightGauge(served.handler(), capacity);
        RunLog runs = runLog == null ? null : new RunLog(handler, runLog);
        ZmqWorker worker = ZmqWorker.builder(runs == null ? handler : runs).spec(spec.build()).build();
        Thread hook = new Thread(() -> {
            worker.dispose();
            worker.onDispose().block(Duration.ofSeconds(5));
            served.close();
            blocking.dispose();
            if (runs != null) {
                runs.close();
            }
        }, "switchboard-worker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("worker " + worker.id() + " serving " + app + " for " + connect
                + (connectAll.isEmpty() ? "" : " and the addresses of " + connectAll));
        worker.onDispose().block();
        return 0;
    }
}
