package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** A hop runs a task on the connection's thread only when there is one and this is not it. */
class ConnectionThreadTest {

    /** An executor that queues its tasks, run by the test on its own thread. */
    private static final class Queued implements Executor {
        final List<Runnable> tasks = new ArrayList<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            while (!tasks.isEmpty()) {
                tasks.remove(0).run();
            }
        }
    }

    @Test
    void withoutAnExecutorNothingHops() {
        ConnectionThread none = new ConnectionThread(null);
        none.learnThread();
        assertFalse(none.hop(() -> { }));
    }

    @Test
    void aTaskFromAnotherThreadHopsAndOneFromTheConnectionsThreadRunsInPlace() {
        Queued executor = new Queued();
        ConnectionThread thread = new ConnectionThread(executor);
        assertTrue(thread.hop(() -> { }), "the executor's thread is not known yet");
        executor.tasks.clear();

        thread.learnThread();
        executor.runAll();
        assertFalse(thread.hop(() -> { }), "this test's thread is now the connection's");
        assertEquals(List.of(), executor.tasks);
    }

    @Test
    void aRefusedTaskIsLeftToTheCaller() {
        ConnectionThread closing = new ConnectionThread(task -> {
            throw new RejectedExecutionException("shutting down");
        });
        assertFalse(closing.hop(() -> { }));
    }
}
