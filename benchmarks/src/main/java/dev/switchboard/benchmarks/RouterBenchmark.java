package dev.switchboard.benchmarks;

import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.routing.RoutingStrategies;
import dev.switchboard.core.routing.RoutingStrategy;
import dev.switchboard.core.routing.RoutingView;
import dev.switchboard.core.routing.WorkerState;
import dev.switchboard.core.routing.Rendezvous;
import dev.switchboard.core.transport.ServiceTimes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one routing decision ({@link RoutingStrategy#select}) over a pool of workers that
 * hold keys and carry load, as the router presents them: an index of which workers hold a key,
 * service times, outstanding requests that move with every decision. Keys follow a Zipf(0.9) law
 * over 100,000 keys; each worker holds 1,000 of them. Round robin is the baseline in the same run.
 *
 * <pre>
 * mvn -B -o -q package -pl benchmarks -am -DskipTests
 * java -jar benchmarks/target/benchmarks.jar RouterBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RouterBenchmark {

    private static final int REQUESTS = 1 << 14;
    private static final int KEYS = 100_000;
    private static final int CACHED_PER_WORKER = 1000;

    @Param({"cache-affinity", "bounded-load", "rendezvous", "least-loaded", "round-robin"})
    public String strategy;

    @Param({"8", "64"})
    public int workers;

    private RoutingStrategy routing;
    private View view;
    private Request[] requests;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        routing = RoutingStrategies.byName(strategy);
        SplittableRandom random = new SplittableRandom(42);
        double[] cdf = new double[KEYS];
        double sum = 0;
        for (int i = 0; i < KEYS; i++) {
            sum += 1 / Math.pow(i + 1, 0.9);
            cdf[i] = sum;
        }
        requests = new Request[REQUESTS];
        for (int r = 0; r < REQUESTS; r++) {
            double u = random.nextDouble() * sum;
            int lo = 0;
            int hi = KEYS - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cdf[mid] < u) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            requests[r] = Request.builder().id(RequestId.of(r)).key("key-" + lo).build();
        }
        view = new View(workers, random);
        // each worker holds its rendezvous share of the hottest keys, up to its cache size
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (Worker w : view.workers) {
            ids.add(w.id);
        }
        for (int k = 0; k < KEYS; k++) {
            String key = "key-" + k;
            Worker owner = view.workers[Rendezvous.owner(key, ids)];
            if (owner.cached.size() < CACHED_PER_WORKER) {
                view.cache(owner, key);
            }
        }
    }

    /** One decision; the chosen worker takes the request and a random worker ends one. */
    @Benchmark
    public int select() {
        Request request = requests[next++ & (REQUESTS - 1)];
        int chosen = routing.select(request, view);
        view.workers[chosen].outstanding++;
        Worker done = view.workers[view.nextRandom() % workers];
        if (done.outstanding > 0) {
            done.outstanding--;
        }
        return chosen;
    }

    /** Workers as the router shows them, with an index of holders as the router keeps one. */
    static final class View implements RoutingView {
        final Worker[] workers;
        final Map<String, int[]> holders = new HashMap<>();
        private int seed;

        View(int n, SplittableRandom random) {
            workers = new Worker[n];
            for (int i = 0; i < n; i++) {
                workers[i] = new Worker("worker-" + i, i, 3 + random.nextInt(4));
            }
            seed = random.nextInt();
        }

        void cache(Worker w, String key) {
            w.cached.add(key);
            w.cachedCount = w.cached.size();
            int[] old = holders.get(key);
            int[] now = old == null ? new int[] {w.index} : java.util.Arrays.copyOf(old, old.length + 1);
            now[now.length - 1] = w.index;
            holders.put(key, now);
        }

        int nextRandom() {
            seed ^= seed << 13;
            seed ^= seed >>> 17;
            seed ^= seed << 5;
            return seed & Integer.MAX_VALUE;
        }

        @Override
        public int size() {
            return workers.length;
        }

        @Override
        public WorkerState worker(int index) {
            return workers[index];
        }

        @Override
        public long nanoTime() {
            return 0;
        }

        @Override
        public int holders(String key, int[] into) {
            int[] h = holders.get(key);
            if (h == null) {
                return 0;
            }
            System.arraycopy(h, 0, into, 0, h.length);
            return h.length;
        }
    }

    static final class Worker implements WorkerState {
        final String id;
        final int index;
        final long hash;
        final Set<String> cached = new HashSet<>();
        final ServiceTimes times = new ServiceTimes(1_000_000, 10_000_000);
        int cachedCount;
        int outstanding;

        Worker(String id, int index, int outstanding) {
            this.id = id;
            this.index = index;
            this.hash = Rendezvous.hash(id);
            this.outstanding = outstanding;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public int capacity() {
            return 4;
        }

        @Override
        public int active() {
            return Math.min(outstanding, 4);
        }

        @Override
        public int waiting() {
            return Math.max(0, outstanding - 4);
        }

        @Override
        public boolean holds(String key) {
            return cached.contains(key);
        }

        @Override
        public ServiceTimes serviceTimes() {
            return times;
        }

        @Override
        public long hash() {
            return hash;
        }

        @Override
        public double meanServiceNanos() {
            return 3_500_000;
        }

        @Override
        public int cachedKeys() {
            return cachedCount;
        }
    }
}
