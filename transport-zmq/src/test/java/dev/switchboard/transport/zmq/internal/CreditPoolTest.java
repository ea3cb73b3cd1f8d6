package dev.switchboard.transport.zmq.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The worker's one capacity over its gateways, without sockets: what it grants, keeps and asks
 * back, and the invariant after every step.
 */
class CreditPoolTest {

    private static final int CAPACITY = 4;

    private final CreditPool pool = new CreditPool(CAPACITY);
    private final List<CreditPool.Account> accounts = new ArrayList<>();

    private CreditPool.Account join() {
        CreditPool.Account a = pool.join(() -> { });
        accounts.add(a);
        return a;
    }

    private void register(CreditPool.Account a) {
        int credit = pool.onReady(a);
        pool.onRegistered(a);
        assertEquals(credit, a.granted() - pool.takeGrant(a), "what READY carried");
    }

    private void assertInvariant() {
        int held = 0;
        for (CreditPool.Account a : accounts) {
            assertTrue(a.granted() >= 0 && a.inFlight() >= 0);
            held += a.granted() + a.inFlight();
        }
        assertTrue(held <= CAPACITY, "granted and in flight " + held + " over the capacity " + CAPACITY);
    }

    @Test
    void oneGatewayGetsTheWholeCapacityWithReadyAndEveryCreditBackWithNoOtherMessage() {
        CreditPool.Account a = join();
        assertEquals(CAPACITY, pool.onReady(a));
        pool.onRegistered(a);
        pool.onWaiting(a, 9);
        for (int i = 0; i < CAPACITY; i++) {
            assertEquals(CreditPool.Admission.CREDITED, pool.admit(a));
        }
        assertEquals(CreditPool.Admission.REFUSED, pool.admit(a));
        for (int i = 0; i < CAPACITY; i++) {
            assertFalse(pool.end(a), "one gateway: every credit returns with its response");
        }
        assertEquals(0, pool.takeGrant(a), "no CREDIT beyond READY's");
        assertEquals(0, pool.takeReclaim(a), "no RECLAIM");
        assertEquals(CAPACITY, a.granted());
    }

    @Test
    void severalGatewaysGetAStandingCreditAndWhatWaitsGetsTheRest() {
        CreditPool.Account a = join();
        CreditPool.Account b = join();
        assertEquals(0, pool.onReady(a), "no credit with READY when there are several");
        pool.onRegistered(a);
        register(b);
        assertEquals(1, a.granted());
        assertEquals(1, b.granted());
        pool.takeGrant(a);
        pool.takeGrant(b);
        // B's request spends its standing credit, 7 more wait: it gets the 2 free slots, and A's
        // unused credit is asked back for it
        assertEquals(CreditPool.Admission.CREDITED, pool.admit(b));
        pool.onWaiting(b, 7);
        assertEquals(2, pool.takeGrant(b));
        assertEquals(1, pool.takeReclaim(a));
        assertTrue(pool.onReturned(a, 1));
        assertEquals(1, pool.takeGrant(b));
        assertEquals(0, a.granted());
        assertEquals(4, b.granted() + b.inFlight());
        assertInvariant();
        // A gets a request waiting: B's next response keeps its credit for A
        pool.onWaiting(a, 1);
        for (int i = 0; i < 3; i++) {
            assertEquals(CreditPool.Admission.CREDITED, pool.admit(b));
        }
        assertTrue(pool.end(b), "the credit goes to the gateway that waits and holds none");
        assertEquals(1, pool.takeGrant(a));
        assertInvariant();
        assertFalse(pool.onReturned(a, 5), "more handed back than granted is malformed");
        assertInvariant();
    }

    @Test
    void theInvariantHoldsWhateverHappensInWhateverOrder() {
        Random random = new Random(20);
        for (int i = 0; i < 3; i++) {
            join();
        }
        for (CreditPool.Account a : accounts) {
            register(a);
        }
        for (int step = 0; step < 100_000; step++) {
            CreditPool.Account a = accounts.get(random.nextInt(accounts.size()));
            switch (random.nextInt(6)) {
                case 0 -> pool.admit(a);
                case 1 -> {
                    if (a.inFlight() > 0) {
                        pool.end(a);
                    }
                }
                case 2 -> pool.onWaiting(a, random.nextInt(12));
                case 3 -> pool.onReturned(a, random.nextInt(a.granted() + 1));
                case 4 -> {
                    pool.takeGrant(a);
                    pool.takeReclaim(a);
                }
                default -> {
                    if (random.nextInt(50) == 0) {
                        pool.onLost(a);
                        register(a);
                    }
                }
            }
            assertInvariant();
        }
    }
}
