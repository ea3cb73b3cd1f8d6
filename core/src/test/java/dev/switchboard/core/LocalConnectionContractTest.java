package dev.switchboard.core;

import dev.switchboard.core.test.ConnectionContract;
import dev.switchboard.core.test.LocalConnection;
import java.util.List;
import reactor.core.Disposable;

/** The connection contract against the in-JVM {@link LocalConnection}. */
class LocalConnectionContractTest extends ConnectionContract {

    @Override
    protected Client connect(Relay relay, boolean read) {
        LocalConnection c = read ? LocalConnection.reading() : LocalConnection.notReading();
        Disposable session = relay.serve(c).subscribe();
        return new Client() {
            @Override
            public void send(String text) {
                c.sendText(text);
            }

            @Override
            public List<String> received() {
                return c.received().stream().map(Payload::utf8).toList();
            }

            @Override
            public void dispose() {
                session.dispose();
            }
        };
    }
}
