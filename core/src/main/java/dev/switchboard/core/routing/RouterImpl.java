package dev.switchboard.core.routing;

import dev.switchboard.core.Request;
import dev.switchboard.core.metrics.TimingListener;
import dev.switchboard.core.transport.WorkerLink.Item;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The router behind {@link Router}: it follows its {@link Membership} and hands each request to
 * the {@link RetryPolicy}. The state lives in its parts: the {@link WorkerTable} (live workers,
 * cache index, the view strategies read, and the one lock), the {@link Dispatcher} (credits,
 * waiting queue, rebalancing, counters) and one {@link Call} per attempt. It must not keep state
 * of its own beyond its subscription to the membership.
 */
final class RouterImpl implements Router {

    private static final Logger log = LoggerFactory.getLogger(RouterImpl.class);

    private final Membership membership;
    private final WorkerTable table;
    private final Dispatcher dispatcher;
    private final RetryPolicy retry;
    private final Disposable membershipWatch;
    private volatile boolean disposed;

    RouterImpl(Membership membership, RoutingStrategy strategy, int maxWaiting, LongSupplier clock) {
        this.membership = membership;
        this.table = new WorkerTable(clock);
        this.dispatcher = new Dispatcher(table, strategy, maxWaiting, clock);
        this.retry = new RetryPolicy(dispatcher);
        this.membershipWatch = membership.events().subscribe(this::onMembership,
                e -> log.error("membership events failed; the router no longer follows joins and leaves", e));
    }

    private void onMembership(MembershipEvent event) {
        if (event instanceof MembershipEvent.Joined) {
            dispatcher.joined(event.worker());
        } else {
            dispatcher.left(event.worker().id());
        }
    }

    @Override
    public Flux<Item> exchange(Request request) {
        return retry.exchange(request);
    }

    @Override
    public Membership membership() {
        return membership;
    }

    @Override
    public String strategyName() {
        return dispatcher.strategyName();
    }

    @Override
    public List<WorkerLoad> loads() {
        return table.loads();
    }

    @Override
    public RouterStats stats() {
        return dispatcher.stats();
    }

    @Override
    public Disposable timings(TimingListener listener) {
        return dispatcher.timings.add(listener);
    }

    @Override
    public void dispose() {
        disposed = true;
        membershipWatch.dispose();
        table.stopWatching();
    }

    @Override
    public boolean isDisposed() {
        return disposed;
    }
}
