package dev.switchboard.transport.zmq.internal;

import org.jspecify.annotations.Nullable;

/**
 * One gateway's share of its worker's {@link CreditPool}: the account the pool keeps for that
 * gateway, joined when the gateway's agent starts and left when it closes, and the CREDIT and
 * RECLAIM the pool decides for it. Used on the I/O thread only, as the pool is; it must not touch
 * the agent's requests or its registration.
 */
final class PoolShare {
    private final CreditPool pool;
    private CreditPool.@Nullable Account account;

    PoolShare(CreditPool pool) {
        this.pool = pool;
    }

    /** Opens this gateway's account; {@code wake} runs when the pool has credits for it. */
    void join(Runnable wake) {
        account = pool.join(wake);
    }

    /** READY goes out ({@code again}: sent again before its acknowledgement); returns its CREDIT. */
    int onReady(boolean again) {
        return pool.onReady(account(), again);
    }

    /** The gateway acknowledged the registration. */
    void onRegistered() {
        pool.onRegistered(account());
    }

    /** The gateway reports {@code waiting} requests waiting for this worker's credit. */
    void onWaiting(int waiting) {
        pool.onWaiting(account(), waiting);
    }

    /** The gateway handed back {@code n} unused credits; false when it was granted fewer. */
    boolean onReturned(int n) {
        return pool.onReturned(account(), n);
    }

    /** A REQUEST arrived: whether it may run. */
    CreditPool.Admission admit() {
        return pool.admit(account());
    }

    /** A request of this gateway ended: true when its terminal record keeps the credit. */
    boolean end() {
        return pool.end(account());
    }

    /** The registration is lost: what this gateway held is free again. */
    void onLost() {
        CreditPool.Account a = account;
        if (a != null) {
            pool.onLost(a);
        }
    }

    /** The agent closes: the account goes. */
    void leave() {
        CreditPool.Account a = account;
        if (a != null) {
            pool.onLost(a);
            pool.leave(a);
        }
    }

    /** Sends the CREDIT and RECLAIM the pool decided for this gateway, while it is {@code registered}. */
    void sendCredits(DealerSocket dealer, boolean registered) {
        CreditPool.Account a = account();
        int grant = pool.takeGrant(a);
        if (grant > 0 && !(registered && dealer.send(Protocol.CREDIT, Protocol.u32(grant)))) {
            pool.ungrant(a, grant);
        }
        int reclaim = pool.takeReclaim(a);
        if (reclaim > 0 && !(registered && dealer.send(Protocol.RECLAIM, Protocol.u32(reclaim)))) {
            pool.reclaimFailed(a);
        }
    }

    private CreditPool.Account account() {
        CreditPool.Account a = account;
        if (a == null) {
            throw new IllegalStateException("the agent has not started");
        }
        return a;
    }
}
