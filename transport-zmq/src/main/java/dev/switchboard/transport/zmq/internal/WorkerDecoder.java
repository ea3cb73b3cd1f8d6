package dev.switchboard.transport.zmq.internal;

import static dev.switchboard.transport.zmq.internal.Protocol.readU32;
import static dev.switchboard.transport.zmq.internal.Protocol.readU64;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.transport.zmq.internal.Protocol.MalformedException;
import java.util.List;

/**
 * What a worker reads from a gateway, decoded without state or sockets, so that a fuzzer can
 * call it as the {@link WorkerAgent} does. Each method throws {@link MalformedException}, and
 * nothing else, on input that does not follow {@code PROTOCOL.md}.
 */
public final class WorkerDecoder {

    private WorkerDecoder() {
    }

    /** One REQUEST record: its tag, the item window the worker is granted, and the request. */
    public record Incoming(long tag, int window, Request request) {
    }

    /** A gateway's CREDIT: {@code n} more data items for the request {@code tag}. */
    public record Credit(long tag, int n) {
    }

    /**
     * The type of the message {@code f}, its signature and frame count checked. For the types
     * other than REQUEST the envelope is repeated at index 1, so that their fields are at the
     * indexes of the page's tables, from 2.
     */
    public static int type(List<byte[]> f) throws MalformedException {
        if (f.isEmpty()) {
            throw new MalformedException("no protocol signature");
        }
        int type = Protocol.type(f.get(0), f.size());
        if (type != Protocol.REQUEST) {
            f.add(1, f.get(0));
        }
        return type;
    }

    /** HEARTBEAT: the gateway's interval in milliseconds, 0 when it sent none. */
    public static int heartbeatIntervalMs(List<byte[]> f) throws MalformedException {
        return f.size() >= 3 ? readU32(f.get(2), "interval") : 0;
    }

    /**
     * HEARTBEAT: the requests waiting in the gateway for a credit of this worker (frame 2,
     * optional), at most {@link Protocol#MAX_WAITING}; -1 when it sent none.
     */
    public static int heartbeatWaiting(List<byte[]> f) throws MalformedException {
        if (f.size() < 4) {
            return -1;
        }
        int waiting = readU32(f.get(3), "waiting");
        if (waiting > Protocol.MAX_WAITING) {
            throw new MalformedException("waiting count " + waiting + " is over " + Protocol.MAX_WAITING);
        }
        return waiting;
    }

    /** CREDIT of one field: how many unused request credits the gateway hands back, 0..{@link Protocol#MAX_CAPACITY}. */
    public static int returned(List<byte[]> f) throws MalformedException {
        expect(f, 3, "CREDIT handing back");
        int n = readU32(f.get(2), "credits handed back");
        if (n > Protocol.MAX_CAPACITY) {
            throw new MalformedException("handed back " + n + " credits, over " + Protocol.MAX_CAPACITY);
        }
        return n;
    }

    public static Credit credit(List<byte[]> f) throws MalformedException {
        expect(f, 4, "CREDIT");
        return new Credit(readU64(f.get(2), "tag"), readU32(f.get(3), "credits"));
    }

    /** CANCEL: the tag of the request the client no longer wants. */
    public static long cancel(List<byte[]> f) throws MalformedException {
        expect(f, 3, "CANCEL");
        return readU64(f.get(2), "tag");
    }

    public static void expect(List<byte[]> f, int frames, String what) throws MalformedException {
        if (f.size() != frames) {
            throw new MalformedException(what + " must have " + frames + " frames");
        }
    }

    /** One REQUEST record, {@code frame[from, to)}. */
    /** The tag of the REQUEST record {@code frame[from, to)}: its first 8 bytes. */
    public static long requestTag(byte[] frame, int from, int to) throws MalformedException {
        return new RecordReader(frame, from, to).u64("tag");
    }

    public static Incoming request(byte[] frame, int from, int to) throws MalformedException {
        RecordReader in = new RecordReader(frame, from, to);
        long tag = in.u64("tag");
        int window = in.u32("window");
        int flags = in.u8("flags");
        if ((flags & ~Protocol.FLAG_PRINCIPAL) != 0) {
            throw new MalformedException("unknown request flags " + flags);
        }
        String key = in.text16(Protocol.MAX_KEY_BYTES, "key");
        String session = in.text16(Protocol.MAX_SESSION_ID_BYTES, "session id");
        int idKind = in.u8("request id kind");
        var id = Protocol.requestId(idKind, in.text16(Protocol.MAX_REQUEST_ID_BYTES, "request id"));
        String principal = (flags & Protocol.FLAG_PRINCIPAL) != 0
                ? in.text16(Protocol.MAX_PRINCIPAL_BYTES, "principal") : null;
        int kind = in.u8("payload kind");
        if (in.remaining() > Protocol.MAX_BODY_BYTES) {
            throw new MalformedException("body is longer than " + Protocol.MAX_BODY_BYTES + " bytes");
        }
        Payload payload = Protocol.payload(kind, in.rest());
        if (window < 1) {
            throw new MalformedException("window must be at least 1");
        }
        Request request = Request.builder().sessionId(session).id(id).key(key).payload(payload)
                .principal(principal).build();
        return new Incoming(tag, window, request);
    }
}
