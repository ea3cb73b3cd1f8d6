package dev.switchboard.transport.zmq.internal;

import dev.switchboard.core.routing.Membership;
import dev.switchboard.transport.zmq.ZmqGateway;
import dev.switchboard.transport.zmq.ZmqGatewaySpec;
import dev.switchboard.transport.zmq.ZmqGatewayStats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The {@link ZmqGateway}: the gateway's agent on the I/O thread of the process's {@link SharedContext} or,
 * under CURVE, on a context of its own with the ZAP thread.
 */
public final class GatewayImpl implements ZmqGateway {

    private static final Logger log = LoggerFactory.getLogger(GatewayImpl.class);

    private final ZContext context;
    private final ZmqGatewaySpec spec;
    private final GatewayAgent agent;
    private final @Nullable ZapAgent zap;
    private final AtomicBoolean disposed = new AtomicBoolean();
    private final Sinks.Empty<Void> onDispose = Sinks.empty();

    private GatewayImpl(ZContext context, ZmqGatewaySpec spec, GatewayAgent agent, @Nullable ZapAgent zap) {
        this.context = context;
        this.spec = spec;
        this.agent = agent;
        this.zap = zap;
    }

    public static GatewayImpl bind(ZmqGatewaySpec spec, Membership membership, Duration timeout) {
        ZContext context;
        IoLoop loop;
        if (spec.curveKeys().isPresent()) {
            context = new ZContext(1);
            context.setLinger(0);
            loop = IoLoop.install(context);
        } else {
            context = SharedContext.acquire();
            loop = SharedContext.loop(context);
        }
        ZapAgent zap = null;
        GatewayAgent agent = null;
        try {
            agent = new GatewayAgent(spec, membership, context, loop);
            if (spec.curveKeys().isPresent()) {
                zap = new ZapAgent(context, loop, spec.allowedWorkerKeys(), agent.counters.refused);
                zap.runner().start();
                zap.runner().awaitStart(timeout);
            }
            agent.runner().start();
            agent.runner().awaitStart(timeout);
            GatewayImpl gateway = new GatewayImpl(context, spec, agent, zap);
            if (spec.curveKeys().isEmpty()) {
                log.warn("ZeroMQ gateway {} runs unauthenticated (no CURVE): any process that reaches it can join "
                        + "the worker pool", agent.endpoint());
            } else {
                log.info("ZeroMQ gateway {} bound with CURVE and {} allowed worker keys", agent.endpoint(),
                        spec.allowedWorkerKeys().size());
            }
            return gateway;
        } catch (RuntimeException e) {
            // an agent that started late or failed half-way is stopped and closed before its context goes
            try {
                if (agent != null) {
                    stopAndWait(agent.runner(), timeout);
                    agent.awaitRouterClosed();
                }
                if (zap != null) {
                    stopAndWait(zap.runner(), timeout);
                }
            } finally {
                close(context, spec);
            }
            throw e;
        }
    }

    /** Stops an agent and waits, bounded, until it closed (at once if it never started and cannot). */
    private static void stopAndWait(LoopRunner runner, Duration timeout) {
        runner.stop();
        try {
            runner.closed().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("a ZeroMQ gateway agent did not close within {} after a failed bind", timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String endpoint() {
        return agent.endpoint();
    }

    @Override
    public List<String> workerIds() {
        return agent.workerIds();
    }

    @Override
    public ZmqGatewayStats stats() {
        return agent.stats();
    }

    @Override
    public Mono<Void> onDispose() {
        return onDispose.asMono();
    }

    @Override
    public void dispose() {
        if (!disposed.compareAndSet(false, true)) {
            return;
        }
        agent.stop();
        CompletableFuture<Void> closed = agent.runner().closed();
        if (zap != null) {
            ZapAgent z = zap;
            closed = closed.thenCompose(v -> {
                z.stop();
                return z.runner().closed();
            });
        }
        // the agents close on the I/O thread; waiting for the listener and closing the context block
        closed.whenCompleteAsync((v, e) -> {
            try {
                agent.awaitRouterClosed();
            } finally {
                try {
                    close(context, spec);
                } finally {
                    onDispose.tryEmitEmpty();
                }
            }
        }, Blocking.EXECUTOR);
    }

    /** Closes a CURVE gateway's own context, or gives the shared one back. */
    private static void close(ZContext context, ZmqGatewaySpec spec) {
        if (spec.curveKeys().isPresent()) {
            context.close();
        } else {
            SharedContext.release(context);
        }
    }

    @Override
    public boolean isDisposed() {
        return disposed.get();
    }
}
