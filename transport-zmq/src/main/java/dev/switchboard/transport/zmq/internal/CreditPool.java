package dev.switchboard.transport.zmq.internal;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One worker's capacity over all the gateways it serves, the rule under CREDIT in
 * {@code PROTOCOL.md}: the sum over gateways of credits granted and unused plus requests in flight
 * never exceeds the capacity. It owns that bookkeeping, one {@link Account} per gateway, and the
 * decisions (what to grant whom, which terminal RESPONSE keeps its credit, whom to ask for unused
 * credits back); it must not touch a socket: each agent sends what its account is due
 * ({@link #takeGrant}, {@link #takeReclaim}) at the end of its round, and is woken for it.
 *
 * <p>With one gateway it does what a worker always did: the whole capacity with READY, every
 * credit back with its terminal RESPONSE, no other message. With several, a gateway is granted
 * nothing before it acknowledges READY; one registered while the others are down gets every free
 * slot once registered, and every credit back. With several registered, free slots go first to
 * the gateways that report requests waiting, one at a time to the one holding fewest (so that
 * busy gateways share the capacity evenly), and a gateway with nothing waiting holds at most
 * {@link #STANDING} credit, and only while slots are free.
 *
 * <p>I/O thread only: every agent of a worker runs on the shared context's one I/O thread
 * ({@link SharedContext}), so no lock is needed or taken.
 */
final class CreditPool {

    /** Credits a gateway with nothing waiting may hold, while slots are free, when there are several. */
    static final int STANDING = 1;

    /** How a REQUEST was admitted, or that it was not. */
    enum Admission {
        /** On a credit this gateway was granted. */
        CREDITED,
        /**
         * Nothing granted to this gateway: the guard against one that sends beyond its credits.
         * Refused even when a slot is free: a gateway that took a credit back after its cancel wait
         * settles it itself when the late answer comes (CANCEL in {@code PROTOCOL.md}); taking the
         * request on a free slot as well would count that gateway a credit it does not hold.
         */
        REFUSED
    }

    /** One gateway's share of the capacity. I/O thread only. */
    static final class Account {
        private final Runnable wake;
        /** Credits granted to the gateway and not spent, as far as the worker knows. */
        private int granted;
        private int inFlight;
        /** Requests waiting in the gateway, as it last reported, less what was granted since. */
        private int want;
        private boolean registered;
        /** A RECLAIM is out and not answered (cleared by the answer or the next report). */
        private boolean reclaiming;
        private int grantDue;
        private int reclaimDue;

        private Account(Runnable wake) {
            this.wake = wake;
        }

        private int held() {
            return granted + inFlight;
        }

        private void reset() {
            granted = 0;
            want = 0;
            registered = false;
            reclaiming = false;
            grantDue = 0;
            reclaimDue = 0;
        }

        int granted() {
            return granted;
        }

        int inFlight() {
            return inFlight;
        }
    }

    private final int capacity;
    /** At most {@code ZmqWorkerSpec.MAX_GATEWAYS}, one per agent. */
    private final List<Account> accounts = new ArrayList<>();

    CreditPool(int capacity) {
        this.capacity = capacity;
    }

    /** A gateway's agent starts; {@code wake} asks it for a round, in which it sends what it is due. */
    Account join(Runnable wake) {
        Account a = new Account(wake);
        accounts.add(a);
        return a;
    }

    /** The agent closed (after {@link #onLost}): its slots go to the others. */
    void leave(Account a) {
        accounts.remove(a);
        rebalance();
    }

    private int free() {
        int held = 0;
        for (int i = 0; i < accounts.size(); i++) {
            held += accounts.get(i).held();
        }
        return capacity - held;
    }

    /**
     * Whether {@code a} is the only gateway the worker is registered with (or about to be): then
     * it gets every free slot and every credit back, as a worker of one gateway always did. A
     * gateway that is down takes nothing from the live ones.
     */
    private boolean alone(Account a) {
        for (int i = 0; i < accounts.size(); i++) {
            Account other = accounts.get(i);
            if (other != a && other.registered) {
                return false;
            }
        }
        return true;
    }

    /**
     * READY goes out on {@code a}'s connection. Returns the credit to send with it: a worker of one
     * gateway grants its whole capacity with READY, as always; a worker of several grants nothing
     * before the gateway acknowledges it, and then by the rule ({@link #onRegistered}).
     *
     * <p>A first READY (none went out since the registration was lost, or ever) voids whatever
     * {@code a} was granted: a new registration starts at 0 credits. A READY sent {@code again},
     * the first not acknowledged yet, changes nothing and carries the first one's credit again:
     * the gateway may hold the first one's grant already (it takes the READY for a retransmission
     * and keeps its credits), and voiding it here would leave that gateway credits the worker no
     * longer counts, which it then grants to the others. The gateway that got both holds no more
     * than the capacity minus its requests in flight, so the repeated credit adds nothing to it.
     */
    int onReady(Account a, boolean again) {
        if (again) {
            return a.granted;
        }
        a.reset();
        if (accounts.size() > 1) {
            return 0;
        }
        a.granted = Math.max(0, free());
        return a.granted;
    }

    /** The gateway acknowledged READY. */
    void onRegistered(Account a) {
        a.registered = true;
        rebalance();
    }

    /** The registration is lost and everything served for it was cancelled: its slots are free. */
    void onLost(Account a) {
        a.inFlight = 0;
        a.reset();
        rebalance();
    }

    /** A REQUEST arrived from {@code a}'s gateway; on admission it is in flight until {@link #end}. */
    Admission admit(Account a) {
        if (a.granted > 0) {
            a.granted--;
            a.inFlight++;
            return Admission.CREDITED;
        }
        return Admission.REFUSED;
    }

    /**
     * A request of {@code a} ends: its terminal RESPONSE goes now. Returns true when the worker
     * keeps the credit (the record carries {@link Protocol#KEPT}): another gateway waits and this
     * one waits for nothing or holds more, and the slot is granted to it; or this gateway waits for
     * nothing and holds its standing credit already. Otherwise the credit returns with the record.
     */
    boolean end(Account a) {
        a.inFlight--;
        if (alone(a)) {
            a.granted++;
            return false;
        }
        @Nullable Account other = neediest(a);
        if (other != null && (a.want == 0 || other.held() < a.held())) {
            grant(other, 1);
            return true;
        }
        if (a.want == 0 && a.granted >= STANDING) {
            rebalance();
            return true;
        }
        a.granted++;
        // the gateway spends the credit on a request that waits there, if one does
        a.want = Math.max(0, a.want - 1);
        return false;
    }

    /** {@code a}'s gateway reports {@code waiting} requests waiting for a credit. */
    void onWaiting(Account a, int waiting) {
        if (!a.registered) {
            return;
        }
        // what was granted and not yet spent will take as many of them
        a.want = Math.max(0, waiting - a.granted);
        a.reclaiming = false;
        rebalance();
    }

    /**
     * {@code a}'s gateway handed back {@code n} unused credits.
     *
     * @return false when it handed back more than it was granted (malformed; it then holds none)
     */
    boolean onReturned(Account a, int n) {
        a.reclaiming = false;
        boolean valid = n <= a.granted;
        a.granted = valid ? a.granted - n : 0;
        rebalance();
        return valid;
    }

    /** The credits {@code a}'s agent must send in a CREDIT now (0: none). */
    int takeGrant(Account a) {
        int n = a.grantDue;
        a.grantDue = 0;
        return n;
    }

    /** How many credits {@code a}'s agent must ask back in a RECLAIM now (0: none). */
    int takeReclaim(Account a) {
        int n = a.reclaimDue;
        a.reclaimDue = 0;
        return n;
    }

    /** The CREDIT of {@code n} could not be sent: the gateway never got them. */
    void ungrant(Account a, int n) {
        a.granted = Math.max(0, a.granted - n);
    }

    /** The RECLAIM could not be sent. */
    void reclaimFailed(Account a) {
        a.reclaiming = false;
    }

    /** Hands out the free slots by the rule, and asks back idle credits that waiting requests need. */
    private void rebalance() {
        if (accounts.isEmpty()) {
            return;
        }
        int free = free();
        @Nullable Account only = null;
        int registered = 0;
        for (int i = 0; i < accounts.size(); i++) {
            if (accounts.get(i).registered) {
                only = accounts.get(i);
                registered++;
            }
        }
        if (registered <= 1) {
            if (only != null && free > 0) {
                grant(only, free);
            }
            return;
        }
        @Nullable Account next;
        while (free > 0 && (next = neediest(null)) != null) {
            grant(next, 1);
            free--;
        }
        int deficit = 0;
        for (int i = 0; i < accounts.size(); i++) {
            Account a = accounts.get(i);
            if (a.registered) {
                deficit += a.want;
            }
        }
        for (int i = 0; i < accounts.size() && deficit > 0; i++) {
            Account a = accounts.get(i);
            if (a.registered && a.want == 0 && a.granted > 0 && !a.reclaiming) {
                int n = Math.min(a.granted, deficit);
                a.reclaimDue = n;
                a.reclaiming = true;
                deficit -= n;
                a.wake.run();
            }
        }
        for (int i = 0; i < accounts.size() && free > 0; i++) {
            Account a = accounts.get(i);
            if (a.registered && a.want == 0 && a.granted == 0 && !a.reclaiming) {
                grant(a, STANDING);
                free -= STANDING;
            }
        }
    }

    /** The registered account other than {@code except} that waits and holds fewest; ties: most waiting. */
    private @Nullable Account neediest(@Nullable Account except) {
        Account best = null;
        for (int i = 0; i < accounts.size(); i++) {
            Account a = accounts.get(i);
            if (a == except || !a.registered || a.want == 0) {
                continue;
            }
            if (best == null || a.held() < best.held() || (a.held() == best.held() && a.want > best.want)) {
                best = a;
            }
        }
        return best;
    }

    private void grant(Account a, int n) {
        a.granted += n;
        a.want = Math.max(0, a.want - n);
        a.grantDue += n;
        a.wake.run();
    }
}
