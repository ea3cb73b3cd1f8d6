package dev.switchboard.transport.zmq;

import dev.switchboard.core.routing.Membership;
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
 * The {@link ZmqGateway}: the gateway's socket thread on the process's {@link SharedContext} or,
 * under CURVE, on a context of its own with the ZAP thread.
 */
final class GatewayImpl implements ZmqGateway {

    private static final Logger log = LoggerFactory.getLogger(GatewayImpl.class);

    private final ZContext context;
    private final ZmqGatewaySpec spec;
    private final GatewayAgent agent;
    private final AgentRunner runner;
    private final @Nullable ZapAgent zap;
    private final @Nullable AgentRunner zapRunner;
    private final AtomicBoolean disposed = new AtomicBoolean();
    private final Sinks.Empty<Void> onDispose = Sinks.empty();

    private GatewayImpl(ZContext context, ZmqGatewaySpec spec, GatewayAgent agent, AgentRunner runner,
                        @Nullable ZapAgent zap, @Nullable AgentRunner zapRunner) {
        this.context = context;
        this.spec = spec;
        this.agent = agent;
        this.runner = runner;
        this.zap = zap;
        this.zapRunner = zapRunner;
    }

    static GatewayImpl bind(ZmqGatewaySpec spec, Membership membership, Duration timeout) {
        ZContext context;
        if (spec.curveKeys().isPresent()) {
            context = new ZContext(1);
            context.setLinger(0);
        } else {
            context = SharedContext.acquire();
        }
        ZapAgent zap = null;
        AgentRunner zapRunner = null;
        try {
            GatewayAgent agent = new GatewayAgent(spec, membership, context);
            if (spec.curveKeys().isPresent()) {
                zap = new ZapAgent(context, spec.allowedWorkerKeys(), agent.refused);
                zapRunner = AgentRunner.start(zap);
                zapRunner.awaitStart(timeout);
            }
            AgentRunner runner = AgentRunner.start(agent);
            runner.awaitStart(timeout);
            GatewayImpl gateway = new GatewayImpl(context, spec, agent, runner, zap, zapRunner);
            if (spec.curveKeys().isEmpty()) {
                log.warn("ZeroMQ gateway {} runs unauthenticated (no CURVE): any process that reaches it can join "
                        + "the worker pool", agent.endpoint());
            } else {
                log.info("ZeroMQ gateway {} bound with CURVE and {} allowed worker keys", agent.endpoint(),
                        spec.allowedWorkerKeys().size());
            }
            return gateway;
        } catch (RuntimeException e) {
            if (zap != null) {
                zap.stop();
            }
            close(context, spec);
            throw e;
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
        CompletableFuture<Void> closed = runner.closed();
        if (zap != null && zapRunner != null) {
            ZapAgent z = zap;
            AgentRunner zr = zapRunner;
            closed = closed.thenCompose(v -> {
                z.stop();
                return zr.closed();
            });
        }
        closed.whenComplete((v, e) -> {
            close(context, spec);
            onDispose.tryEmitEmpty();
        });
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
