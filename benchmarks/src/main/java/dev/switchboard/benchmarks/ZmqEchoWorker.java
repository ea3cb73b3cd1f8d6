package dev.switchboard.benchmarks;

import dev.switchboard.transport.zmq.ZmqWorker;
import dev.switchboard.transport.zmq.ZmqWorkerSpec;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;

/**
 * A remote worker as the benchmarks measure it: a {@link ZmqWorker} whose handler echoes the
 * request body, non-blocking, as {@link RelayEchoServer}'s in-process workers do, so that a run
 * through it measures the ZeroMQ hop and nothing else. (The examples' {@code worker --app echo}
 * hops to a blocking scheduler and touches a resource cache per request.)
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.switchboard.benchmarks.ZmqEchoWorker
 * --connect tcp://127.0.0.1:5555} (prints {@code connecting to …} once started; it registers
 * whenever the gateway is up, and again after the gateway restarts).
 */
@Command(name = "ZmqEchoWorker", mixinStandardHelpOptions = true,
        description = "Remote ZeroMQ worker echoing each request body, non-blocking")
public final class ZmqEchoWorker implements Callable<Integer> {

    @Option(names = "--connect", required = true, description = "the gateway's endpoint")
    String connect;
    @Option(names = "--capacity", defaultValue = "64", description = "requests served at once")
    int capacity;
    @Option(names = "--id", defaultValue = "zmq-echo", description = "worker id")
    String id;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ZmqEchoWorker()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        // the echo never blocks: it runs inline on the I/O thread, as the in-process echo workers run on the event loop
        ZmqWorker worker = ZmqWorker.builder((request, ctx) -> Flux.just(request.payload()))
                .spec(ZmqWorkerSpec.builder().connect(connect).id(id).capacity(capacity).inline().build())
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.dispose();
            stopped.countDown();
        }));
        System.out.println("connecting to " + connect + " as " + id + " with capacity " + capacity);
        System.out.flush();
        stopped.await();
        return 0;
    }
}
