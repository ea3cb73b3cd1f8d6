package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.routing.Router;
import dev.switchboard.core.test.LocalConnection;
import dev.switchboard.core.worker.LocalWorker;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** One frame per response item, the completion on the last one, binary bodies raw. */
class FramingTest {

    private final LocalWorker worker = LocalWorker.builder((req, ctx) -> {
        String body = req.payload().isBinary() ? "" : req.payload().utf8();
        return switch (body) {
            case "1" -> Flux.just(Payload.json("{\"n\":1}"));
            case "3" -> Flux.just(Payload.json("1"), Payload.json("2"), Payload.json("3"));
            case "0" -> Flux.empty();
            case "\"png\"" -> Flux.just(Payload.binary(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 10}));
            default -> {
                // a binary request: answer its bytes reversed, in two items
                byte[] in = req.payload().toByteArray();
                byte[] out = new byte[in.length];
                for (int i = 0; i < in.length; i++) {
                    out[i] = in[in.length - 1 - i];
                }
                yield Flux.just(Payload.binary(out), Payload.binary(new byte[0]));
            }
        };
    }).build();
    private final Relay relay = Relay.builder().router(Router.builder().worker(worker).build()).build();

    private List<Payload> answer(Payload request) {
        LocalConnection client = LocalConnection.reading();
        relay.serve(client).subscribe();
        client.send(request);
        return client.received();
    }

    @Test
    void emptyResponseIsExactlyOneEndFrame() {
        assertEquals(List.of(Payload.text("{\"id\":\"e\",\"end\":true}")),
                answer(Payload.text("{\"id\":\"e\",\"key\":\"k\",\"body\":0}")));
        assertEquals(1, relay.metrics().snapshot().frames());
    }

    @Test
    void binaryResponseToATextRequestUsesTheBinaryFraming() {
        List<Payload> frames = answer(Wire.request(5, "k", "\"png\""));
        assertEquals(1, frames.size());
        Payload f = frames.get(0);
        assertTrue(f.isBinary());
        byte[] raw = f.toByteArray();
        String header = "{\"id\":5,\"end\":true}";
        assertEquals(1, raw[0], "version byte");
        assertEquals(header.length(), ((raw[1] & 0xff) << 8) | (raw[2] & 0xff), "big-endian header length");
        assertEquals(header, Wire.header(f));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 10}, Wire.binaryBody(f), "raw body, no base64");
        assertEquals(3 + header.length() + 6, raw.length);
    }

    @Test
    void binaryRequestRoundTripsThroughTheBinaryFraming() {
        byte[] body = new byte[300];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        List<Payload> frames = answer(Wire.binaryRequest("{\"id\":\"b1\",\"key\":\"tiles/a.tif\"}", body));
        assertEquals(2, frames.size());
        assertEquals("{\"id\":\"b1\"}", Wire.header(frames.get(0)));
        byte[] reversed = Wire.binaryBody(frames.get(0));
        assertEquals(body.length, reversed.length);
        for (int i = 0; i < body.length; i++) {
            assertEquals(body[i], reversed[body.length - 1 - i]);
        }
        assertEquals("{\"id\":\"b1\",\"end\":true}", Wire.header(frames.get(1)));
        assertEquals(0, Wire.binaryBody(frames.get(1)).length);
    }

    @Test
    void binaryRequestWithALongHeaderUsesBothLengthBytes() {
        String key = "k".repeat(400);
        List<Payload> frames = answer(Wire.binaryRequest("{\"id\":1,\"key\":\"" + key + "\"}", new byte[] {1, 2}));
        assertEquals(2, frames.size());
        assertArrayEquals(new byte[] {2, 1}, Wire.binaryBody(frames.get(0)));
    }
}
