package dev.switchboard.core;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;

/**
 * The client's frames into one session: it asks the connection for {@code maxInFlight + 1}
 * frames at first (one beyond the limit, so that a cancel can be read while the session is at
 * it; the pipeline asks for more as places free), decodes each frame with the relay's codec,
 * applies the session's routing key and the request {@link Limits}, answers what it cannot
 * accept with {@code bad_request} (counted), and hands the pipeline either a cancel or an
 * {@link Exchange}. It owns the inbound subscription and the decoding; it must not touch the
 * session's line, permits or outbound frames: admission, cancels and the end are the pipeline's.
 */
final class InboundFrames implements CoreSubscriber<Payload> {

    private static final Logger log = LoggerFactory.getLogger(InboundFrames.class);

    private final SessionPipeline pipeline;
    private final RelayImpl relay;
    private final Session session;
    /** The session-level routing key, when the relay routes this session as a whole. */
    private final @Nullable String sessionKey;
    /** Guarded by the pipeline's lock. */
    private @Nullable Subscription subscription;

    InboundFrames(SessionPipeline pipeline, RelayImpl relay, Session session) {
        this.pipeline = pipeline;
        this.relay = relay;
        this.session = session;
        this.sessionKey = relay.sessionRoutingKey == null ? null : session.attributes().get(relay.sessionRoutingKey);
    }

    /** The connection's frames, once subscribed; null before. Under the pipeline's lock. */
    @Nullable Subscription subscription() {
        return subscription;
    }

    @Override
    public void onSubscribe(Subscription s) {
        synchronized (pipeline) {
            if (pipeline.isTerminated() || subscription != null) {
                s.cancel();
                return;
            }
            subscription = s;
        }
        // one frame beyond the limit, so that a cancel can arrive while the session is at it
        s.request(session.maxInFlight() + 1L);
    }

    @Override
    public void onNext(Payload frame) {
        ClientMessage message = null;
        Response bad = null;
        try {
            message = java.util.Objects.requireNonNull(relay.codec.decode(frame, session),
                    "the codec returned null");
        } catch (CodecException e) {
            bad = Response.error(e.requestId().orElse(null), ErrorCode.BAD_REQUEST, e.getMessage());
        } catch (RuntimeException e) {
            bad = Response.error(null, ErrorCode.BAD_REQUEST, "undecodable frame");
        }
        if (message instanceof Cancel cancel) {
            pipeline.cancel(cancel.id());
            return;
        }
        relay.requests.increment();
        Request request = (Request) message;
        if (request != null && sessionKey != null) {
            request = request.toBuilder().key(sessionKey).build();
        }
        if (request != null && bad == null) {
            // whatever codec built it: a request over a limit never reaches a worker
            var violation = Limits.violation(request);
            if (violation.isPresent()) {
                bad = Response.error(request.id(), ErrorCode.BAD_REQUEST, violation.get());
            }
        }
        if (bad != null) {
            relay.countError(ErrorCode.BAD_REQUEST);
            if (log.isDebugEnabled()) {
                log.debug("{}: bad request: {}", session, bad.message());
            }
        }
        pipeline.admit(new Exchange(pipeline, request, bad, pipeline.now()));
    }

    @Override
    public void onError(Throwable t) {
        log.debug("{}: inbound failed", session, t);
        pipeline.terminate(CloseStatus.INTERNAL_ERROR.withReason("transport error"));
    }

    @Override
    public void onComplete() {
        pipeline.terminate(CloseStatus.NORMAL);
    }
}
