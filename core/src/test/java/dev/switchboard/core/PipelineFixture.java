package dev.switchboard.core;

import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.test.ManualWorker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * One session pipeline on virtual time, over a {@link LocalConnection} and a {@link ManualWorker},
 * for the unit tests of the pipeline's pieces: they make {@link Exchange}s of it, and start it
 * only when the rule they test needs the whole session. Dispose it after the test.
 */
final class PipelineFixture implements AutoCloseable {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    static final Duration SLOW_CONSUMER_TIMEOUT = Duration.ofSeconds(5);

    final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    final ManualWorker worker = ManualWorker.create("w1", 8);
    final RelayImpl relay;
    final LocalConnection client;
    final SessionPipeline pipeline;

    PipelineFixture(Ordering ordering, int maxInFlight, int maxQueued, boolean reading) {
        this.relay = (RelayImpl) Relay.builder().router(Router.builder().worker(worker).build())
                .ordering(ordering).maxInFlight(maxInFlight).maxQueuedResponses(maxQueued)
                .requestTimeout(REQUEST_TIMEOUT).slowConsumerTimeout(SLOW_CONSUMER_TIMEOUT)
                .timer(time).build();
        this.client = reading ? LocalConnection.reading() : LocalConnection.notReading();
        Session session = Session.of("s-test", null, Map.of(), ordering, maxInFlight, maxQueued);
        this.pipeline = new SessionPipeline(relay, client, session, time);
    }

    /** Starts the session, as {@link Relay#serve} would. */
    PipelineFixture start() {
        pipeline.start().subscribe();
        return this;
    }

    /** A new exchange of the request {@code id}, read now. */
    Exchange exchange(long id) {
        Request request = Request.builder().sessionId("s-test").id(RequestId.of(id)).key("k").build();
        return new Exchange(pipeline, request, null, time.now(TimeUnit.NANOSECONDS));
    }

    /** A new exchange that is already running on a worker. */
    Exchange running(long id) {
        Exchange ex = exchange(id);
        ex.begun = true;
        return ex;
    }

    long nanos() {
        return time.now(TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        pipeline.terminate(null);
        time.dispose();
    }
}
