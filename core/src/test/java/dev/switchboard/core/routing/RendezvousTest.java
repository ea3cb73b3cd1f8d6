package dev.switchboard.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RendezvousTest {

    private static final int KEYS = 100_000;

    private static String[] owners(List<String> workers) {
        String[] out = new String[KEYS];
        for (int k = 0; k < KEYS; k++) {
            out[k] = workers.get(Rendezvous.owner("key-" + k, workers));
        }
        return out;
    }

    private static List<String> workers(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add("worker-" + i);
        }
        return ids;
    }

    @Test
    void oneWorkerOfEightLeavingMovesExactlyItsOwnKeys() {
        List<String> eight = workers(8);
        String[] before = owners(eight);
        List<String> seven = new ArrayList<>(eight);
        String gone = seven.remove(3);
        String[] after = owners(seven);
        int moved = 0;
        for (int k = 0; k < KEYS; k++) {
            if (!before[k].equals(after[k])) {
                moved++;
                assertEquals(gone, before[k], "only the leaving worker's keys move");
            }
        }
        double fraction = (double) moved / KEYS;
        assertTrue(Math.abs(fraction - 1.0 / 8) <= 0.01, "moved " + fraction);
    }

    @Test
    void oneWorkerJoiningEightTakesAtMostANinthOfTheKeys() {
        List<String> eight = workers(8);
        String[] before = owners(eight);
        List<String> nine = new ArrayList<>(eight);
        nine.add("worker-new");
        String[] after = owners(nine);
        int moved = 0;
        for (int k = 0; k < KEYS; k++) {
            if (!before[k].equals(after[k])) {
                moved++;
                assertEquals("worker-new", after[k], "keys move only to the joining worker");
            }
        }
        assertTrue((double) moved / KEYS <= 1.0 / 9 + 0.01, "moved " + moved);
    }

    @Test
    void ownershipDoesNotDependOnJoinOrder() {
        List<String> workers = workers(8);
        List<String> reversed = new ArrayList<>(workers);
        java.util.Collections.reverse(reversed);
        for (int k = 0; k < 10_000; k++) {
            String key = "key-" + k;
            assertEquals(workers.get(Rendezvous.owner(key, workers)), reversed.get(Rendezvous.owner(key, reversed)));
        }
    }

    @Test
    void theRendezvousStrategyPicksTheOwnerWhateverItsLoad() {
        TestView view = TestView.of(8, 4);
        view.workers.forEach(w -> w.load(20));
        RoutingStrategy hrw = RoutingStrategies.rendezvous();
        for (int k = 0; k < 1000; k++) {
            String key = "key-" + k;
            assertEquals(Rendezvous.owner(key, view.ids()), hrw.select(TestView.request(key), view));
        }
    }
}
