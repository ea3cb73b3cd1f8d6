package dev.switchboard.transport.netty;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What the test JVM holds: open file descriptors, heap after GC, live threads. */
public final class ProcessStats {

    private ProcessStats() {
    }

    /** Open file descriptors of this process ({@code /proc/self/fd}). */
    public static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Heap in use after garbage collection: the least of five collections. */
    public static long heapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Live threads. */
    public static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }
}
