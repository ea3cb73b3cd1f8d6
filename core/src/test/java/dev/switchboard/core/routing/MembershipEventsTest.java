package dev.switchboard.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchboard.core.test.ManualWorker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/** What a consumer of {@link Membership#events()} sees: the members, then each join and leave by kind. */
class MembershipEventsTest {

    @Test
    void aSubscriberSeesTheMembersJoinedThenEachChangeAsItsKind() {
        Membership membership = Membership.create();
        ManualWorker a = ManualWorker.create("a", 1);
        ManualWorker b = ManualWorker.create("b", 1);
        membership.join(a);
        List<MembershipEvent> seen = new CopyOnWriteArrayList<>();
        Disposable watch = membership.events().subscribe(seen::add);
        membership.join(b);
        membership.leave("a");
        b.close();
        assertEquals(List.of(new MembershipEvent.Joined(a), new MembershipEvent.Joined(b),
                new MembershipEvent.Left(a), new MembershipEvent.Left(b)), seen);
        watch.dispose();
    }

    @Test
    void joinsCanBeSelectedByKind() {
        Membership membership = Membership.create();
        ManualWorker a = ManualWorker.create("a", 1);
        membership.join(a);
        membership.leave("a");
        ManualWorker again = ManualWorker.create("a", 2);
        membership.join(again);
        assertEquals(List.of(again), membership.events().ofType(MembershipEvent.Joined.class)
                .map(MembershipEvent::worker).take(1).collectList().block());
    }

    @Test
    void anEventNeedsItsWorker() {
        assertThrows(NullPointerException.class, () -> new MembershipEvent.Joined(null));
        assertThrows(NullPointerException.class, () -> new MembershipEvent.Left(null));
    }
}
