package dev.switchboard.examples;

import dev.switchboard.examples.echo.EchoExample;
import dev.switchboard.examples.tiles.TilesCommand;
import dev.switchboard.examples.worker.WorkerExample;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Runs the example its first argument names, with the remaining arguments:
 * {@code java -jar switchboard-examples.jar echo --port 0 --workers 4 --cache 16}. With no
 * arguments, or options only, it runs the default example, {@value #DEFAULT_EXAMPLE}. An unknown
 * name prints the usage on stderr and exits with 2.
 */
public final class Main {

    /** Exit code for a command line that names no known example. */
    public static final int EXIT_USAGE = 2;

    /** The example that runs when no name is given: the tile server. */
    public static final String DEFAULT_EXAMPLE = "tiles";

    /** Example name → entry point taking the remaining arguments and returning the exit code. */
    private static final Map<String, ToIntFunction<String[]>> EXAMPLES = new LinkedHashMap<>();

    static {
        EXAMPLES.put("tiles", TilesCommand::run);
        EXAMPLES.put("echo", EchoExample::run);
        EXAMPLES.put("worker", WorkerExample::run);
    }

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Dispatches {@code args}; returns the example's exit code, or {@link #EXIT_USAGE}. */
    static int run(String[] args, PrintStream err) {
        if (args.length == 0 || args[0].startsWith("-")) {
            String[] withDefault = new String[args.length + 1];
            withDefault[0] = DEFAULT_EXAMPLE;
            System.arraycopy(args, 0, withDefault, 1, args.length);
            args = withDefault;
        }
        ToIntFunction<String[]> example = EXAMPLES.get(args[0]);
        if (example == null) {
            if (args.length > 0) {
                err.println("unknown example '" + args[0] + "'");
            }
            err.println("usage: java -jar switchboard-examples.jar <example> [options]");
            err.println("examples: " + String.join(", ", EXAMPLES.keySet()));
            err.println("options of an example: java -jar switchboard-examples.jar <example> --help");
            return EXIT_USAGE;
        }
        return example.applyAsInt(Arrays.copyOfRange(args, 1, args.length));
    }
}
