package dev.switchboard.transport.netty;

import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The leak check itself: a buffer dropped without release is reported, so a leak fails a test. */
@ExtendWith(NettyLeakCheck.class)
class NettyLeakCheckTest {

    @Test
    void recordsABufferThatWasNeverReleased() {
        leak();
        // each poll collects and allocates again: the leak detector reports when the next buffer is taken
        await("the deliberate leak reported").atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20)).until(() -> {
                    System.gc();
                    PooledByteBufAllocator.DEFAULT.directBuffer(8).release();
                    return !NettyLeakCheck.LEAKS.isEmpty();
                });
        NettyLeakCheck.LEAKS.clear();
    }

    private static void leak() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        b.writeLong(42);
    }
}
