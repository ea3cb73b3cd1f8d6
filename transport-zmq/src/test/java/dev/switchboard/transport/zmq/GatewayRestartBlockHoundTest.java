package dev.switchboard.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link GatewayFaultTest}'s gateway restart under load, with BlockHound watching the I/O thread:
 * closing and binding again under load blocks nothing there, and nothing BlockHound would catch is
 * swallowed on the way (it once killed JeroMQ's I/O thread from its command mailbox, and the
 * restarted gateway "did not start within PT10S").
 */
@Tag(IoThreadBlockHound.TAG)
@ExtendWith(IoThreadBlockHound.class)
class GatewayRestartBlockHoundTest {

    @Test
    void aGatewayRestartedUnderLoadBlocksNothingOnTheIoThread() throws Exception {
        IoThreadBlockHound.clear();
        GatewayFaultTest restart = new GatewayFaultTest();
        try {
            restart.aGatewayRestartedUnderLoadIsRejoinedAndNoRequestHangs();
        } finally {
            restart.tearDown();
        }
        assertEquals(List.of(), IoThreadBlockHound.caught());
    }
}
