package dev.switchboard.transport.zmq.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The ZAP handler (RFC 27) of a CURVE gateway: answers each CURVE handshake with 200 when the
 * worker's public key is on the allow-list and 400 otherwise. It binds
 * {@code inproc://zeromq.zap.01} in the gateway's own context before the ROUTER binds, because
 * JeroMQ lets every client in when no handler is bound.
 */
final class ZapAgent implements Agent {

    static final String ZAP_ENDPOINT = "inproc://zeromq.zap.01";
    private static final Logger log = LoggerFactory.getLogger(ZapAgent.class);

    private final ZContext context;
    private final Set<String> allowed;
    private final LoopRunner runner;
    private final LongAdder refused;
    private ZMQ.Socket handler;
    private boolean done;

    ZapAgent(ZContext context, IoLoop loop, Set<String> allowedZ85, LongAdder refused) {
        this.context = context;
        this.allowed = allowedZ85;
        this.refused = refused;
        this.runner = new LoopRunner(loop, this);
    }

    LoopRunner runner() {
        return runner;
    }

    @Override
    public String roleName() {
        return "switchboard-zmq-zap";
    }

    @Override
    public void onStart() {
        handler = context.createSocket(SocketType.REP);
        handler.setLinger(0);
        handler.bind(ZAP_ENDPOINT);
        runner.watch(handler);
    }

    void stop() {
        runner.stop();
    }

    @Override
    public int doWork() {
        if (runner.stopRequested()) {
            done = true;
            return 1;
        }
        int work = 0;
        byte[] first;
        while ((first = handler.recv(ZMQ.DONTWAIT)) != null) {
            List<byte[]> frames = new ArrayList<>(8);
            frames.add(first);
            while (handler.hasReceiveMore() && frames.size() < 16) {
                byte[] f = handler.recv(ZMQ.DONTWAIT);
                if (f == null) {
                    break;
                }
                frames.add(f);
            }
            answer(frames);
            work++;
        }
        return work;
    }

    private void answer(List<byte[]> f) {
        byte[] requestId = f.size() > 1 ? f.get(1) : new byte[0];
        boolean ok = false;
        String key = "";
        if (f.size() >= 7 && "1.0".equals(new String(f.get(0), ZMQ.CHARSET))
                && "CURVE".equals(new String(f.get(5), ZMQ.CHARSET)) && f.get(6).length == ZMQ.Curve.KEY_SIZE) {
            key = ZMQ.Curve.z85Encode(f.get(6));
            ok = allowed.contains(key);
        }
        if (!ok) {
            refused.increment();
            log.warn("refused a CURVE handshake from a key that is not allowed: {}", key.isEmpty() ? "(none)" : key);
        }
        handler.sendMore("1.0");
        handler.sendMore(requestId);
        handler.sendMore(ok ? "200" : "400");
        handler.sendMore(ok ? "OK" : "key not allowed");
        handler.sendMore(ok ? key : "");
        handler.send(new byte[0]);
    }

    @Override
    public long idleMillis() {
        return 1000;
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public void onClose() {
        if (handler != null) {
            runner.unwatch(handler);
            context.destroySocket(handler);
        }
    }
}
