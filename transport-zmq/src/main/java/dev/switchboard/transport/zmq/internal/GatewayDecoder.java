package dev.switchboard.transport.zmq.internal;

import static dev.switchboard.transport.zmq.internal.Protocol.readU32;
import static dev.switchboard.transport.zmq.internal.Protocol.readU64;
import static dev.switchboard.transport.zmq.internal.Protocol.readU8;
import static dev.switchboard.transport.zmq.internal.Protocol.readUtf8;

import dev.switchboard.core.Payload;
import dev.switchboard.core.transport.ServiceTimes;
import dev.switchboard.transport.zmq.internal.Protocol.MalformedException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the gateway reads from a worker, decoded without state or sockets, so that a fuzzer can
 * call it as the {@link GatewayAgent} does. Each method throws {@link MalformedException}, and
 * nothing else, on input that does not follow {@code PROTOCOL.md}.
 */
public final class GatewayDecoder {

    private GatewayDecoder() {
    }

    /** READY: the worker id, its capacity and heartbeat interval, and the keys it holds cached. */
    public record Ready(String id, int capacity, int intervalMs, List<String> keys) {
    }

    /** CACHE: whether the keys were cached or evicted. */
    public record Cache(boolean cached, List<String> keys) {
    }

    /**
     * One RESPONSE record. (Records without type annotations on their components: the JVM of
     * JDK 17 breaks a record with them when an agent such as the fuzzer's retransforms it.)
     */
    public sealed interface Response permits Data, End, Failure {
        /** The request's tag. */
        long tag();

        /** A terminal record whose credit the worker keeps ({@link Protocol#KEPT}): it does not return. */
        boolean kept();
    }

    /** Status {@link Protocol#DATA}, or {@link Protocol#DATA_END} when {@code end}, which may be {@code kept}. */
    public record Data(long tag, boolean end, Payload payload, boolean kept) implements Response {
    }

    /** Status {@link Protocol#END}. */
    public record End(long tag, boolean kept) implements Response {
    }

    /** Status {@link Protocol#ERROR}: the code as sent (perhaps unknown) and the message. */
    public record Failure(long tag, String code, String message, boolean kept) implements Response {
    }

    /**
     * The type of the message {@code f} (frames as received, the routing id removed), its
     * signature and frame count checked. For the types other than RESPONSE the envelope is
     * repeated at index 1, so that their fields are at the indexes of the page's tables, from 2.
     */
    public static int type(List<byte[]> f) throws MalformedException {
        if (f.isEmpty()) {
            throw new MalformedException("no protocol signature");
        }
        int type = Protocol.type(f.get(0), f.size());
        if (type != Protocol.RESPONSE) {
            f.add(1, f.get(0));
        }
        return type;
    }

    public static Ready ready(List<byte[]> f) throws MalformedException {
        if (f.size() < 5) {
            throw new MalformedException("READY has " + f.size() + " frames");
        }
        String id = readUtf8(f.get(2), Protocol.MAX_ID_BYTES, "worker id");
        int capacity = readU32(f.get(3), "capacity");
        int intervalMs = readU32(f.get(4), "heartbeat interval");
        if (id.isBlank() || capacity < 1 || capacity > Protocol.MAX_CAPACITY || intervalMs < 1) {
            throw new MalformedException("READY has a blank id, a capacity outside 1..65535 or no interval");
        }
        List<String> keys = new ArrayList<>(f.size() - 5);
        for (int i = 5; i < f.size(); i++) {
            keys.add(readUtf8(f.get(i), Protocol.MAX_KEY_BYTES, "key"));
        }
        return new Ready(id, capacity, intervalMs, keys);
    }

    /** CREDIT: how many more REQUESTs the worker takes. */
    public static int credit(List<byte[]> f) throws MalformedException {
        expect(f, 3, "CREDIT");
        return readU32(f.get(2), "credits");
    }

    /** RECLAIM: how many unused credits the worker asks back, 1..{@link Protocol#MAX_CAPACITY}. */
    public static int reclaim(List<byte[]> f) throws MalformedException {
        expect(f, 3, "RECLAIM");
        int n = readU32(f.get(2), "credits asked back");
        if (n < 1 || n > Protocol.MAX_CAPACITY) {
            throw new MalformedException("RECLAIM of " + n + " credits, not within 1.." + Protocol.MAX_CAPACITY);
        }
        return n;
    }

    /** HEARTBEAT: the worker's service times, or null when it sent none. */
    public static @Nullable ServiceTimes heartbeat(List<byte[]> f) throws MalformedException {
        if (f.size() == 4) {
            long hit = readU64(f.get(2), "hit nanos");
            long miss = readU64(f.get(3), "miss nanos");
            if (hit < 0 || miss < 0) {
                throw new MalformedException("negative service time");
            }
            return new ServiceTimes(hit, miss);
        }
        if (f.size() != 2) {
            throw new MalformedException("HEARTBEAT has " + f.size() + " frames");
        }
        return null;
    }

    public static Cache cache(List<byte[]> f) throws MalformedException {
        if (f.size() < 3) {
            throw new MalformedException("CACHE without an operation");
        }
        int op = readU8(f.get(2), "cache operation");
        if (op != Protocol.CACHED && op != Protocol.EVICTED) {
            throw new MalformedException("unknown cache operation " + op);
        }
        List<String> keys = new ArrayList<>(f.size() - 3);
        for (int i = 3; i < f.size(); i++) {
            keys.add(readUtf8(f.get(i), Protocol.MAX_KEY_BYTES, "key"));
        }
        return new Cache(op == Protocol.CACHED, keys);
    }

    /** The tag of the RESPONSE record {@code frame[from, to)}: its first 8 bytes. */
    public static long responseTag(byte[] frame, int from, int to) throws MalformedException {
        return new RecordReader(frame, from, to).u64("tag");
    }

    /** One RESPONSE record, {@code frame[from, to)}. */
    public static Response response(byte[] frame, int from, int to) throws MalformedException {
        RecordReader in = new RecordReader(frame, from, to);
        long tag = in.u64("tag");
        int raw = in.u8("status");
        boolean kept = (raw & Protocol.KEPT) != 0;
        int status = raw & ~Protocol.KEPT & 0xff;
        if (kept && status == Protocol.DATA) {
            throw new MalformedException("a kept credit on a record that carries none");
        }
        switch (status) {
            case Protocol.DATA, Protocol.DATA_END -> {
                Payload p = Protocol.payload(in.u8("payload kind"), in.rest());
                return new Data(tag, status == Protocol.DATA_END, p, kept);
            }
            case Protocol.END -> {
                in.end("RESPONSE end");
                return new End(tag, kept);
            }
            case Protocol.ERROR -> {
                String code = in.text16(64, "error code");
                if (in.remaining() > Protocol.MAX_ERROR_MESSAGE_BYTES) {
                    // checked before the copy: the record may be as long as a message
                    throw new MalformedException("error message is longer than " + Protocol.MAX_ERROR_MESSAGE_BYTES
                            + " bytes");
                }
                byte[] m = in.rest();
                String message = Protocol.readUtf8(m, Protocol.MAX_ERROR_MESSAGE_BYTES, "error message");
                return new Failure(tag, code, message, kept);
            }
            default -> throw new MalformedException("unknown response status " + raw);
        }
    }

    private static void expect(List<byte[]> f, int frames, String what) throws MalformedException {
        if (f.size() != frames) {
            throw new MalformedException(what + " must have " + frames + " frames, had " + f.size());
        }
    }
}
