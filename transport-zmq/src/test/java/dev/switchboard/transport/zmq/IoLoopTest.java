package dev.switchboard.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.transport.zmq.internal.Agent;
import dev.switchboard.transport.zmq.internal.IoLoop;
import dev.switchboard.transport.zmq.internal.LoopRunner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.ZContext;

/** Agents on a context's I/O thread: every hand-off runs there, and every timer fires. */
@Timeout(60)
class IoLoopTest {

    private ZContext context;
    private IoLoop loop;

    @BeforeEach
    void open() {
        context = new ZContext(1);
        context.setLinger(0);
        loop = IoLoop.install(context);
    }

    @AfterEach
    void close() {
        context.close();
    }

    @Test
    void everyTaskQueuedByManyThreadsAtOnceRunsOnTheIoThread() throws Exception {
        int threads = 4;
        int each = 50_000;
        CountDownLatch ran = new CountDownLatch(threads * each);
        AtomicBoolean elsewhere = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                pool.execute(() -> {
                    for (int i = 0; i < each; i++) {
                        loop.execute(() -> {
                            if (!loop.inLoop()) {
                                elsewhere.set(true);
                            }
                            ran.countDown();
                        });
                    }
                });
            }
            // a wake-up lost between the loop's reading and a sender's flag would leave tasks behind for good
            assertTrue(ran.await(30, TimeUnit.SECONDS), ran.getCount() + " tasks never ran");
            assertFalse(elsewhere.get(), "a task ran off the I/O thread");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anAgentsTimerFiresWhenItsDeadlineComesEarlierThanTheOneArmed() throws Exception {
        // the first idle asks for 10 s, every later one for the time left to a deadline 100 ms out:
        // the runner cancels the far timer and arms a near one, which must fire
        CountDownLatch reached = new CountDownLatch(1);
        AtomicInteger rounds = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        Agent agent = new Agent() {
            @Override
            public String roleName() {
                return "timer-test";
            }

            @Override
            public void onStart() {
            }

            @Override
            public int doWork() {
                rounds.incrementAndGet();
                if (System.nanoTime() - deadline >= 0) {
                    reached.countDown();
                }
                return 0;
            }

            @Override
            public long idleMillis() {
                return rounds.get() <= 1 ? 10_000 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            }

            @Override
            public boolean isDone() {
                return done.get();
            }

            @Override
            public void onClose() {
            }
        };
        LoopRunner runner = new LoopRunner(loop, agent);
        runner.start();
        runner.awaitStart(java.time.Duration.ofSeconds(5));
        runner.wake();
        assertTrue(reached.await(5, TimeUnit.SECONDS), "the near timer never fired");
        done.set(true);
        runner.stop();
        runner.closed().get(5, TimeUnit.SECONDS);
    }
}
