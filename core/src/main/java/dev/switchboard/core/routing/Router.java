package dev.switchboard.core.routing;

import dev.switchboard.core.metrics.TimingListener;
import dev.switchboard.core.metrics.TimingListeners;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.transport.WorkerLink;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Routes each request to a worker of its {@link Membership}, as its {@link RoutingStrategy}
 * chooses, holding every worker to its credits. A request whose worker has no free credit waits
 * in a bounded queue; past the bound it fails with {@code overloaded}; with no live worker it
 * fails with {@code no_workers}. A request whose worker is lost before it produced any item is
 * sent once more when it is idempotent.
 *
 * <p>Thread-safe. Built by {@link #builder()}; {@link #dispose()} stops following the membership.
 */
public interface Router extends Disposable {

    /** Default bound of requests waiting for credits, over all workers. */
    int DEFAULT_MAX_WAITING = 4096;

    /**
     * A builder with a new empty membership, the {@linkplain RoutingStrategies#cacheAffinity()
     * cache-affinity} strategy, at most
     * {@value #DEFAULT_MAX_WAITING} waiting requests and {@link System#nanoTime()} as the clock.
     *
     * @return a new builder
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * The response items of {@code request}, each with the worker's last-item mark (see
     * {@link WorkerLink}). Nothing happens until subscription; cancelling frees the request's
     * credit or its place in the queue.
     *
     * @param request the request to route
     * @return the response items of {@code request}, each with the worker's last-item mark (see {@link WorkerLink})
     */
    Flux<WorkerLink.Item> exchange(Request request);

    /**
     * The response items of {@code request} without their marks, as {@link #exchange} routes them.
     *
     * @param request the request to route
     * @return the response items of {@code request} without their marks, as {@link #exchange} routes them
     */
    default Flux<Payload> route(Request request) {
        return exchange(request).map(WorkerLink.Item::payload);
    }

    /**
     * The membership this router follows.
     *
     * @return the membership this router follows
     */
    Membership membership();

    /**
     * The name of its strategy.
     *
     * @return the name of its strategy
     */
    String strategyName();

    /**
     * Each live worker's load, in join order.
     *
     * @return each live worker's load, in join order
     */
    List<WorkerLoad> loads();

    /**
     * Its counters.
     *
     * @return its counters
     */
    RouterStats stats();

    /**
     * Reports each request's wait for a credit and each worker's service time to {@code listener}
     * until the returned {@link Disposable} is disposed.
     *
     * @param listener the listener, called on the threads where the events happen; it must not block
     * @return a handle that unregisters the listener
     * @throws IllegalStateException when {@link TimingListeners#MAX_LISTENERS} are registered
     */
    Disposable timings(TimingListener listener);

    /** Builds a {@link Router}. Not thread-safe; {@link #build()} may be called more than once. */
    final class Builder {
        private Membership membership = Membership.create();
        private @Nullable RoutingStrategy strategy;
        private int maxWaiting = DEFAULT_MAX_WAITING;
        private LongSupplier clock = System::nanoTime;
        private final List<WorkerLink> workers = new ArrayList<>();

        private Builder() {
        }

        /**
         * The membership to follow (default: a new empty one).
         *
         * @param membership the membership to follow (default: a new empty one)
         * @return this builder
         */
        public Builder membership(Membership membership) {
            this.membership = Objects.requireNonNull(membership, "membership");
            return this;
        }

        /**
         * A worker to join to the membership when the router is built.
         *
         * @param worker a worker to join to the membership when the router is built
         * @return this builder
         */
        public Builder worker(WorkerLink worker) {
            workers.add(Objects.requireNonNull(worker, "worker"));
            return this;
        }

        /**
         * The strategy, a fresh instance for this router: strategies keep state (default: a new
         * {@link RoutingStrategies#cacheAffinity()} for each router built).
         *
         * @param strategy the strategy, a fresh instance for this router
         * @return this builder
         */
        public Builder strategy(RoutingStrategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /**
         * How many requests may wait for credits at once, strictly positive.
         *
         * @param maxWaiting how many requests may wait for credits at once, strictly positive
         * @return this builder
         */
        public Builder maxWaiting(int maxWaiting) {
            if (maxWaiting < 1) {
                throw new IllegalArgumentException("maxWaiting must be strictly positive, was " + maxWaiting);
            }
            this.maxWaiting = maxWaiting;
            return this;
        }

        /**
         * The clock in nanoseconds, a seam for simulators and tests (default {@link System#nanoTime()}).
         *
         * @param clock the clock in nanoseconds, a seam for simulators and tests (default {@link System#nanoTime()})
         * @return this builder
         */
        public Builder clock(LongSupplier clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The router; the workers given to {@link #worker} join its membership now.
         *
         * @return the router; the workers given to {@link #worker} join its membership now
         */
        public Router build() {
            RoutingStrategy s = strategy != null ? strategy : RoutingStrategies.cacheAffinity();
            RouterImpl router = new RouterImpl(membership, s, maxWaiting, clock);
            for (WorkerLink w : workers) {
                membership.join(w);
            }
            return router;
        }
    }
}
