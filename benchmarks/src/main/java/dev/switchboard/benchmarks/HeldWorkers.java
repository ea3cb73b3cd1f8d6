package dev.switchboard.benchmarks;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.WorkerLoad;
import dev.switchboard.core.transport.CacheEvent;
import dev.switchboard.core.transport.ServiceTimes;
import dev.switchboard.core.transport.WorkerLink;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * In-process worker links whose exchanges stay open until {@link #completeOne()} answers one of
 * them, drawn at random (so service times vary and some workers run dry while others have
 * requests waiting), with one item, and the client that subscribes to the router's answers: the
 * router's workers and clients of {@link RouterBenchmark}, with no thread and no work of their
 * own. Not thread-safe: one benchmark thread drives it.
 *
 * <p>Once {@link #countMoves(Router)} is called (by tests: it reads the router's loads on every
 * answer) it also counts the router's moves, the waiting requests an idle worker took from
 * another's queue (rebalancing): an exchange opened while another request is being routed, on a
 * worker other than the one answering, or on the answering worker while nothing of its own waited.
 */
final class HeldWorkers {

    /** The one item of every answer, marked last as a worker that knows its end sends it. */
    private static final WorkerLink.Item ANSWER = WorkerLink.Item.last(Payload.json("\"ok\""));

    private final int maxOpen;
    private final ServiceTimes times;
    /** Open exchanges, in no order; at most {@link #maxOpen}, the credits of every link. */
    private final Open[] open;
    private int openCount;
    private int seed = 0x9E3779B9;
    private final Client client = new Client();
    private @Nullable Router observed;
    private @Nullable Link completing;
    private boolean completingHadWaiting;
    private @Nullable Request routing;
    private long completed;
    private long errors;
    private long moves;

    HeldWorkers(int maxOpen, long hitNanos, long missNanos) {
        this.maxOpen = maxOpen;
        this.times = new ServiceTimes(hitNanos, missNanos);
        this.open = new Open[maxOpen];
    }

    /** A worker of {@code capacity} credits that reports {@code cached} at its join. */
    WorkerLink link(String id, int capacity, List<String> cached) {
        return new Link(id, capacity, cached);
    }

    /** Counts moves from now on, reading {@code router}'s loads before every answer. */
    void countMoves(Router router) {
        observed = router;
    }

    /** Routes {@code request}, its answer to this object's client. */
    void route(Router router, Request request) {
        routing = observed != null ? request : null;
        try {
            router.route(request).subscribe(client);
        } finally {
            routing = null;
        }
    }

    /** Answers an open exchange, drawn at random, with one item and completes it. */
    void completeOne() {
        Open o;
        do {
            if (openCount == 0) {
                throw new IllegalStateException("no exchange is open: the router dispatched nothing");
            }
            seed ^= seed << 13;
            seed ^= seed >>> 17;
            seed ^= seed << 5;
            int i = (seed & Integer.MAX_VALUE) % openCount;
            o = open[i];
            open[i] = open[--openCount];
            open[openCount] = null;
        } while (o.cancelled);
        if (observed != null) {
            completing = o.link;
            completingHadWaiting = false;
            for (WorkerLoad load : observed.loads()) {
                if (load.id().equals(o.link.id)) {
                    completingHadWaiting = load.waiting() > 0;
                }
            }
        }
        try {
            o.complete();
        } finally {
            completing = null;
        }
    }

    long completed() {
        return completed;
    }

    long errors() {
        return errors;
    }

    long moves() {
        return moves;
    }

    int open() {
        return openCount;
    }

    private final class Link implements WorkerLink {
        final String id;
        final int capacity;
        final List<String> cached;

        Link(String id, int capacity, List<String> cached) {
            this.id = id;
            this.capacity = capacity;
            this.cached = List.copyOf(cached);
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
        public Flux<WorkerLink.Item> exchange(Request request) {
            return new Flux<>() {
                @Override
                public void subscribe(CoreSubscriber<? super WorkerLink.Item> actual) {
                    Open o = new Open(Link.this, actual);
                    actual.onSubscribe(o);
                    if (openCount >= maxOpen) {
                        errors++;
                        actual.onError(new IllegalStateException("more exchanges open than credits: " + maxOpen));
                        return;
                    }
                    if (routing != null && routing != request || completing != null
                            && (completing != Link.this || !completingHadWaiting)) {
                        moves++;
                    }
                    if (completing == Link.this) {
                        completingHadWaiting = false;
                    }
                    open[openCount++] = o;
                }
            };
        }

        @Override
        public Flux<CacheEvent> cacheEvents() {
            return Flux.fromIterable(cached).map(CacheEvent::cached);
        }

        @Override
        public ServiceTimes serviceTimes() {
            return times;
        }

        @Override
        public Mono<Void> onClose() {
            return Mono.never();
        }
    }

    private final class Open implements Subscription {
        final Link link;
        final CoreSubscriber<? super WorkerLink.Item> actual;
        long requested;
        boolean cancelled;

        Open(Link link, CoreSubscriber<? super WorkerLink.Item> actual) {
            this.link = link;
            this.actual = actual;
        }

        void complete() {
            if (requested == 0) {
                errors++;
                actual.onError(new IllegalStateException("the router asked for no item"));
                return;
            }
            actual.onNext(ANSWER);
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            requested = Operators.addCap(requested, n);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    /** The router's client: takes every item, counts completions and errors. */
    private final class Client implements CoreSubscriber<Payload> {
        @Override
        public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Payload payload) {
            // the item is the answer; its completion is counted
        }

        @Override
        public void onError(Throwable t) {
            errors++;
        }

        @Override
        public void onComplete() {
            completed++;
        }
    }
}
