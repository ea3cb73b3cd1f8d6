package dev.switchboard.transport.zmq.internal;

import static dev.switchboard.transport.zmq.internal.Protocol.FLAG_PRINCIPAL;
import static dev.switchboard.transport.zmq.internal.Protocol.ID_NUMBER;
import static dev.switchboard.transport.zmq.internal.Protocol.ID_STRING;
import static dev.switchboard.transport.zmq.internal.Protocol.PAYLOAD_BINARY;
import static dev.switchboard.transport.zmq.internal.Protocol.PAYLOAD_JSON;
import static dev.switchboard.transport.zmq.internal.Protocol.text16;
import static dev.switchboard.transport.zmq.internal.Protocol.utf8;

import dev.switchboard.core.Payload;
import dev.switchboard.core.RequestId;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * A REQUEST's record: its fields encoded once, its body copied only where it is written. It holds its fields and writes them; it touches no socket and no request state.
 */
public final class RequestRecord implements Record {
    private final long tag;
    private final int window;
    private final byte[] key;
    private final byte[] session;
    private final boolean numericId;
    private final byte[] id;
    private final byte @Nullable [] principal;
    private final Payload payload;

    public RequestRecord(long tag, int window, String key, Payload payload, String session, RequestId id,
                  @Nullable String principal) {
        this.tag = tag;
        this.window = window;
        this.key = utf8(key);
        this.session = utf8(session);
        this.numericId = id.isNumeric();
        this.id = utf8(id.toString());
        this.principal = principal == null ? null : utf8(principal);
        this.payload = payload;
    }

    @Override
    public int size() {
        return 8 + 4 + 1 + 2 + key.length + 2 + session.length + 1 + 2 + id.length
                + (principal == null ? 0 : 2 + principal.length) + 1 + payload.size();
    }

    @Override
    public void writeTo(ByteBuffer b) {
        b.putLong(tag).putInt(window).put((byte) (principal == null ? 0 : FLAG_PRINCIPAL));
        text16(b, key);
        text16(b, session);
        b.put(numericId ? ID_NUMBER : ID_STRING);
        text16(b, id);
        if (principal != null) {
            text16(b, principal);
        }
        b.put(payload.isBinary() ? PAYLOAD_BINARY : PAYLOAD_JSON).put(payload.data());
    }
}
