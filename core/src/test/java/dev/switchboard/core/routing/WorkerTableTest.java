package dev.switchboard.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.switchboard.core.Request;
import dev.switchboard.core.transport.CacheEvent;
import dev.switchboard.core.transport.WorkerLink;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** The worker table as strategies see it: joins, leaves and cache events reflected in the view. */
class WorkerTableTest {

    private final AtomicLong clock = new AtomicLong(42);
    private final WorkerTable table = new WorkerTable(clock::get);

    /** A link whose cache events the test emits. */
    private static final class CachingLink implements WorkerLink {
        final String id;
        final Sinks.Many<CacheEvent> events = Sinks.many().multicast().directBestEffort();

        CachingLink(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public int capacity() {
            return 3;
        }

        @Override
        public Flux<Item> exchange(Request request) {
            return Flux.never();
        }

        @Override
        public Flux<CacheEvent> cacheEvents() {
            return events.asFlux();
        }

        @Override
        public Mono<Void> onClose() {
            return Mono.never();
        }

        void emit(CacheEvent event) {
            events.tryEmitNext(event).orThrow();
        }
    }

    private final CachingLink a = join("a");
    private final CachingLink b = join("b");

    /** Both workers report {@code "k"} cached. */
    @BeforeEach
    void cacheK() {
        a.emit(CacheEvent.cached("k"));
        b.emit(CacheEvent.cached("k"));
    }

    private CachingLink join(String id) {
        CachingLink link = new CachingLink(id);
        Slot slot;
        synchronized (table) {
            slot = table.add(link);
        }
        table.watchCache(slot);
        return link;
    }

    private List<Integer> holders(String key) {
        synchronized (table) {
            int[] into = new int[table.size()];
            int n = table.holders(key, into);
            int[] sorted = Arrays.copyOf(into, n);
            Arrays.sort(sorted);
            return Arrays.stream(sorted).boxed().toList();
        }
    }

    /** Whether worker {@code index} holds {@code key}, and how many keys it reports. */
    private void assertWorker(int index, String key, boolean holds, int count) {
        synchronized (table) {
            assertEquals(holds, table.worker(index).holds(key), "holds " + key);
            assertEquals(count, table.worker(index).cachedKeys(), "cached keys");
        }
    }

    @Test
    void joinedWorkersAppearInJoinOrderWithTheirCreditsAndHash() {
        synchronized (table) {
            assertEquals(2, table.size());
            assertEquals("a", table.worker(0).id());
            assertEquals("b", table.worker(1).id());
            assertEquals(3, table.worker(1).capacity());
            assertEquals(Rendezvous.hash("b"), table.worker(1).hash());
            assertEquals(42, table.nanoTime());
        }
    }

    @Test
    void cachedAndEvictedKeysShowInTheViewAndTheHolderIndex() {
        b.emit(CacheEvent.cached("j"));
        b.emit(CacheEvent.cached("j"));
        assertEquals(List.of(0, 1), holders("k"));
        assertEquals(List.of(1), holders("j"));
        assertWorker(1, "k", true, 2);

        b.emit(CacheEvent.evicted("k"));
        b.emit(CacheEvent.evicted("absent"));
        assertEquals(List.of(0), holders("k"));
        assertWorker(1, "k", false, 1);
        assertWorker(0, "k", true, 1);
        assertEquals(1, table.loads().get(1).cachedKeys(), "loads show the same count");
    }

    @Test
    void aWorkerThatLeavesIsForgottenAndTheOthersAreRenumbered() {
        Slot gone;
        synchronized (table) {
            gone = table.remove("a");
            assertNull(table.remove("a"), "a second leave finds nothing");
            assertEquals(1, table.size());
            assertEquals("b", table.worker(0).id());
        }
        assertFalse(gone.alive);
        assertEquals(0, gone.cachedKeys());
        assertEquals(List.of(0), holders("k"), "b, now at index 0, is the only holder");

        a.emit(CacheEvent.cached("late"));
        assertEquals(List.of(), holders("late"), "events of a worker that left are ignored");
        table.stopWatching();
        assertEquals(0, b.events.currentSubscriberCount(), "the table no longer follows cache events");
    }
}
