package dev.switchboard.transport.zmq;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Agent} on a daemon thread named after its role. An error in a round is logged
 * and the agent goes on; an error at start ends it. Never interrupted: agents stop on a control
 * message, because JeroMQ sockets are not interrupt-safe.
 */
final class AgentRunner implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(AgentRunner.class);

    private final Agent agent;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Thread thread;

    private AgentRunner(Agent agent) {
        this.agent = agent;
        this.thread = new Thread(this, agent.roleName());
        this.thread.setDaemon(true);
    }

    /** Starts {@code agent} on a thread of its own. */
    static AgentRunner start(Agent agent) {
        AgentRunner runner = new AgentRunner(agent);
        runner.thread.start();
        return runner;
    }

    @Override
    public void run() {
        try {
            agent.onStart();
            started.complete(null);
            while (!agent.isDone()) {
                int work;
                try {
                    work = agent.doWork();
                } catch (RuntimeException e) {
                    log.error("{} failed in a round of work; it goes on", agent.roleName(), e);
                    work = 0;
                }
                if (work == 0 && !agent.isDone()) {
                    agent.idle();
                }
            }
        } catch (Throwable e) {
            if (!started.completeExceptionally(e)) {
                log.error("{} stopped on an error", agent.roleName(), e);
            }
        } finally {
            try {
                agent.onClose();
            } catch (Throwable e) {
                log.warn("{} failed to close", agent.roleName(), e);
            }
            started.completeExceptionally(new IllegalStateException(agent.roleName() + " stopped"));
            closed.complete(null);
        }
    }

    /** Waits, bounded, until the agent started; rethrows why it could not. */
    void awaitStart(Duration timeout) {
        try {
            started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(agent.roleName() + " failed to start", cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException(agent.roleName() + " did not start within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + agent.roleName() + " started");
        }
    }

    /** Completes when the agent has closed its sockets. */
    CompletableFuture<Void> closed() {
        return closed;
    }

    /** Whether this is the agent's own thread. */
    boolean isAgentThread() {
        return Thread.currentThread() == thread;
    }
}
