package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** The publisher the connection subscribes to: one subscriber, and its cancel ends the session. */
class OutboundFramesTest {

    private final PipelineFixture fixture = new PipelineFixture(Ordering.UNORDERED, 4, 4, true);
    private final OutboundFrames frames = new OutboundFrames(fixture.pipeline, new OutboundQueue(false,
            new ArrayDeque<>(), new LongAdder(), new SessionTimers(fixture.time, Duration.ofSeconds(1),
                    Duration.ofSeconds(1))));

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void aSecondSubscriberIsRefused() {
        StepVerifier first = StepVerifier.create(frames).expectSubscription().thenCancel().verifyLater();
        StepVerifier.create(frames)
                .expectErrorMatches(e -> e instanceof IllegalStateException
                        && e.getMessage().equals("the outbound frames allow one subscriber"))
                .verify(Duration.ofSeconds(5));
        first.verify(Duration.ofSeconds(5));
    }

    @Test
    void theConnectionsCancelEndsTheSession() {
        assertFalse(fixture.pipeline.isTerminated());
        StepVerifier.create(frames).expectSubscription().thenCancel().verify(Duration.ofSeconds(5));
        assertTrue(fixture.pipeline.isTerminated());
    }
}
