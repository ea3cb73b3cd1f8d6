package dev.switchboard.transport.zmq.internal;

import static dev.switchboard.transport.zmq.internal.Protocol.PAYLOAD_BINARY;
import static dev.switchboard.transport.zmq.internal.Protocol.PAYLOAD_JSON;

import dev.switchboard.core.Payload;
import java.nio.ByteBuffer;

/**
 * A RESPONSE's record with a data item ({@link Protocol#DATA} or {@link Protocol#DATA_END}). It holds its fields and writes them; it touches no socket and no request state.
 */
public record DataRecord(long tag, byte status, Payload payload) implements Record {
    @Override
    public int size() {
        return 8 + 1 + 1 + payload.size();
    }

    @Override
    public void writeTo(ByteBuffer b) {
        b.putLong(tag).put(status).put(payload.isBinary() ? PAYLOAD_BINARY : PAYLOAD_JSON).put(payload.data());
    }
}
