package dev.switchboard.transport.netty;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.core.publisher.Mono;

/**
 * Makes a leak that Netty's detector reports fail the test: the detector factory is replaced
 * before any buffer class creates its detector, every report is recorded, and after each test
 * garbage is collected and allocations made so that pending reports surface.
 */
public final class NettyLeakCheck implements BeforeAllCallback, AfterEachCallback {

    static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
    private static final boolean INSTALLED;

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        INSTALLED = true;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    /**
     * Installs the recording detector (if this class was not loaded yet) and clears earlier
     * reports; for test engines without Jupiter extensions (jqwik), call it before any buffer is made.
     */
    public static void install() {
        assertTrue(INSTALLED);
        assertTrue(ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID,
                "tests run with -Dio.netty.leakDetection.level=paranoid, was " + ResourceLeakDetector.getLevel());
        assertTrue(ResourceLeakDetectorFactory.instance() instanceof RecordingFactory,
                "the recording leak detector factory was replaced");
        LEAKS.clear();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        assertNoLeaks();
    }

    /** Surfaces pending reports and fails if Netty reported a leak since the last check. */
    public static void assertNoLeaks() {
        for (int round = 0; round < 4 && LEAKS.isEmpty(); round++) {
            System.gc();
            // reference processing runs after the collection, on another thread
            Mono.delay(Duration.ofMillis(25)).block();
            touch(ByteBufAllocator.DEFAULT);
            touch(PooledByteBufAllocator.DEFAULT);
            touch(UnpooledByteBufAllocator.DEFAULT);
        }
        if (!LEAKS.isEmpty()) {
            List<String> leaks = new ArrayList<>(LEAKS);
            LEAKS.clear();
            fail("Netty reported " + leaks.size() + " leak(s):\n" + String.join("\n", leaks));
        }
    }

    private static void touch(ByteBufAllocator alloc) {
        for (int i = 0; i < 8; i++) {
            ByteBuf b = alloc.directBuffer(16);
            b.release();
            b = alloc.heapBuffer(16);
            b.release();
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        // the abstract method every factory must implement, deprecated in favour of the two-argument one
        @SuppressWarnings("deprecation")
        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                   long maxActive) {
            return new RecordingDetector<>(resource, samplingInterval);
        }

        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add("LEAK " + resourceType + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add("LEAK " + resourceType + " (untraced)");
            super.reportUntracedLeak(resourceType);
        }
    }
}
