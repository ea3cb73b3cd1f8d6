package dev.switchboard.core.routing;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.RelayException;
import dev.switchboard.core.Request;
import dev.switchboard.core.metrics.TimingListener;
import dev.switchboard.core.metrics.TimingListeners;
import dev.switchboard.core.transport.CacheEvent;
import dev.switchboard.core.transport.ServiceTimes;
import dev.switchboard.core.transport.WorkerLink;
import dev.switchboard.core.transport.WorkerLink.Item;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * The router. All state is guarded by {@code this}; links are subscribed to outside the lock.
 */
final class RouterImpl implements Router, RoutingView {

    private static final Logger log = LoggerFactory.getLogger(RouterImpl.class);

    /** A worker may report at most this many cached keys; further CACHED reports are ignored. */
    static final int MAX_REPORTED_KEYS = 1 << 20;
    /** Weight of the newest sample in each worker's mean service time. */
    static final double SERVICE_EWMA_ALPHA = 0.05;

    private final Membership membership;
    private final RoutingStrategy strategy;
    private final int maxWaiting;
    private final LongSupplier clock;
    private final ArrayList<Slot> slots = new ArrayList<>();
    private final Map<String, Slot> byId = new HashMap<>();
    /** Which live workers report each key cached: the inverse of every {@code Slot.cached}. */
    private final Map<String, ArrayList<Slot>> holdersByKey = new HashMap<>();
    private final Disposable membershipWatch;
    private final TimingListeners timings = new TimingListeners();

    private int waiting;
    private long routed;
    private long affinityHits;
    private long rejected;
    private long noWorkers;
    private long retried;
    private volatile boolean disposed;

    RouterImpl(Membership membership, RoutingStrategy strategy, int maxWaiting, LongSupplier clock) {
        this.membership = membership;
        this.strategy = strategy;
        this.maxWaiting = maxWaiting;
        this.clock = clock;
        this.membershipWatch = membership.events().subscribe(this::onMembership,
                e -> log.error("membership events failed; the router no longer follows joins and leaves", e));
    }

    @Override
    public Flux<Item> exchange(Request request) {
        Flux<Item> first = new Routed(this, request);
        if (!request.idempotent()) {
            return first.onErrorMap(WorkerLostException.class, RouterImpl::lost);
        }
        return first.onErrorResume(WorkerLostException.class, e -> {
            synchronized (this) {
                retried++;
            }
            return new Routed(this, request).onErrorMap(WorkerLostException.class, RouterImpl::lost);
        });
    }

    private static Throwable lost(Throwable e) {
        return new RelayException(ErrorCode.WORKER_FAILED, "worker lost: " + e.getMessage());
    }

    @Override
    public Membership membership() {
        return membership;
    }

    @Override
    public String strategyName() {
        return strategy.name();
    }

    @Override
    public synchronized List<WorkerLoad> loads() {
        List<WorkerLoad> out = new ArrayList<>(slots.size());
        for (Slot s : slots) {
            out.add(new WorkerLoad(s.id(), s.capacity, s.active, s.queue.size(), s.served, s.cachedCount));
        }
        return out;
    }

    @Override
    public synchronized RouterStats stats() {
        return new RouterStats(routed, affinityHits, waiting, rejected, noWorkers, retried, maxWaiting, slots.size());
    }

    @Override
    public Disposable timings(TimingListener listener) {
        return timings.add(listener);
    }

    @Override
    public void dispose() {
        disposed = true;
        membershipWatch.dispose();
        List<Slot> gone;
        synchronized (this) {
            gone = new ArrayList<>(slots);
        }
        for (Slot s : gone) {
            s.cacheWatch.dispose();
        }
    }

    @Override
    public boolean isDisposed() {
        return disposed;
    }

    // ---- RoutingView, only valid under the lock

    @Override
    public int size() {
        return slots.size();
    }

    @Override
    public WorkerState worker(int index) {
        return slots.get(index);
    }

    @Override
    public long nanoTime() {
        return clock.getAsLong();
    }

    @Override
    public int holders(String key, int[] into) {
        ArrayList<Slot> holders = holdersByKey.get(key);
        if (holders == null) {
            return 0;
        }
        int n = holders.size();
        for (int i = 0; i < n; i++) {
            into[i] = holders.get(i).index;
        }
        return n;
    }

    // ---- membership

    private void onMembership(MembershipEvent event) {
        WorkerLink link = event.worker();
        if (event.type() == MembershipEvent.Type.JOINED) {
            Slot slot = new Slot(link);
            List<Call> toDispatch;
            synchronized (this) {
                slot.index = slots.size();
                slots.add(slot);
                byId.put(link.id(), slot);
                List<Call> moved = rebalance();
                toDispatch = moved == null ? List.of() : moved;
            }
            slot.cacheWatch = link.cacheEvents().subscribe(e -> onCacheEvent(slot, e),
                    e -> log.warn("cache events of worker {} failed", link.id(), e));
            dispatchAll(toDispatch);
        } else {
            List<Call> orphans;
            Slot slot;
            synchronized (this) {
                slot = byId.remove(link.id());
                if (slot == null) {
                    return;
                }
                slots.remove(slot);
                for (int i = 0; i < slots.size(); i++) {
                    slots.get(i).index = i;
                }
                slot.alive = false;
                orphans = new ArrayList<>(slot.queue);
                slot.queue.clear();
                for (Call c : orphans) {
                    c.state = Call.NEW;
                    c.slot = null;
                }
                waiting -= orphans.size();
                for (String key : slot.cached) {
                    unindex(key, slot);
                }
                slot.cached.clear();
                slot.cachedCount = 0;
            }
            slot.cacheWatch.dispose();
            for (Call c : orphans) {
                c.start();
            }
        }
    }

    private void onCacheEvent(Slot slot, CacheEvent event) {
        synchronized (this) {
            if (!slot.alive) {
                return;
            }
            String key = event.key();
            if (event.type() == CacheEvent.Type.CACHED) {
                if (slot.cached.size() < MAX_REPORTED_KEYS && slot.cached.add(key)) {
                    holdersByKey.computeIfAbsent(key, k -> new ArrayList<>(2)).add(slot);
                    slot.cachedCount++;
                }
            } else if (slot.cached.remove(key)) {
                unindex(key, slot);
                slot.cachedCount--;
            }
        }
    }

    private void unindex(String key, Slot slot) {
        ArrayList<Slot> holders = holdersByKey.get(key);
        if (holders != null && holders.remove(slot) && holders.isEmpty()) {
            holdersByKey.remove(key);
        }
    }

    // ---- admission and release

    /**
     * Chooses a worker for {@code call}; returns whether to dispatch it now. Requests that idle
     * workers take from other queues meanwhile are dispatched before it returns.
     */
    private boolean admit(Call call) {
        RelayException failure = null;
        List<Call> moved = null;
        boolean now = false;
        synchronized (this) {
            if (call.state != Call.NEW) {
                return false;
            }
            if (slots.isEmpty()) {
                noWorkers++;
                call.state = Call.DONE;
                failure = new RelayException(ErrorCode.NO_WORKERS, "no worker is available");
            } else {
                if (waiting > 0) {
                    // time passed: requests that waited long enough go first to idle workers
                    moved = rebalance();
                }
                int index = strategy.select(call.request, this);
                Slot slot = slots.get(index);
                if (slot.active < slot.capacity) {
                    activate(call, slot);
                    now = true;
                } else if (waiting >= maxWaiting) {
                    rejected++;
                    call.state = Call.DONE;
                    failure = new RelayException(ErrorCode.OVERLOADED,
                            "relay overloaded: " + waiting + " requests already wait for a worker");
                } else {
                    call.slot = slot;
                    call.state = Call.WAITING;
                    call.enqueuedAt = clock.getAsLong();
                    slot.queue.add(call);
                    waiting++;
                }
                if (call.state == Call.WAITING) {
                    List<Call> more = rebalance();
                    if (more != null) {
                        if (moved == null) {
                            moved = more;
                        } else {
                            moved.addAll(more);
                        }
                    }
                }
            }
        }
        if (failure != null) {
            if (moved != null) {
                dispatchAll(moved);
            }
            call.actual.onError(failure);
            return false;
        }
        if (moved != null) {
            for (Call c : moved) {
                if (c == call) {
                    now = true;
                } else {
                    c.dispatch();
                }
            }
        }
        return now;
    }

    private void activate(Call call, Slot slot) {
        slot.active++;
        slot.served++;
        routed++;
        if (slot.cached.contains(call.request.key())) {
            affinityHits++;
        }
        call.slot = slot;
        call.state = Call.ACTIVE;
        call.startedAt = clock.getAsLong();
        call.waitedNanos = call.startedAt - call.admittedAt;
    }

    /** The call ended or was cancelled: frees its credit or its place in the queue. */
    void release(Call call) {
        List<Call> next;
        long served;
        String worker;
        synchronized (this) {
            int state = call.state;
            call.state = Call.DONE;
            Slot slot = call.slot;
            if (slot == null) {
                return;
            }
            if (state == Call.WAITING) {
                slot.queue.remove(call);
                waiting--;
                return;
            }
            if (state != Call.ACTIVE || !slot.alive) {
                return;
            }
            slot.active--;
            served = clock.getAsLong() - call.startedAt;
            slot.recordService(served);
            worker = slot.id();
            next = pullWaiting(slot);
            if (waiting > 0) {
                List<Call> moved = rebalance();
                if (moved != null) {
                    if (next.isEmpty()) {
                        next = moved;
                    } else {
                        next.addAll(moved);
                    }
                }
            }
        }
        if (timings.active()) {
            timings.served(worker, served, call.done && !call.failed);
        }
        dispatchAll(next);
    }

    /** Fills the free credits of {@code slot} from its own waiting requests, oldest first. */
    private List<Call> pullWaiting(Slot slot) {
        List<Call> out = null;
        while (slot.active < slot.capacity) {
            Call c = slot.queue.poll();
            if (c == null) {
                break;
            }
            waiting--;
            activate(c, slot);
            if (out == null) {
                out = new ArrayList<>(2);
            }
            out.add(c);
        }
        return out == null ? List.of() : out;
    }

    /**
     * Lets every idle worker (a free credit, nothing of its own waiting) take requests waiting for
     * other workers, oldest first, as far as the strategy agrees. Returns the requests to
     * dispatch, or null if none moved.
     */
    private @Nullable List<Call> rebalance() {
        List<Call> out = null;
        long now = 0;
        boolean timed = false;
        for (int i = 0, n = slots.size(); i < n && waiting > 0; i++) {
            Slot idle = slots.get(i);
            if (idle.active >= idle.capacity || !idle.queue.isEmpty()) {
                continue;
            }
            if (!timed) {
                now = clock.getAsLong();
                timed = true;
            }
            while (idle.active < idle.capacity && waiting > 0) {
                Slot from = null;
                Call best = null;
                for (int j = 0; j < n; j++) {
                    Slot other = slots.get(j);
                    Call head = other.queue.peek();
                    if (head == null || other == idle || best != null && head.enqueuedAt >= best.enqueuedAt) {
                        continue;
                    }
                    if (strategy.takeWaiting(head.request, j, now - head.enqueuedAt, i, this)) {
                        best = head;
                        from = other;
                    }
                }
                if (best == null) {
                    break;
                }
                from.queue.poll();
                waiting--;
                activate(best, idle);
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(best);
            }
        }
        return out;
    }

    private static void dispatchAll(List<Call> calls) {
        for (Call c : calls) {
            c.dispatch();
        }
    }

    synchronized boolean isAlive(@Nullable Slot slot) {
        return slot != null && slot.alive;
    }

    // ---- per worker state

    private final class Slot implements WorkerState {
        final WorkerLink link;
        final int capacity;
        final ArrayDeque<Call> queue = new ArrayDeque<>();
        final Set<String> cached = new HashSet<>();
        final long hash;
        /** {@code cached.size()}, kept beside the other fields strategies read on every decision. */
        int cachedCount;
        int index;
        int active;
        long served;
        double meanServiceNanos;
        ServiceTimes times;
        boolean alive = true;
        Disposable cacheWatch = () -> { };

        Slot(WorkerLink link) {
            this.link = link;
            this.capacity = link.capacity();
            this.hash = Rendezvous.hash(link.id());
            this.times = link.serviceTimes();
        }

        /** A request it served ended after {@code nanos}; its reported times may have changed. */
        void recordService(long nanos) {
            double sample = Math.max(0, nanos);
            meanServiceNanos = meanServiceNanos == 0 ? sample
                    : meanServiceNanos + SERVICE_EWMA_ALPHA * (sample - meanServiceNanos);
            times = link.serviceTimes();
        }

        @Override
        public long hash() {
            return hash;
        }

        @Override
        public double meanServiceNanos() {
            return meanServiceNanos;
        }

        @Override
        public int cachedKeys() {
            return cachedCount;
        }

        @Override
        public String id() {
            return link.id();
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
            return queue.size();
        }

        @Override
        public boolean holds(String key) {
            return cached.contains(key);
        }

        @Override
        public ServiceTimes serviceTimes() {
            return times;
        }
    }

    // ---- one routed request

    /** Signals that a request's worker was lost before it answered anything. */
    static final class WorkerLostException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        WorkerLostException(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Routed extends Flux<Item> {
        final RouterImpl router;
        final Request request;

        Routed(RouterImpl router, Request request) {
            this.router = router;
            this.request = request;
        }

        @Override
        public void subscribe(CoreSubscriber<? super Item> actual) {
            Call call = new Call(router, request, actual);
            actual.onSubscribe(call);
            call.start();
        }
    }

    /** One attempt at a request: waits for a credit, then forwards the worker's items. */
    static final class Call extends Operators.DeferredSubscription implements CoreSubscriber<Item> {
        static final int NEW = 0;
        static final int WAITING = 1;
        static final int ACTIVE = 2;
        static final int DONE = 3;

        final RouterImpl router;
        final Request request;
        final CoreSubscriber<? super Item> actual;
        /** Guarded by the router's lock. */
        int state = NEW;
        /** Guarded by the router's lock. */
        @Nullable Slot slot;
        /** When it started waiting, by the router's clock; guarded by the router's lock. */
        long enqueuedAt;
        /** When its worker took it, by the router's clock; guarded by the router's lock. */
        long startedAt;
        /** When the router first admitted it, by the router's clock. */
        final long admittedAt;
        /** How long it waited for its credit; guarded by the router's lock. */
        long waitedNanos;
        boolean emitted;
        boolean done;
        boolean failed;

        Call(RouterImpl router, Request request, CoreSubscriber<? super Item> actual) {
            this.router = router;
            this.request = request;
            this.actual = actual;
            this.admittedAt = router.clock.getAsLong();
        }

        void start() {
            if (isCancelled()) {
                return;
            }
            if (router.admit(this)) {
                dispatch();
            }
        }

        void dispatch() {
            if (isCancelled()) {
                // cancelled while its credit was being handed over: cancel() already gave it back
                return;
            }
            Slot s;
            long waited;
            synchronized (router) {
                s = slot;
                waited = waitedNanos;
            }
            if (router.timings.active()) {
                router.timings.waited(waited);
            }
            Flux<Item> exchange;
            try {
                exchange = s.link.exchange(request);
            } catch (Throwable e) {
                onError(e);
                return;
            }
            exchange.subscribe(this);
        }

        @Override
        public reactor.util.context.Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(org.reactivestreams.Subscription s) {
            set(s);
        }

        @Override
        public void onNext(Item item) {
            if (done) {
                Operators.onNextDropped(item, actual.currentContext());
                return;
            }
            emitted = true;
            actual.onNext(item);
        }

        @Override
        public void onError(Throwable t) {
            if (done) {
                Operators.onErrorDropped(t, actual.currentContext());
                return;
            }
            done = true;
            failed = true;
            Slot s;
            synchronized (router) {
                s = slot;
            }
            boolean lost = s != null && !router.isAlive(s);
            router.release(this);
            if (lost && !emitted) {
                actual.onError(new WorkerLostException("worker " + s.id() + " left before answering"));
            } else {
                actual.onError(t);
            }
        }

        @Override
        public void onComplete() {
            if (done) {
                return;
            }
            done = true;
            router.release(this);
            actual.onComplete();
        }

        @Override
        public void cancel() {
            super.cancel();
            done = true;
            failed = true;
            router.release(this);
        }
    }
}
