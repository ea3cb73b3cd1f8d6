package dev.switchboard.transport.zmq;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link ZmqGateway} binds and talks to its workers. Immutable; build with
 * {@link #builder()}.
 */
public interface ZmqGatewaySpec {

    /** Default endpoint: loopback, a port the system chooses. */
    String DEFAULT_ENDPOINT = "tcp://127.0.0.1:*";
    /** Default interval between heartbeats, in milliseconds. */
    long DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;
    /** Default number of heartbeat intervals without a message before a worker is dead. */
    int DEFAULT_LIVENESS = 3;
    /** Default number of response items a worker may send ahead of the relay's demand, per request. */
    int DEFAULT_RESPONSE_WINDOW = 16;
    /** Default bound on registered workers. */
    int DEFAULT_MAX_WORKERS = 1024;
    /** Default bound on one message, in bytes; a peer that sends a larger one is disconnected. */
    long DEFAULT_MAX_MESSAGE_BYTES = 16L << 20;
    /** Default bound on the work queued for the gateway's agent on the ZeroMQ I/O thread. */
    int DEFAULT_COMMAND_QUEUE_CAPACITY = 65_536;
    /**
     * Default wait for a worker to answer a CANCEL, in milliseconds; after it the gateway takes
     * the request for ended and its credit back.
     */
    long DEFAULT_CANCEL_WAIT_MS = 2000;

    /**
     * A builder with endpoint {@value #DEFAULT_ENDPOINT}, heartbeats every
     * {@value #DEFAULT_HEARTBEAT_INTERVAL_MS} ms, liveness {@value #DEFAULT_LIVENESS}, a response
     * window of {@value #DEFAULT_RESPONSE_WINDOW}, at most {@value #DEFAULT_MAX_WORKERS} workers,
     * messages of at most {@value #DEFAULT_MAX_MESSAGE_BYTES} bytes, a command queue of
     * {@value #DEFAULT_COMMAND_QUEUE_CAPACITY}, a cancel wait of {@value #DEFAULT_CANCEL_WAIT_MS} ms,
     * and no CURVE (which allows loopback endpoints only).
     *
     * @return a new builder
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * The ZeroMQ endpoint to bind, such as {@code tcp://127.0.0.1:5555}.
     *
     * @return the ZeroMQ endpoint to bind, such as {@code tcp://127.0.0.1:5555}
     */
    String endpoint();

    /**
     * How often the gateway sends each worker a heartbeat; also the longest interval it accepts.
     *
     * @return how often the gateway sends each worker a heartbeat; also the longest interval it accepts
     */
    Duration heartbeatInterval();

    /**
     * How many heartbeat intervals a worker may stay silent before it is dead.
     *
     * @return how many heartbeat intervals a worker may stay silent before it is dead
     */
    int liveness();

    /**
     * Response items a worker may send ahead of demand, per request.
     *
     * @return the response items a worker may send ahead of demand, per request
     */
    int responseWindow();

    /**
     * Bound on registered workers.
     *
     * @return the bound on registered workers
     */
    int maxWorkers();

    /**
     * Bound on one message, in bytes.
     *
     * @return the bound on one message, in bytes
     */
    long maxMessageBytes();

    /**
     * Bound on the commands queued for the I/O thread.
     *
     * @return the bound on the commands queued for the I/O thread
     */
    int commandQueueCapacity();

    /**
     * How long a worker may take to answer a CANCEL before the gateway takes the request for
     * ended and its credit back (counted in {@link ZmqGatewayStats#unansweredCancels()}).
     *
     * @return how long a worker may take to answer a CANCEL
     */
    Duration cancelWait();

    /**
     * The gateway's CURVE server keys, when CURVE is on.
     *
     * @return the gateway's CURVE server keys, when CURVE is on
     */
    Optional<CurveKeyPair> curveKeys();

    /**
     * The public keys (Z85) of the workers allowed in, when CURVE is on.
     *
     * @return the public keys (Z85) of the workers allowed in, when CURVE is on
     */
    Set<String> allowedWorkerKeys();

    /**
     * Whether a non-loopback endpoint may be bound without CURVE.
     *
     * @return whether a non-loopback endpoint may be bound without CURVE
     */
    boolean allowUnauthenticated();

    /** Builds a {@link ZmqGatewaySpec}. Not thread-safe. */
    final class Builder {
        private String endpoint = DEFAULT_ENDPOINT;
        private Duration heartbeatInterval = Duration.ofMillis(DEFAULT_HEARTBEAT_INTERVAL_MS);
        private int liveness = DEFAULT_LIVENESS;
        private int responseWindow = DEFAULT_RESPONSE_WINDOW;
        private int maxWorkers = DEFAULT_MAX_WORKERS;
        private long maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private int commandQueueCapacity = DEFAULT_COMMAND_QUEUE_CAPACITY;
        private Duration cancelWait = Duration.ofMillis(DEFAULT_CANCEL_WAIT_MS);
        private @Nullable CurveKeyPair curveKeys;
        private final Set<String> allowed = new LinkedHashSet<>();
        private boolean allowUnauthenticated;

        private Builder() {
        }

        /**
         * The endpoint to bind; {@code *} as port lets the system choose.
         *
         * @param endpoint the endpoint to bind; {@code *} as port lets the system choose
         * @return this builder
         */
        public Builder endpoint(String endpoint) {
            Objects.requireNonNull(endpoint, "endpoint");
            if (!endpoint.contains("://")) {
                throw new IllegalArgumentException("endpoint must look like tcp://host:port, was " + endpoint);
            }
            this.endpoint = endpoint;
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
         * Missed heartbeat intervals before a worker is dead, strictly positive.
         *
         * @param liveness missed heartbeat intervals before a worker is dead, strictly positive
         * @return this builder
         */
        public Builder liveness(int liveness) {
            this.liveness = positive(liveness, "liveness");
            return this;
        }

        /**
         * Response items a worker may send ahead of demand, per request; strictly positive.
         *
         * @param window response items a worker may send ahead of demand, per request; strictly positive
         * @return this builder
         */
        public Builder responseWindow(int window) {
            this.responseWindow = positive(window, "responseWindow");
            return this;
        }

        /**
         * Bound on registered workers, strictly positive.
         *
         * @param maxWorkers bound on registered workers, strictly positive
         * @return this builder
         */
        public Builder maxWorkers(int maxWorkers) {
            this.maxWorkers = positive(maxWorkers, "maxWorkers");
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
         * Bound on the commands queued for the I/O thread, strictly positive.
         *
         * @param capacity bound on the commands queued for the I/O thread, strictly positive
         * @return this builder
         */
        public Builder commandQueueCapacity(int capacity) {
            this.commandQueueCapacity = positive(capacity, "commandQueueCapacity");
            return this;
        }

        /**
         * Turns CURVE on with the gateway's server keys; workers need its public key.
         *
         * @param serverKeys the gateway's CURVE server key pair
         * @return this builder
         */
        public Builder curve(CurveKeyPair serverKeys) {
            this.curveKeys = Objects.requireNonNull(serverKeys, "serverKeys");
            return this;
        }

        /**
         * Allows the worker with this public key (Z85) in, under CURVE.
         *
         * @param publicKey a worker's CURVE public key (Z85)
         * @return this builder
         */
        public Builder allowWorker(String publicKey) {
            allowed.add(CurveKeyPair.checkKey(publicKey, "publicKey"));
            return this;
        }

        /**
         * How long a worker may take to answer a CANCEL, at least 1 ms.
         *
         * @param wait how long a worker may take to answer a CANCEL, at least 1 ms
         * @return this builder
         */
        public Builder cancelWait(Duration wait) {
            Objects.requireNonNull(wait, "wait");
            if (wait.toMillis() < 1) {
                throw new IllegalArgumentException("cancelWait must be at least 1 ms, was " + wait);
            }
            this.cancelWait = wait;
            return this;
        }

        /**
         * Lets a non-loopback endpoint be bound without CURVE: anyone who reaches it can join.
         *
         * @param allow whether a non-loopback endpoint may be bound without CURVE
         * @return this builder
         */
        public Builder allowUnauthenticated(boolean allow) {
            this.allowUnauthenticated = allow;
            return this;
        }

        /**
         * The spec.
         *
         * @return the spec
         * @throws IllegalStateException if the combination is unsafe or incomplete
         */
        public ZmqGatewaySpec build() {
            if (curveKeys == null && !allowed.isEmpty()) {
                throw new IllegalStateException("allowWorker(..) needs CURVE: call curve(serverKeys) as well");
            }
            if (curveKeys != null && allowed.isEmpty()) {
                throw new IllegalStateException(
                        "CURVE without allowed workers would refuse every worker: call allowWorker(publicKey)");
            }
            if (curveKeys == null && !allowUnauthenticated && !isLoopback(endpoint)) {
                throw new IllegalStateException("endpoint " + endpoint + " is not loopback and CURVE is off: "
                        + "call curve(..) and allowWorker(..), bind 127.0.0.1, or allowUnauthenticated(true)");
            }
            return new ZmqGatewaySpecImpl(endpoint, heartbeatInterval, liveness, responseWindow, maxWorkers,
                    maxMessageBytes, commandQueueCapacity, cancelWait, curveKeys, Set.copyOf(allowed), allowUnauthenticated);
        }

        static boolean isLoopback(String endpoint) {
            if (endpoint.startsWith("inproc://") || endpoint.startsWith("ipc://")) {
                return true;
            }
            String rest = endpoint.substring(endpoint.indexOf("://") + 3);
            return rest.startsWith("127.") || rest.startsWith("localhost:") || rest.startsWith("[::1]:");
        }

        private static int positive(int v, String name) {
            if (v < 1) {
                throw new IllegalArgumentException(name + " must be strictly positive, was " + v);
            }
            return v;
        }
    }
}
