package dev.switchboard.core.routing;

import dev.switchboard.core.transport.WorkerLink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * The live set of workers. Workers {@link #join} and {@link #leave}; a worker whose
 * {@link WorkerLink#onClose()} completes leaves by itself. Thread-safe.
 */
public final class Membership {

    private final Map<String, Member> members = new LinkedHashMap<>();
    private final List<FluxSink<MembershipEvent>> listeners = new ArrayList<>();

    private Membership() {
    }

    /**
     * An empty membership.
     *
     * @return an empty membership
     */
    public static Membership create() {
        return new Membership();
    }

    /**
     * Adds a worker.
     *
     * @param worker the worker, whose id no member has
     * @throws IllegalArgumentException if a worker with the same id is a member
     */
    public void join(WorkerLink worker) {
        Objects.requireNonNull(worker, "worker");
        if (worker.capacity() < 1) {
            throw new IllegalArgumentException("worker " + worker.id() + " must have a capacity of at least 1");
        }
        Member member = new Member(worker);
        synchronized (this) {
            if (members.containsKey(worker.id())) {
                throw new IllegalArgumentException("a worker with id " + worker.id() + " is already a member");
            }
            members.put(worker.id(), member);
            emit(new MembershipEvent.Joined(worker));
        }
        Disposable watch = worker.onClose().subscribe(null, e -> leave(worker.id()), () -> leave(worker.id()));
        synchronized (this) {
            if (members.get(worker.id()) == member) {
                member.watch = watch;
                return;
            }
        }
        watch.dispose();
    }

    /**
     * Removes the worker with this id; returns whether it was a member.
     *
     * @param workerId the id of the worker to remove
     * @return whether it was a member
     */
    public boolean leave(String workerId) {
        Member removed;
        synchronized (this) {
            removed = members.remove(workerId);
            if (removed == null) {
                return false;
            }
            emit(new MembershipEvent.Left(removed.link));
        }
        Disposable watch = removed.watch;
        if (watch != null) {
            watch.dispose();
        }
        return true;
    }

    /**
     * The current members, in join order.
     *
     * @return the current members, in join order
     */
    public synchronized List<WorkerLink> members() {
        List<WorkerLink> out = new ArrayList<>(members.size());
        for (Member m : members.values()) {
            out.add(m.link);
        }
        return out;
    }

    /**
     * The membership as events: a {@link MembershipEvent.Joined} for each current member, then
     * every change as it happens. A subscriber that does not keep up with its demand is failed
     * with an overflow error (membership changes are rare; request unbounded).
     *
     * @return a {@link MembershipEvent.Joined} for each current member, then every change
     */
    public Flux<MembershipEvent> events() {
        return Flux.create(sink -> {
            synchronized (this) {
                for (Member m : members.values()) {
                    sink.next(new MembershipEvent.Joined(m.link));
                }
                listeners.add(sink);
            }
            sink.onDispose(() -> {
                synchronized (this) {
                    listeners.remove(sink);
                }
            });
        }, FluxSink.OverflowStrategy.ERROR);
    }

    private void emit(MembershipEvent event) {
        for (FluxSink<MembershipEvent> l : listeners) {
            l.next(event);
        }
    }

    private static final class Member {
        final WorkerLink link;
        volatile Disposable watch;

        Member(WorkerLink link) {
            this.link = link;
        }
    }
}
