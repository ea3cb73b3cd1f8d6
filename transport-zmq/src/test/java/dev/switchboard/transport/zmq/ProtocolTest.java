package dev.switchboard.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProtocolTest {

    @Test
    void readsAsciiAndMultiByteUtf8FromTheMiddleOfAFrame() throws Exception {
        byte[] frame = "..tiles/7/3/5..".getBytes(StandardCharsets.UTF_8);
        assertEquals("tiles/7/3/5", Protocol.readUtf8(frame, 2, 11, 64, "key"));
        byte[] accented = "xxcafé, 東京xx".getBytes(StandardCharsets.UTF_8);
        assertEquals("café, 東京", Protocol.readUtf8(accented, 2, accented.length - 4, 64, "key"));
    }

    @Test
    void refusesInvalidUtf8AndTextOverItsLimit() {
        byte[] invalid = {'a', (byte) 0xff, (byte) 0xfe, 'b'};
        Protocol.MalformedException e = assertThrows(Protocol.MalformedException.class,
                () -> Protocol.readUtf8(invalid, 0, 4, 64, "key"));
        assertEquals("key is not valid UTF-8", e.getMessage());
        // a multi-byte sequence cut at the end of the field
        byte[] cut = "é".getBytes(StandardCharsets.UTF_8);
        assertThrows(Protocol.MalformedException.class, () -> Protocol.readUtf8(cut, 0, 1, 64, "key"));
        assertThrows(Protocol.MalformedException.class, () -> Protocol.readUtf8(new byte[65], 0, 65, 64, "key"));
    }
}
