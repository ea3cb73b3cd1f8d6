package dev.switchboard.transport.zmq;

import dev.switchboard.core.worker.ResourceCache;
import dev.switchboard.transport.zmq.internal.Protocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * How a {@link ZmqWorker} connects and serves. Immutable; build with {@link #builder()}.
 */
public interface ZmqWorkerSpec {

    /** Default requests served at once, per gateway. */
    int DEFAULT_CAPACITY = 4;
    /** Default interval between heartbeats, in milliseconds. */
    long DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;
    /** Default number of heartbeat intervals without a message before a gateway is taken for dead. */
    int DEFAULT_LIVENESS = 3;
    /** Default bound on one message, in bytes. */
    long DEFAULT_MAX_MESSAGE_BYTES = 16L << 20;
    /** Default bound on the work queued for each worker connection's agent. */
    int DEFAULT_COMMAND_QUEUE_CAPACITY = 65_536;
    /**
     * Most gateways a worker is connected to at once, fixed endpoints and followed names' addresses
     * together: one DEALER socket each. Addresses beyond it are ignored, logged and counted
     * ({@link ZmqWorkerStats#gatewaysOverLimit()}).
     */
    int MAX_GATEWAYS = 64;
    /** Shortest period between two lookups of a followed name, in milliseconds. */
    long MIN_RESOLVE_PERIOD_MS = 10;

    /**
     * A builder with no endpoint and no name (one of them is required), id {@code host-pid-N}, capacity
     * {@value #DEFAULT_CAPACITY}, heartbeats every {@value #DEFAULT_HEARTBEAT_INTERVAL_MS} ms,
     * liveness {@value #DEFAULT_LIVENESS}, messages of at most {@value #DEFAULT_MAX_MESSAGE_BYTES}
     * bytes, command queues of {@value #DEFAULT_COMMAND_QUEUE_CAPACITY}, the handler run on
     * Reactor's bounded elastic scheduler (off the ZeroMQ I/O thread), no cache and no CURVE; at
     * most {@value #MAX_GATEWAYS} gateways; names followed with {@link GatewayResolver#system()}.
     *
     * @return a new builder
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * The gateways to connect to, one socket each, for the worker's whole life.
     *
     * @return the fixed gateways to connect to, one socket each
     */
    List<String> endpoints();

    /**
     * The host names whose every address is a gateway, looked up again every period
     * ({@link Builder#connectAll}).
     *
     * @return the names followed, in the order given
     */
    List<GatewayName> gatewayNames();

    /**
     * How the followed names are looked up.
     *
     * @return how the followed names are looked up
     */
    GatewayResolver resolver();

    /**
     * The worker's id, unique in each gateway's membership.
     *
     * @return the worker's id, unique in each gateway's membership
     */
    String id();

    /**
     * Requests it serves at once, over all its gateways together.
     *
     * @return the requests it serves at once
     */
    int capacity();

    /**
     * How often it sends heartbeats (it follows a gateway that asks for more often).
     *
     * @return how often it sends heartbeats (it follows a gateway that asks for more often)
     */
    Duration heartbeatInterval();

    /**
     * Missed gateway heartbeat intervals before it registers again.
     *
     * @return the missed gateway heartbeat intervals before it registers again
     */
    int liveness();

    /**
     * Bound on one message, in bytes.
     *
     * @return the bound on one message, in bytes
     */
    long maxMessageBytes();

    /**
     * Bound on the commands queued for each worker connection's agent.
     *
     * @return the bound on the commands queued for each worker connection's agent
     */
    int commandQueueCapacity();

    /**
     * The cache whose keys are request keys: reported to the gateways, and timed as hits and misses.
     *
     * @return the cache whose keys are request keys: reported to the gateways, and timed as hits and misses
     */
    Optional<ResourceCache<String, ?>> cache();

    /**
     * Where the handler runs: by default Reactor's bounded elastic scheduler, or the one given to
     * {@link Builder#blocking(Scheduler)}; empty when it runs inline on the ZeroMQ I/O thread
     * ({@link Builder#inline()}).
     *
     * @return where the handler runs; empty when inline on the ZeroMQ I/O thread
     */
    Optional<Scheduler> handlerScheduler();

    /**
     * The gateway's CURVE public key (Z85), when CURVE is on.
     *
     * @return the gateway's CURVE public key (Z85), when CURVE is on
     */
    Optional<String> curveServerKey();

    /**
     * The worker's own CURVE keys, when CURVE is on.
     *
     * @return the worker's own CURVE keys, when CURVE is on
     */
    Optional<CurveKeyPair> curveKeys();

    /**
     * A host name whose every address is a gateway on {@code port}, looked up every {@code period}.
     *
     * @param hostName the name looked up, such as a headless Service's {@code relays.default.svc}
     * @param port the gateways' port, the same at every address
     * @param period time between the end of one lookup and the start of the next
     */
    record GatewayName(String hostName, int port, Duration period) {

        /**
         * Checks the components.
         *
         * @param hostName the name looked up, not blank
         * @param port the gateways' port, 1 to 65535
         * @param period time between lookups, at least {@value ZmqWorkerSpec#MIN_RESOLVE_PERIOD_MS} ms
         */
        public GatewayName {
            Objects.requireNonNull(hostName, "hostName");
            Objects.requireNonNull(period, "period");
            if (hostName.isBlank() || hostName.contains("://")) {
                throw new IllegalArgumentException("hostName must be a bare host name, was '" + hostName + "'");
            }
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("port must be between 1 and 65535, was " + port);
            }
            if (period.toMillis() < MIN_RESOLVE_PERIOD_MS) {
                throw new IllegalArgumentException("period must be at least " + MIN_RESOLVE_PERIOD_MS + " ms, was "
                        + period);
            }
        }
    }

    /** Builds a {@link ZmqWorkerSpec}. Not thread-safe. */
    final class Builder {
        private final List<String> endpoints = new ArrayList<>();
        private final List<GatewayName> names = new ArrayList<>();
        private GatewayResolver resolver = GatewayResolver.system();
        private @Nullable String id;
        private int capacity = DEFAULT_CAPACITY;
        private Duration heartbeatInterval = Duration.ofMillis(DEFAULT_HEARTBEAT_INTERVAL_MS);
        private int liveness = DEFAULT_LIVENESS;
        private long maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private int commandQueueCapacity = DEFAULT_COMMAND_QUEUE_CAPACITY;
        private @Nullable ResourceCache<String, ?> cache;
        private @Nullable Scheduler scheduler;
        private boolean inline;
        private @Nullable String serverKey;
        private @Nullable CurveKeyPair keys;

        private Builder() {
        }

        /**
         * A gateway to connect to, such as {@code tcp://127.0.0.1:5555}; call once per gateway.
         *
         * @param endpoint a gateway to connect to, such as {@code tcp://127.0.0.1:5555}; call once per gateway
         * @return this builder
         */
        public Builder connect(String endpoint) {
            Objects.requireNonNull(endpoint, "endpoint");
            if (!endpoint.contains("://")) {
                throw new IllegalArgumentException("endpoint must look like tcp://host:port, was " + endpoint);
            }
            checkRoom();
            endpoints.add(endpoint);
            return this;
        }

        /**
         * Joins every gateway that {@code hostName} resolves to, and follows the name: each address
         * is a gateway at {@code tcp://ADDRESS:port}. The name is looked up when the worker starts
         * and again {@code period} after each lookup ends, off the ZeroMQ I/O thread. A new address
         * is connected and registered with; an address gone from the answer is left: the worker
         * says DISCONNECT to that gateway, cancels the requests it runs for it, and closes the
         * socket. A failed or empty lookup changes nothing (the last answer stays; the first
         * failure of a streak is logged). This is how a worker follows a Kubernetes headless
         * Service in front of the relays: relays added behind it are joined, removed ones left.
         * Fixed {@link #connect} endpoints are kept beside; an address that is also a fixed
         * endpoint gets one socket. At most {@value ZmqWorkerSpec#MAX_GATEWAYS} gateways in all.
         * Call once per name.
         *
         * @param hostName the name looked up, such as {@code relays.default.svc.cluster.local}
         * @param port the gateways' port, the same at every address
         * @param period time between the end of one lookup and the start of the next, at least
         *               {@value ZmqWorkerSpec#MIN_RESOLVE_PERIOD_MS} ms; keep it above the
         *               resolver's cache time
         * @return this builder
         */
        public Builder connectAll(String hostName, int port, Duration period) {
            GatewayName name = new GatewayName(hostName, port, period);
            checkRoom();
            names.add(name);
            return this;
        }

        /**
         * How followed names are looked up; by default {@link GatewayResolver#system()}.
         *
         * @param resolver how followed names are looked up
         * @return this builder
         */
        public Builder resolver(GatewayResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        private void checkRoom() {
            if (endpoints.size() + names.size() >= MAX_GATEWAYS) {
                throw new IllegalArgumentException("a worker connects to at most " + MAX_GATEWAYS + " gateways");
            }
        }

        /**
         * The worker's id, not blank, at most 256 bytes of UTF-8.
         *
         * @param id the worker's id, not blank, at most 256 bytes of UTF-8
         * @return this builder
         */
        public Builder id(String id) {
            Objects.requireNonNull(id, "id");
            if (id.isBlank() || Protocol.utf8(id).length > Protocol.MAX_ID_BYTES) {
                throw new IllegalArgumentException("id must be non-blank and at most 256 bytes, was '" + id + "'");
            }
            this.id = id;
            return this;
        }

        /**
         * Requests served at once, over all its gateways together, 1 to 65535. With several
         * gateways the worker grants its free slots where requests wait (the rule under CREDIT in
         * {@code PROTOCOL.md}), so no gateway that keeps to its credits is answered
         * {@code overloaded}.
         *
         * @param capacity requests served at once, over all its gateways together, 1 to 65535
         * @return this builder
         */
        public Builder capacity(int capacity) {
            if (capacity < 1 || capacity > 65_535) {
                throw new IllegalArgumentException("capacity must be between 1 and 65535, was " + capacity);
            }
            this.capacity = capacity;
            return this;
        }

        /**
         * The heartbeat interval, at least 10 ms.
         *
         * @param interval the heartbeat interval, at least 10 ms
         * @return this builder
         */
        public Builder heartbeatInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.toMillis() < 10) {
                throw new IllegalArgumentException("heartbeatInterval must be at least 10 ms, was " + interval);
            }
            this.heartbeatInterval = interval;
            return this;
        }

        /**
         * Missed heartbeat intervals before a gateway is taken for dead, strictly positive.
         *
         * @param liveness missed heartbeat intervals before a gateway is taken for dead, strictly positive
         * @return this builder
         */
        public Builder liveness(int liveness) {
            if (liveness < 1) {
                throw new IllegalArgumentException("liveness must be strictly positive, was " + liveness);
            }
            this.liveness = liveness;
            return this;
        }

        /**
         * Bound on one message in bytes, strictly positive.
         *
         * @param maxMessageBytes bound on one message in bytes, strictly positive
         * @return this builder
         */
        public Builder maxMessageBytes(long maxMessageBytes) {
            if (maxMessageBytes < 1) {
                throw new IllegalArgumentException("maxMessageBytes must be strictly positive, was " + maxMessageBytes);
            }
            this.maxMessageBytes = maxMessageBytes;
            return this;
        }

        /**
         * Bound on the commands queued for each worker connection's agent, strictly positive.
         *
         * @param capacity bound on the commands queued for each worker connection's agent, strictly positive
         * @return this builder
         */
        public Builder commandQueueCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("commandQueueCapacity must be strictly positive, was " + capacity);
            }
            this.commandQueueCapacity = capacity;
            return this;
        }

        /**
         * The resource cache the handler uses, keyed by request key.
         *
         * @param cache the resource cache the handler uses, keyed by request key
         * @return this builder
         */
        public Builder cache(ResourceCache<String, ?> cache) {
            this.cache = Objects.requireNonNull(cache, "cache");
            return this;
        }

        /**
         * Runs the handler on {@code scheduler}, which must be bounded (it may block there).
         *
         * @param scheduler a bounded scheduler, on which the handler may block
         * @return this builder
         */
        public Builder blocking(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            this.inline = false;
            return this;
        }

        /**
         * Runs the handler inline on the ZeroMQ I/O thread, which saves a thread hop per request.
         * That thread carries every ZeroMQ socket of the process (each gateway's and each worker's),
         * so the handler MUST NOT block, not even briefly (no file or database I/O, no lock that
         * may be held, no {@code block()}): that is the caller's responsibility. A test can check
         * it with BlockHound, marking those threads non-blocking ({@link IoThreads}).
         *
         * @return this builder
         */
        public Builder inline() {
            this.inline = true;
            this.scheduler = null;
            return this;
        }

        /**
         * Turns CURVE on: the gateway's public key and this worker's key pair.
         *
         * @param serverPublicKey the gateway's public key (Z85)
         * @param workerKeys this worker's CURVE key pair
         * @return this builder
         */
        public Builder curve(String serverPublicKey, CurveKeyPair workerKeys) {
            this.serverKey = CurveKeyPair.checkKey(serverPublicKey, "serverPublicKey");
            this.keys = Objects.requireNonNull(workerKeys, "workerKeys");
            return this;
        }

        /**
         * The spec.
         *
         * @return the spec
         * @throws IllegalStateException if neither an endpoint nor a name was given
         */
        public ZmqWorkerSpec build() {
            if (endpoints.isEmpty() && names.isEmpty()) {
                throw new IllegalStateException("a worker needs a gateway: call connect(\"tcp://host:port\") "
                        + "or connectAll(hostName, port, period)");
            }
            String theId = id != null ? id : defaultId();
            return new ZmqWorkerSpecImpl(List.copyOf(endpoints), List.copyOf(names), resolver, theId, capacity, heartbeatInterval, liveness,
                    maxMessageBytes, commandQueueCapacity, cache, inline ? null
                    : scheduler != null ? scheduler : Schedulers.boundedElastic(), serverKey, keys);
        }

        private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();

        private static String defaultId() {
            String host;
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "worker";
            }
            return host + "-" + ProcessHandle.current().pid() + "-" + IDS.incrementAndGet();
        }
    }
}
