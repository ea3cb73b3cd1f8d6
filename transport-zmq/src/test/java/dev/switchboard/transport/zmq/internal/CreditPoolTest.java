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
        int credit = pool.onReady(a, false);
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
        assertEquals(CAPACITY, pool.onReady(a, false));
        assertEquals(CAPACITY, pool.onReady(a, true), "READY sent again: the same grant again");
        assertEquals(CAPACITY, a.granted(), "counted once");
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
    void aSecondGatewayGetsUnusedCreditsBackFromAnIdleOneAndKeptCreditsFromABusyOne() {
        CreditPool.Account a = join();
        CreditPool.Account b = join();
        assertEquals(0, pool.onReady(a, false), "a worker of several gateways: no credit with READY");
        pool.onRegistered(a);
        assertEquals(CAPACITY, pool.takeGrant(a), "registered alone: the whole capacity once acknowledged");
        assertEquals(0, pool.onReady(b, false));
        pool.onRegistered(b);
        assertEquals(0, pool.takeGrant(b));
        // 3 wait at B: A, idle, is asked for 3 of its unused credits, which go to B
        pool.onWaiting(b, 3);
        assertEquals(3, pool.takeReclaim(a));
        assertTrue(pool.onReturned(a, 3));
        assertEquals(3, pool.takeGrant(b));
        assertEquals(1, a.granted(), "A keeps a standing credit");
        assertInvariant();
        // B runs them; 2 wait at A, which holds 1: B's next response keeps its credit for A
        for (int i = 0; i < 3; i++) {
            assertEquals(CreditPool.Admission.CREDITED, pool.admit(b));
        }
        pool.onWaiting(a, 2);
        assertEquals(0, pool.takeReclaim(b), "B holds nothing unused");
        assertTrue(pool.end(b), "the credit goes to the gateway that waits");
        assertEquals(1, pool.takeGrant(a));
        assertInvariant();
        assertFalse(pool.onReturned(a, 5), "more handed back than granted is malformed");
        assertInvariant();
    }

    @Test
    void aRequestBeyondItsGatewaysGrantIsRefusedEvenWithASlotFree() {
        CreditPool.Account a = join();
        CreditPool.Account b = join();
        pool.onReady(a, false);
        pool.onRegistered(a);
        pool.takeGrant(a);
        pool.onReady(b, false);
        pool.onRegistered(b);
        pool.onWaiting(b, 3);
        assertTrue(pool.onReturned(a, pool.takeReclaim(a)));
        for (int i = 0; i < 3; i++) {
            assertEquals(CreditPool.Admission.CREDITED, pool.admit(b));
        }
        for (int i = 0; i < 3; i++) {
            pool.end(b);
        }
        assertEquals(1, a.granted(), "A holds its standing credit");
        assertEquals(2, CAPACITY - a.granted() - b.granted() - a.inFlight() - b.inFlight(), "two slots free");
        assertEquals(CreditPool.Admission.CREDITED, pool.admit(a));
        // A gives that request up after its cancel wait, takes its credit back and spends it: the
        // worker has not seen the CANCEL yet. A free slot must not take it: A's gateway settles that
        // credit itself when the late answer comes (CANCEL in PROTOCOL.md), and a worker that
        // counted the spare request too would count A one credit it does not hold, for good
        assertEquals(CreditPool.Admission.REFUSED, pool.admit(a), "nothing granted to A: refused");
        assertFalse(pool.end(a), "the late answer of the request A gave up: its credit returns");
        assertEquals(1, a.granted() + a.inFlight(),
                "the worker counts for A what A's gateway holds: the credit the refusal gave back");
        assertInvariant();
    }

    @Test
    void aReadySentAgainKeepsTheGrantOfTheFirstWhichTheGatewayMayHoldAlready() {
        // the first READY went out while this was the worker's only gateway, with the whole capacity
        CreditPool.Account a = join();
        assertEquals(CAPACITY, pool.onReady(a, false));
        CreditPool.Account b = join();
        assertEquals(0, pool.onReady(b, false));
        pool.onRegistered(b);
        assertEquals(0, pool.takeGrant(b), "A may hold every slot: nothing is free for B");
        // A's READY goes again before A acknowledged the first: A keeps what the first granted
        assertEquals(CAPACITY, pool.onReady(a, true), "the first one's credit, again");
        pool.onRegistered(a);
        pool.onWaiting(b, 2);
        assertEquals(0, pool.takeGrant(b), "still nothing free for B");
        assertEquals(2, pool.takeReclaim(a), "B's requests wait: A's unused credits are asked back");
        assertEquals(CAPACITY, a.granted() + b.granted(), "no more than the capacity out");
        assertInvariant();
    }

    @Test
    void aGatewayThatNeverRegistersTakesNothingFromTheLiveOne() {
        CreditPool.Account a = join();
        CreditPool.Account down = join();
        assertEquals(0, pool.onReady(a, false));
        pool.onRegistered(a);
        assertEquals(CAPACITY, pool.takeGrant(a), "every free slot once acknowledged");
        assertEquals(0, pool.onReady(down, false), "READY to a gateway that never answers");
        assertEquals(0, pool.onReady(down, true), "and again");
        pool.onWaiting(a, 9);
        for (int i = 0; i < CAPACITY; i++) {
            assertEquals(CreditPool.Admission.CREDITED, pool.admit(a));
        }
        for (int i = 0; i < CAPACITY; i++) {
            assertFalse(pool.end(a), "every credit returns to the only live gateway");
        }
        assertEquals(0, pool.takeGrant(a));
        assertEquals(0, pool.takeReclaim(a));
        assertEquals(CAPACITY, a.granted());
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
