package dev.switchboard.core.routing;

import dev.switchboard.core.Request;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.transport.ServiceTimes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A routing view whose workers' loads and cache reports a test sets by hand. */
final class TestView implements RoutingView {

    final List<Worker> workers = new ArrayList<>();
    long now;

    static TestView of(int n, int capacity) {
        TestView v = new TestView();
        for (int i = 0; i < n; i++) {
            v.workers.add(new Worker("w" + i, capacity));
        }
        return v;
    }

    static Request request(String key) {
        return Request.builder().id(RequestId.of(1)).key(key).build();
    }

    List<String> ids() {
        List<String> ids = new ArrayList<>();
        for (Worker w : workers) {
            ids.add(w.id);
        }
        return ids;
    }

    @Override
    public int size() {
        return workers.size();
    }

    @Override
    public Worker worker(int index) {
        return workers.get(index);
    }

    @Override
    public long nanoTime() {
        return now;
    }

    static final class Worker implements WorkerState {
        final String id;
        final int capacity;
        final long hash;
        int active;
        int waiting;
        final Set<String> cached = new HashSet<>();
        ServiceTimes times = new ServiceTimes(1_000_000, 10_000_000);
        double meanService;

        Worker(String id, int capacity) {
            this.id = id;
            this.capacity = capacity;
            this.hash = Rendezvous.hash(id);
        }

        /** Sets its load: {@code outstanding} requests, as many active as it has credits. */
        Worker load(int outstanding) {
            active = Math.min(outstanding, capacity);
            waiting = outstanding - active;
            return this;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public int capacity() {
            return capacity;
        }

        @Override
        public int active() {
            return active;
        }

        @Override
        public int waiting() {
            return waiting;
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
            return meanService;
        }

        @Override
        public int cachedKeys() {
            return cached.size();
        }
    }
}
