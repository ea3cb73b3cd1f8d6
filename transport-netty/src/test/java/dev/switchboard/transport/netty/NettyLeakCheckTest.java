package dev.switchboard.transport.netty;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The leak check itself: a buffer dropped without release is reported, so a leak fails a test. */
@ExtendWith(NettyLeakCheck.class)
class NettyLeakCheckTest {

    @Test
    void recordsABufferThatWasNeverReleased() {
        leak();
        Boolean seen = Flux.interval(Duration.ZERO, Duration.ofMillis(20))
                .doOnNext(t -> {
                    System.gc();
                    PooledByteBufAllocator.DEFAULT.directBuffer(8).release();
                })
                .filter(t -> !NettyLeakCheck.LEAKS.isEmpty())
                .next().map(t -> true)
                .timeout(Duration.ofSeconds(10), Mono.just(false))
                .block();
        assertTrue(Boolean.TRUE.equals(seen), "the deliberate leak was not reported");
        NettyLeakCheck.LEAKS.clear();
    }

    private static void leak() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        b.writeLong(42);
    }
}
