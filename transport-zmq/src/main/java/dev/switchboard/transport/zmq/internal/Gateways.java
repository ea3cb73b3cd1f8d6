package dev.switchboard.transport.zmq.internal;

import dev.switchboard.transport.zmq.ZmqWorkerSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's gateway connections, one {@link WorkerAgent} per endpoint: the fixed endpoints for the
 * worker's whole life, and those its followed names resolve to now, within
 * {@link ZmqWorkerSpec#MAX_GATEWAYS}. It owns starting and stopping the agents; it must not look
 * names up ({@link NameFollower} does) nor touch a socket (a stopped agent says goodbye and closes
 * its own, on the I/O thread). Changed under its lock by the lookups' threads and by
 * {@link #close}, never on the I/O thread (an agent cannot be started there, and nothing may wait
 * for a lock there); {@link #agents} for any thread.
 */
final class Gateways {

    private static final Logger log = LoggerFactory.getLogger(Gateways.class);

    private final String workerId;
    private final List<String> fixed;
    private final Function<String, WorkerAgent> newAgent;
    private final LongAdder overLimit;
    /** Agents stopped and not yet closed, which a disposal waits for. */
    private final Set<CompletableFuture<Void>> leaving = ConcurrentHashMap.newKeySet();
    private volatile List<WorkerAgent> agents = List.of();

    // under this object's lock
    private final List<List<String>> resolved = new ArrayList<>();
    private final Map<String, WorkerAgent> byEndpoint = new LinkedHashMap<>();
    private int lastIgnored;
    private boolean closed;

    Gateways(String workerId, List<String> fixed, int names, Function<String, WorkerAgent> newAgent,
             LongAdder overLimit) {
        this.workerId = workerId;
        this.fixed = List.copyOf(fixed);
        this.newAgent = newAgent;
        this.overLimit = overLimit;
        for (int i = 0; i < names; i++) {
            resolved.add(List.of());
        }
    }

    /** The agents running now. Any thread. */
    List<WorkerAgent> agents() {
        return agents;
    }

    /** Connects the fixed endpoints. */
    synchronized void start() {
        apply();
    }

    /** Name {@code index} resolves to {@code endpoints} now: join the new ones, leave those gone. */
    synchronized void onAnswer(int index, List<String> endpoints) {
        if (closed) {
            return;
        }
        resolved.set(index, List.copyOf(endpoints));
        apply();
    }

    private void apply() {
        // in order: the fixed endpoints, those connected already (a reordered answer, as DNS round
        // robin gives, changes nothing), then the new ones in the answers' order
        Set<String> answered = new HashSet<>();
        for (List<String> r : resolved) {
            answered.addAll(r);
        }
        Set<String> candidates = new LinkedHashSet<>(fixed);
        for (String e : byEndpoint.keySet()) {
            if (answered.contains(e)) {
                candidates.add(e);
            }
        }
        for (List<String> r : resolved) {
            candidates.addAll(r);
        }
        Set<String> wanted = new LinkedHashSet<>();
        for (String e : candidates) {
            if (wanted.size() == ZmqWorkerSpec.MAX_GATEWAYS) {
                break;
            }
            wanted.add(e);
        }
        List<WorkerAgent> stopped = new ArrayList<>();
        for (Iterator<Map.Entry<String, WorkerAgent>> it = byEndpoint.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, WorkerAgent> e = it.next();
            if (!wanted.contains(e.getKey())) {
                it.remove();
                log.info("worker {} leaves gateway {}: its name no longer resolves to it", workerId, e.getKey());
                stopped.add(e.getValue());
            }
        }
        List<WorkerAgent> started = new ArrayList<>();
        for (String e : wanted) {
            if (!byEndpoint.containsKey(e)) {
                WorkerAgent a = newAgent.apply(e);
                byEndpoint.put(e, a);
                started.add(a);
            }
        }
        // published first, so that whoever sees a gateway joined or left sees it in the snapshot
        agents = List.copyOf(byEndpoint.values());
        for (WorkerAgent a : stopped) {
            stop(a);
        }
        for (WorkerAgent a : started) {
            a.runner().start();
        }
        // counted once the gateways kept are in place, so that whoever reads the count sees them
        int ignored = candidates.size() - wanted.size();
        if (ignored > 0) {
            overLimit.add(ignored);
            if (ignored != lastIgnored) {
                log.warn("worker {}: its names resolve to {} gateways more than the {} it connects to at most: "
                        + "those are ignored", workerId, ignored, ZmqWorkerSpec.MAX_GATEWAYS);
            }
        }
        lastIgnored = ignored;
    }

    private void stop(WorkerAgent a) {
        CompletableFuture<Void> c = a.runner().closed();
        leaving.add(c);
        c.whenComplete((v, e) -> leaving.remove(c));
        a.stop();
    }

    /** Stops every agent; completes, on the I/O thread, when all (and those leaving) have closed. */
    synchronized CompletableFuture<Void> close() {
        closed = true;
        List<CompletableFuture<Void>> all = new ArrayList<>(leaving);
        for (WorkerAgent a : byEndpoint.values()) {
            a.stop();
            all.add(a.runner().closed());
        }
        byEndpoint.clear();
        agents = List.of();
        return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
    }
}
