package dev.switchboard.examples.worker;

import dev.switchboard.core.worker.WorkerHandler;
import dev.switchboard.transport.zmq.CurveKeyPair;
import dev.switchboard.transport.zmq.ZmqWorker;
import dev.switchboard.transport.zmq.ZmqWorkerSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;

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

    /** The applications this example can serve. */
    enum App {
        /** Answers each request with its own body. */
        echo
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
        if (serverKey != null) {
            if (publicKey == null || secretKey == null) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--server-key needs --public-key and --secret-key");
            }
            spec.curve(serverKey, new CurveKeyPair(publicKey, secretKey));
        }
        ZmqWorker worker = ZmqWorker.start(spec.build(), handler(app));
        Thread hook = new Thread(() -> {
            worker.dispose();
            worker.onDispose().block(Duration.ofSeconds(5));
        }, "switchboard-worker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("worker " + worker.id() + " serving " + app + " for " + connect);
        worker.onDispose().block();
        return 0;
    }

    private static WorkerHandler handler(App app) {
        return switch (app) {
            case echo -> (request, context) -> Flux.just(request.payload());
        };
    }
}
