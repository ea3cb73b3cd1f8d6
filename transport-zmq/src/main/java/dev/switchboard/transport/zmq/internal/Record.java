package dev.switchboard.transport.zmq.internal;

import java.nio.ByteBuffer;

/**
 * A record that writes itself, without the envelope: into a batch, or after one. Its implementations touch no socket and no request state.
 */
public sealed interface Record permits RequestRecord, DataRecord {
    /** Its length in bytes. */
    int size();

    /** Writes it at {@code b}'s position; {@code b} has {@link #size()} bytes left. */
    void writeTo(ByteBuffer b);
}
