package dev.switchboard.transport.zmq.internal;

import dev.switchboard.core.transport.ServiceTimes;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.transport.zmq.ZmqWorkerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's registration with one gateway and the heartbeats both ways: READY (and its CREDIT, if any)
 * until the gateway acknowledges it, the HEARTBEATs it owes, the gateway's deadline, and what a
 * DISCONNECT means. It owns the timers and the registered state; it must not touch the requests
 * being served (losing the registration calls {@code onLost}, which ends them), nor the outbox
 * beyond sending its own messages. I/O thread only, but {@link #isRegistered} for any thread.
 */
final class Registration {

    private static final Logger log = LoggerFactory.getLogger(Registration.class);
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final ZmqWorkerSpec spec;
    private final String endpoint;
    private final DealerSocket dealer;
    private final LocalWorker local;
    private final Supplier<Set<String>> cachedKeys;
    private final LongAdder registrations;
    private final Runnable onLost;
    private final Runnable onRegistered;
    /** The credit to send with each READY (0: none), from the worker's {@link CreditPool}. */
    private final ReadyCredit readyCredit;
    private final long ownIntervalNanos;

    private volatile boolean registered;

    // I/O thread only
    private boolean readyOut;
    private long gatewayIntervalNanos;
    private long lastHeardNanos;
    private long nextHeartbeatNanos;
    private long nextReadyNanos;
    private long lastReadyNanos;
    private long unregisteredSinceNanos;
    private boolean warnedSilent;

    /** The credit a READY carries: {@link CreditPool#onReady}. */
    @FunctionalInterface
    interface ReadyCredit {
        /**
         * @param again a READY went out on this connection already and is not acknowledged yet
         * @return the credit to send after READY (0: none)
         */
        int credit(boolean again);
    }

    Registration(ZmqWorkerSpec spec, String endpoint, DealerSocket dealer, LocalWorker local,
            Supplier<Set<String>> cachedKeys, LongAdder registrations, Runnable onLost, Runnable onRegistered,
            ReadyCredit readyCredit) {
        this.spec = spec;
        this.endpoint = endpoint;
        this.dealer = dealer;
        this.local = local;
        this.cachedKeys = cachedKeys;
        this.registrations = registrations;
        this.onLost = onLost;
        this.onRegistered = onRegistered;
        this.readyCredit = readyCredit;
        this.ownIntervalNanos = spec.heartbeatInterval().toNanos();
        this.gatewayIntervalNanos = ownIntervalNanos;
    }

    /** READY is due at once. */
    void start(long now) {
        nextReadyNanos = now;
        unregisteredSinceNanos = now;
    }

    boolean isRegistered() {
        return registered;
    }

    long idleMillis(long now) {
        long next = registered ? Math.min(nextHeartbeatNanos, lastHeardNanos + deadlineNanos()) : nextReadyNanos;
        long waitMs = TimeUnit.NANOSECONDS.toMillis(next - now);
        return Math.min(waitMs, TimeUnit.NANOSECONDS.toMillis(ownIntervalNanos));
    }

    /** Says goodbye to the gateway, if registered; the caller ends what is served and closes. */
    void close() {
        if (registered && dealer.isOpen()) {
            dealer.send(Protocol.DISCONNECT);
        }
        registered = false;
    }

    private long deadlineNanos() {
        return spec.liveness() * gatewayIntervalNanos;
    }

    private long heartbeatNanos() {
        return Math.min(ownIntervalNanos, gatewayIntervalNanos);
    }

    /** The gateway missed its deadline, a HEARTBEAT is due, or READY is. */
    void timers(long now) {
        if (registered) {
            if (now - lastHeardNanos > deadlineNanos()) {
                log.warn("gateway {} missed {} heartbeats: registering again", endpoint, spec.liveness());
                // so that a gateway that still knows us fails what it sent us before we register again
                dealer.send(Protocol.DISCONNECT);
                unregister(now);
                dealer.reconnect();
                nextReadyNanos = now;
            } else if (now - nextHeartbeatNanos >= 0) {
                ServiceTimes t = local.serviceTimes();
                dealer.send(Protocol.HEARTBEAT, Protocol.u64((long) t.hitNanos()), Protocol.u64((long) t.missNanos()));
                nextHeartbeatNanos = now + heartbeatNanos();
            }
        }
        if (!registered && now - nextReadyNanos >= 0) {
            sendReady(now);
        }
        if (!registered && !warnedSilent && now - unregisteredSinceNanos > 10 * ownIntervalNanos) {
            warnedSilent = true;
            log.warn("worker {} has not registered with gateway {} for {} ms: is it running, and under CURVE "
                    + "is the server key right and this worker's key allowed?", spec.id(), endpoint,
                    TimeUnit.NANOSECONDS.toMillis(now - unregisteredSinceNanos));
        }
    }

    private void sendReady(long now) {
        List<byte[]> body = new ArrayList<>();
        body.add(Protocol.utf8(spec.id()));
        body.add(Protocol.u32(spec.capacity()));
        body.add(Protocol.u32((int) Math.max(1, spec.heartbeatInterval().toMillis())));
        for (String k : cachedKeys.get()) {
            if (body.size() - 3 >= Protocol.MAX_READY_KEYS) {
                break;
            }
            body.add(Protocol.utf8(k));
        }
        // a worker of several gateways grants them nothing before they acknowledge it; one of a
        // single gateway its whole capacity, as always. A READY sent again keeps the first one's grant
        int credit = readyCredit.credit(readyOut);
        boolean ok = dealer.send(Protocol.READY, body.toArray(new byte[0][]))
                && (credit == 0 || dealer.send(Protocol.CREDIT, Protocol.u32(credit)));
        if (log.isDebugEnabled()) {
            log.debug("worker {} sent READY to {}: {}", spec.id(), endpoint, ok);
        }
        if (ok) {
            readyOut = true;
            lastReadyNanos = now;
            nextReadyNanos = now + ownIntervalNanos;
        } else {
            // not connected yet: try again soon
            nextReadyNanos = now + Math.min(RETRY_NANOS, ownIntervalNanos);
        }
    }

    private void unregister(long now) {
        if (registered) {
            unregisteredSinceNanos = now;
            warnedSilent = false;
        }
        registered = false;
        readyOut = false;
        onLost.run();
    }

    /** The gateway's HEARTBEAT, with its interval in milliseconds (below 1: unchanged). */
    void onHeartbeat(int ms, long now) {
        if (ms >= 1) {
            gatewayIntervalNanos = TimeUnit.MILLISECONDS.toNanos(ms);
        }
        acknowledge(now);
    }

    /** Any sign of life from the gateway after READY means it registered us. */
    void acknowledge(long now) {
        lastHeardNanos = now;
        if (!registered && readyOut) {
            registered = true;
            registrations.increment();
            nextHeartbeatNanos = now + heartbeatNanos();
            log.info("worker {} registered with gateway {}", spec.id(), endpoint);
            onRegistered.run();
        }
    }

    /** A message that is no acknowledgement (CREDIT, CANCEL) still shows the gateway alive. */
    void heard(long now) {
        lastHeardNanos = now;
    }

    /** The gateway's DISCONNECT: register again, unless it answers a message sent before READY. */
    void onDisconnect(long now) {
        if (readyOut && !registered) {
            // READY is out and not yet acknowledged: this DISCONNECT answers a message sent
            // before it (a gateway that restarted meets the old registration's last
            // messages first). Acting on it would drop the registration the gateway is
            // making now, and the gateway would take the next READY for a retransmission.
            // Nothing is served yet; READY goes again at the interval anyway.
            return;
        }
        if (registered) {
            log.info("gateway {} asked worker {} to register again", endpoint, spec.id());
        }
        unregister(now);
        nextReadyNanos = Math.max(now, lastReadyNanos + ownIntervalNanos);
        if (now - lastReadyNanos > ownIntervalNanos) {
            nextReadyNanos = now;
        }
    }
}
