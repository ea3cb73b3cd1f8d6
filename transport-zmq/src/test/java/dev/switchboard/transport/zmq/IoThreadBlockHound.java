package dev.switchboard.transport.zmq;

import dev.switchboard.transport.zmq.internal.IoLoop;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Installs BlockHound for a test class, watching the ZeroMQ I/O threads ({@link IoThreads}) as
 * well as Reactor's non-blocking threads. BlockHound cannot be uninstalled, so the classes that
 * use this run tagged {@value #TAG}, in a JVM of their own (transport-zmq's pom).
 *
 * <p>A blocking call on a watched thread throws {@link BlockingOperationError} there, where code
 * may catch and swallow it; every one is also recorded ({@link #caught()}) so a test can say none
 * happened.
 */
final class IoThreadBlockHound implements BeforeAllCallback {

    /** The JUnit tag of the classes that install it. */
    static final String TAG = "blockhound";

    private static final int MAX_RECORDED = 64;
    private static final ConcurrentLinkedQueue<String> CAUGHT = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger RECORDED = new AtomicInteger();

    @Override
    public void beforeAll(ExtensionContext context) {
        BlockHound.install(new Integration());
    }

    /** The blocking calls caught on a watched thread so far (at most {@value #MAX_RECORDED}). */
    static List<String> caught() {
        return List.copyOf(CAUGHT);
    }

    static void clear() {
        CAUGHT.clear();
        RECORDED.set(0);
    }

    /**
     * The I/O threads are non-blocking. What JeroMQ itself does there once per socket, and the
     * test logger, is allowed, each for a stated reason.
     */
    static final class Integration implements BlockHoundIntegration {
        @Override
        public void applyTo(BlockHound.Builder builder) {
            builder.nonBlockingThreadPredicate(p -> p.or(IoThreads::isIoThread));
            // JeroMQ, once per socket the agents open: the context's lock around its socket
            // table, and the seed of a new socket's id
            builder.allowBlockingCallsInside("zmq.Ctx", "createSocket");
            builder.allowBlockingCallsInside("zmq.Ctx", "destroySocket");
            builder.allowBlockingCallsInside("zmq.util.Utils", "randomInt");
            // JeroMQ's command mailbox between its threads (a socket closing sends term acks
            // from the I/O thread): a lock held for one command and a one-byte write into the
            // JDK's Pipe, whose sink takes a ReentrantLock. Contended, it parks for a moment;
            // BlockHound's error thrown there kills JeroMQ's I/O thread (Poller.run catches
            // nothing), the context with it: every later start times out, every close hangs
            builder.allowBlockingCallsInside("zmq.Mailbox", "send");
            // our own wake-up of the I/O thread (IoLoop.wake), from any thread, Reactor's
            // parallel ones too: one byte into the task pipe, gated by the pending flag, so the
            // sink's lock is contended only by the one writer ahead finishing its write. Before
            // IoLoop reset the flag on any failure, BlockHound's error thrown here left the flag
            // up and the loop deaf for good: the restarted gateway "did not start within PT10S"
            builder.allowBlockingCallsInside(IoLoop.class.getName(), "wake");
            // the JDK, once per JVM at a first bind: java.net reads its default properties file
            builder.allowBlockingCallsInside("sun.net.NetProperties", "loadDefaultProperties");
            // slf4j-simple writes to the console: this module's test logger, not its code
            builder.allowBlockingCallsInside("org.slf4j.simple.SimpleLogger", "write");
            builder.blockingMethodCallback(method -> {
                if (RECORDED.incrementAndGet() <= MAX_RECORDED) {
                    CAUGHT.add(Thread.currentThread().getName() + ": " + method);
                }
                throw new BlockingOperationError(method);
            });
        }
    }
}
