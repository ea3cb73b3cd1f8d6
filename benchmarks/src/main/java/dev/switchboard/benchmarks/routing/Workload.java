package dev.switchboard.benchmarks.routing;

import dev.switchboard.benchmarks.Zipf;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A request sequence: for each request its session and key, as indexes into name tables so that
 * a run allocates no strings per request.
 */
final class Workload {

    final String[] keyNames;
    final String[] sessionNames;
    final int[] keys;
    final int[] sessions;

    private Workload(String[] keyNames, String[] sessionNames, int[] keys, int[] sessions) {
        this.keyNames = keyNames;
        this.sessionNames = sessionNames;
        this.keys = keys;
        this.sessions = sessions;
    }

    int size() {
        return keys.length;
    }

    /** {@code requests} keys drawn from a Zipf(alpha) law over {@code keyCount} keys, sessions uniform. */
    static Workload zipf(double alpha, int keyCount, int requests, int sessionCount, long seed) {
        Zipf law = new Zipf(keyCount, alpha);
        SplittableRandom random = new SplittableRandom(seed);
        int[] keys = new int[requests];
        int[] sessions = new int[requests];
        for (int r = 0; r < requests; r++) {
            // the key's draw, then the session's: the order a seed's sequence depends on
            keys[r] = law.sample(random);
            sessions[r] = random.nextInt(sessionCount);
        }
        return new Workload(names("key-", keyCount), names("session-", sessionCount), keys, sessions);
    }

    /** One request a line, {@code <session> <key>}; blank lines and lines starting with # are skipped. */
    static Workload trace(Path file) throws IOException {
        Map<String, Integer> keyIds = new HashMap<>();
        Map<String, Integer> sessionIds = new HashMap<>();
        List<String> keyNames = new ArrayList<>();
        List<String> sessionNames = new ArrayList<>();
        int[] keys = new int[1024];
        int[] sessions = new int[1024];
        int n = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\\s+");
                if (parts.length != 2) {
                    throw new IllegalArgumentException(file + ":" + lineNo + ": expected '<session> <key>', got '" + line + "'");
                }
                if (n == keys.length) {
                    keys = java.util.Arrays.copyOf(keys, n * 2);
                    sessions = java.util.Arrays.copyOf(sessions, n * 2);
                }
                sessions[n] = sessionIds.computeIfAbsent(parts[0], s -> {
                    sessionNames.add(s);
                    return sessionNames.size() - 1;
                });
                keys[n] = keyIds.computeIfAbsent(parts[1], k -> {
                    keyNames.add(k);
                    return keyNames.size() - 1;
                });
                n++;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException(file + " holds no request");
        }
        return new Workload(keyNames.toArray(String[]::new), sessionNames.toArray(String[]::new),
                java.util.Arrays.copyOf(keys, n), java.util.Arrays.copyOf(sessions, n));
    }

    private static String[] names(String prefix, int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = prefix + i;
        }
        return out;
    }
}
