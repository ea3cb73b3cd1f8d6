package dev.switchboard.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StrategiesTest {

    @Test
    void everyStrategyIsFoundByItsName() {
        for (String name : RoutingStrategies.names()) {
            assertEquals(name, RoutingStrategies.byName(name).name());
        }
        assertThrows(IllegalArgumentException.class, () -> RoutingStrategies.byName("random"));
    }

    @Test
    void boundedLoadNeverPutsAWorkerAboveItsBoundWhileAnotherIsUnderIt() {
        SplittableRandom random = new SplittableRandom(7);
        RoutingStrategy strategy = RoutingStrategies.boundedLoad();
        for (int round = 0; round < 20_000; round++) {
            int n = 1 + random.nextInt(12);
            TestView view = TestView.of(n, 4);
            long total = 0;
            for (TestView.Worker w : view.workers) {
                w.load(random.nextInt(30));
                total += w.outstanding();
            }
            long bound = HashStrategies.BoundedLoad.bound(RoutingStrategies.DEFAULT_BALANCE_FACTOR, total, n);
            int chosen = strategy.select(TestView.request("key-" + random.nextInt(1000)), view);
            assertTrue(view.worker(chosen).outstanding() + 1 <= bound,
                    "worker " + chosen + " would exceed bound " + bound);
        }
    }

    @Test
    void boundedLoadFollowsTheRendezvousOwnerWhileItIsUnderTheBound() {
        TestView view = TestView.of(8, 4);
        RoutingStrategy strategy = RoutingStrategies.boundedLoad();
        for (int k = 0; k < 1000; k++) {
            String key = "key-" + k;
            assertEquals(Rendezvous.owner(key, view.ids()), strategy.select(TestView.request(key), view));
        }
    }

    @Test
    void theHotSetNeverExceedsItsBound() {
        HotKeys hot = new HotKeys();
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 200_000; i++) {
            int bound = i < 100_000 ? 16 : 3;
            // roughly Zipf: a few keys take most of the stream
            int key = (int) Math.floor(Math.pow(1000, random.nextDouble()));
            hot.record(Rendezvous.hash("key-" + key), bound);
            assertTrue(hot.size() <= bound, "hot set of " + hot.size() + " over bound " + bound);
        }
        assertTrue(hot.contains(Rendezvous.hash("key-1")), "the hottest key is in the hot set");
    }

    @Test
    void theHotSetBoundIsTwiceTheWorkersOrAQuarterOfACache() {
        assertEquals(16, CacheAffinity.hotBound(8, 1000));
        assertEquals(7, CacheAffinity.hotBound(8, 30));
        TestView view = TestView.of(4, 4);
        for (TestView.Worker w : view.workers) {
            for (int k = 0; k < 100; k++) {
                w.cached.add("cached-" + k);
            }
        }
        CacheAffinity strategy = new CacheAffinity();
        for (int i = 0; i < 10_000; i++) {
            strategy.select(TestView.request("key-" + i % 50), view);
            assertTrue(strategy.hotKeys() <= 8);
        }
    }

    @Test
    void aColdKeyGoesToTheWorkerThatHoldsIt() {
        TestView view = TestView.of(8, 4);
        view.worker(5).cached.add("k");
        assertEquals(5, RoutingStrategies.cacheAffinity().select(TestView.request("k"), view));
    }

    @Test
    void aRequestWhoseBestScoreExceedsAMissSpillsToAWorkerWithAFreeSlot() {
        TestView view = TestView.of(8, 4);
        view.workers.forEach(w -> w.load(4));
        TestView.Worker holder = view.worker(2);
        holder.cached.add("k");
        holder.load(20);
        holder.meanService = 4_000_000;
        view.worker(6).load(1);
        RoutingStrategy strategy = RoutingStrategies.cacheAffinity();
        // score at the holder: (20 - 4 + 1) × 4 ms / 4 + 1 ms = 18 ms > t_miss = 10 ms
        assertTrue(CacheAffinity.score(holder, true) > 10_000_000);
        assertEquals(6, strategy.select(TestView.request("k"), view));
    }

    @Test
    void aRequestWhoseBestScoreIsUnderAMissWaitsForTheWorkerThatHoldsIt() {
        TestView view = TestView.of(8, 4);
        view.workers.forEach(w -> w.load(3));
        TestView.Worker holder = view.worker(2);
        holder.cached.add("k");
        holder.load(6);
        holder.meanService = 4_000_000;
        // score at the holder: 3 × 4 ms / 4 + 1 ms = 4 ms < t_miss
        assertEquals(2, RoutingStrategies.cacheAffinity().select(TestView.request("k"), view));
    }

    @Test
    void aHotKeyGoesWhereItFinishesSoonestEvenAsAMiss() {
        TestView view = TestView.of(4, 4);
        for (TestView.Worker w : view.workers) {
            for (int k = 0; k < 100; k++) {
                w.cached.add("filler-" + w.id + "-" + k);
            }
            w.meanService = 4_000_000;
            w.load(8);
        }
        TestView.Worker holder = view.worker(1);
        holder.cached.add("hot");
        CacheAffinity strategy = new CacheAffinity();
        for (int i = 0; i < 50; i++) {
            assertEquals(1, strategy.select(TestView.request("hot"), view));
        }
        // every worker busy, none free: only the hot path can move it
        holder.load(40);
        int chosen = strategy.select(TestView.request("hot"), view);
        assertNotEquals(1, chosen);
    }

    @Test
    void aHotKeyIsSharedByTheWorkersThatHoldIt() {
        TestView view = TestView.of(4, 4);
        for (TestView.Worker w : view.workers) {
            for (int k = 0; k < 100; k++) {
                w.cached.add("filler-" + w.id + "-" + k);
            }
        }
        view.worker(0).cached.add("hot");
        view.worker(3).cached.add("hot");
        CacheAffinity strategy = new CacheAffinity();
        for (int i = 0; i < 50; i++) {
            strategy.select(TestView.request("hot"), view);
        }
        view.worker(0).load(2);
        view.worker(3).load(1);
        assertEquals(3, strategy.select(TestView.request("hot"), view));
        view.worker(3).load(3);
        assertEquals(0, strategy.select(TestView.request("hot"), view));
    }

    @Test
    void anIdleWorkerTakesAWaitingRequestOnlyOnceItWaitedLongerThanAMissCosts() {
        TestView view = TestView.of(2, 4);
        RoutingStrategy strategy = RoutingStrategies.cacheAffinity();
        assertTrue(!strategy.takeWaiting(TestView.request("k"), 0, 8_000_000, 1, view));
        assertTrue(strategy.takeWaiting(TestView.request("k"), 0, 9_000_000, 1, view));
        view.worker(1).cached.add("k");
        assertTrue(strategy.takeWaiting(TestView.request("k"), 0, 0, 1, view));
    }
}
