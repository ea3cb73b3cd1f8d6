package dev.switchboard.examples.deploy;

import dev.switchboard.core.test.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The topology of docs/DEPLOY.md on this machine, as separate processes: relays ({@code echo
 * --workers 0}) whose gateways bind 127.0.0.N on one port, workers following the name
 * {@value #NAME} through a hosts file the JDK reads instead of DNS (rewritten to add a relay),
 * and nginx from examples/deploy/nginx.conf. Every process is killed in {@link #close()}, with
 * its descendants.
 */
final class Deployment implements AutoCloseable {

    static final String NAME = "relays.switchboard.test";
    static final int HEARTBEAT_MS = 200;
    static final int FOLLOW_MS = 300;
    private static final Duration START = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile("listening on ws://[0-9.]+:(\\d+)/ws");
    private static final Path NGINX_TEMPLATE = Path.of("deploy", "nginx.conf");

    private final Path dir;
    private final Path hosts;
    private final int gatewayPort;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<Integer, Integer> relayPorts = new LinkedHashMap<>();
    private int nginxPort;

    Deployment(Path dir) {
        this.dir = dir;
        this.hosts = dir.resolve("hosts");
        this.gatewayPort = freePort();
    }

    static String nginx() {
        for (String p : List.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        throw new IllegalStateException("nginx not found in /usr/sbin, /usr/bin or /usr/local/sbin: "
                + "bash .ci/run installs it (apt-get install nginx)");
    }

    /** Starts relays 127.0.0.{first..last} (their gateways) and waits until each listens. */
    void startRelays(int... numbers) {
        for (int n : numbers) {
            start("relay" + n, List.of("echo", "--workers", "0", "--port", "0",
                    "--gateway", "tcp://127.0.0." + n + ":" + gatewayPort,
                    "--heartbeat-ms", String.valueOf(HEARTBEAT_MS), "--liveness", "3",
                    "--shutdown-timeout-ms", "1000"), List.of());
        }
        for (int n : numbers) {
            Path out = dir.resolve("relay" + n + ".out");
            Await.until(START, () -> LISTENING.matcher(read(out)).find(), () -> "relay" + n + " listening: " + read(out)
                    + read(dir.resolve("relay" + n + ".err")));
            Matcher m = LISTENING.matcher(read(out));
            m.find();
            relayPorts.put(n, Integer.parseInt(m.group(1)));
        }
    }

    /** Writes the hosts file: {@value #NAME} resolves to 127.0.0.N for each of {@code numbers}. */
    void resolveTo(int... numbers) {
        StringBuilder b = new StringBuilder();
        for (int n : numbers) {
            b.append("127.0.0.").append(n).append(' ').append(NAME).append('\n');
        }
        try {
            Path tmp = dir.resolve("hosts.tmp");
            Files.writeString(tmp, b);
            Files.move(tmp, hosts, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts workers following {@value #NAME}, with a run log each. */
    void startWorkers(List<String> ids, int capacity, int cache) {
        for (String id : ids) {
            start(id, List.of("worker", "--connect-all", NAME + ":" + gatewayPort,
                    "--follow-ms", String.valueOf(FOLLOW_MS), "--heartbeat-ms", String.valueOf(HEARTBEAT_MS),
                    "--app", "echo", "--capacity", String.valueOf(capacity), "--cache", String.valueOf(cache),
                    "--id", id, "--run-log", runLog(id).toString()),
                    List.of("-Djdk.net.hosts.file=" + hosts, "-Dsun.net.inetaddr.ttl=0",
                            "-Dsun.net.inetaddr.negative.ttl=0"));
        }
    }

    /** Starts nginx over the relays {@code numbers}, from the template the launcher uses too. */
    void startNginx(int... numbers) {
        nginxPort = freePort();
        writeNginxConf(numbers);
        try {
            Files.createDirectories(dir.resolve("logs")); // nginx opens PREFIX/logs/error.log before its conf
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process p = startProcess("nginx", List.of(nginx(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString()));
        processes.put("nginx", p);
        Await.until(START, () -> {
            if (!p.isAlive()) {
                throw new IllegalStateException("nginx exited: " + read(dir.resolve("error.log")) + read(dir.resolve("nginx.err")));
            }
            return Files.exists(dir.resolve("nginx.pid")) && accepts(nginxPort);
        },
                () -> "nginx up: " + read(dir.resolve("error.log")) + read(dir.resolve("nginx.err")));
    }

    /** Rewrites nginx's upstream to {@code numbers} and reloads it. */
    void reloadNginx(int... numbers) throws Exception {
        writeNginxConf(numbers);
        Process reload = new ProcessBuilder(nginx(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                "-s", "reload").redirectErrorStream(true).redirectOutput(dir.resolve("reload.out").toFile()).start();
        if (!reload.waitFor(30, TimeUnit.SECONDS) || reload.exitValue() != 0) {
            reload.destroyForcibly();
            throw new IllegalStateException("nginx -s reload: " + read(dir.resolve("reload.out")));
        }
    }

    private void writeNginxConf(int... numbers) {
        try {
            String upstreams = Arrays.stream(numbers)
                    .mapToObj(n -> "    server 127.0.0.1:" + relayPorts.get(n) + ";")
                    .collect(Collectors.joining("\n"));
            String conf = Files.readString(NGINX_TEMPLATE).replace("@PREFIX@", dir.toString())
                    .replace("@LISTEN@", "127.0.0.1:" + nginxPort).replace("@UPSTREAMS@", upstreams);
            Files.writeString(dir.resolve("nginx.conf"), conf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI nginxUri() {
        return URI.create("ws://127.0.0.1:" + nginxPort + "/ws");
    }

    URI relayUri(int n) {
        return URI.create("ws://127.0.0.1:" + relayPorts.get(n) + "/ws");
    }

    Path runLog(String id) {
        return dir.resolve(id + ".runs");
    }

    /** What a process wrote on stderr (slf4j-simple logs there) and stdout. */
    String log(String name) {
        return read(dir.resolve(name + ".out")) + read(dir.resolve(name + ".err"));
    }

    Process process(String name) {
        return processes.get(name);
    }

    /** kill -9, and waits for the process to be gone. */
    void kill(String name) throws InterruptedException {
        Process p = processes.get(name);
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " survived kill -9");
        }
    }

    /** Sends {@code signal} (STOP, CONT) to a process. */
    void signal(String name, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(processes.get(name).pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + name + " failed");
        }
    }

    private void start(String name, List<String> args, List<String> jvm) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.switchboard.examples.Main"));
        cmd.addAll(args);
        processes.put(name, startProcess(name, cmd));
    }

    private Process startProcess(String name, List<String> cmd) {
        try {
            return new ProcessBuilder(cmd).redirectOutput(dir.resolve(name + ".out").toFile())
                    .redirectError(dir.resolve(name + ".err").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills every process it started, nginx gracefully first, then each and its descendants by force. */
    @Override
    public void close() {
        Process nginx = processes.get("nginx");
        if (nginx != null && nginx.isAlive()) {
            nginx.destroy(); // SIGTERM: nginx's master stops its workers
            try {
                nginx.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Process p : processes.values()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes.values()) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
