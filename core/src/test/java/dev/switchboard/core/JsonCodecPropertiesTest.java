package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever bytes a client sends, the codec answers with a request, a cancel or a CodecException. */
class JsonCodecPropertiesTest {

    private static final Session SESSION = Session.of("s", null, Map.of(), Ordering.UNORDERED, 1, 1);

    private static final List<String> VALID = List.of(
            "{\"id\":1,\"key\":\"k\",\"body\":{\"a\":[1,2,{\"b\":null}],\"s\":\"x\\\"y\"}}",
            "{\"id\":\"abc\",\"key\":\"slides/1.svs\",\"body\":[true,false,1.5e10]}",
            "{\"key\":\"k\",\"id\":-9223372036854775808}");

    private static void decodeOrCodecException(Payload frame) {
        try {
            Codec.json().decode(frame, SESSION);
        } catch (CodecException expected) {
            // the only failure a client can cause
        }
    }

    @Property(tries = 3000)
    void randomBytesDecodeOrFailWithCodecExceptionOnly(@ForAll byte[] bytes, @ForAll boolean text) {
        decodeOrCodecException(text ? Payload.text(bytes) : Payload.binary(bytes));
    }

    @Property(tries = 3000)
    void mutatedRequestsDecodeOrFailWithCodecExceptionOnly(@ForAll("mutated") byte[] bytes) {
        decodeOrCodecException(Payload.text(bytes));
        byte[] binary = new byte[3 + bytes.length];
        binary[0] = 1;
        binary[1] = (byte) (bytes.length >>> 8);
        binary[2] = (byte) bytes.length;
        System.arraycopy(bytes, 0, binary, 3, bytes.length);
        decodeOrCodecException(Payload.binary(binary));
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        Arbitrary<byte[]> base = Arbitraries.of(VALID).map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<int[]> edits = Arbitraries.integers().between(0, Integer.MAX_VALUE).array(int[].class).ofMinSize(1)
                .ofMaxSize(6);
        return Combinators.combine(base, edits).as(JsonCodecPropertiesTest::mutate);
    }

    /** Flips, overwrites, deletes, duplicates or truncates bytes, each edit chosen by one number. */
    private static byte[] mutate(byte[] source, int[] edits) {
        byte[] b = source.clone();
        for (int e : edits) {
            if (b.length == 0) {
                break;
            }
            int pos = (e >>> 3) % b.length;
            switch (e & 7) {
                case 0 -> b[pos] ^= (byte) (1 << ((e >>> 20) & 7));
                case 1 -> b[pos] = (byte) "{}[]\",:\\0-e.tnf \u00ff".charAt((e >>> 20) % 17);
                case 2 -> b = java.util.Arrays.copyOf(b, pos);
                case 3 -> {
                    byte[] out = new byte[b.length - 1];
                    System.arraycopy(b, 0, out, 0, pos);
                    System.arraycopy(b, pos + 1, out, pos, b.length - pos - 1);
                    b = out;
                }
                case 4 -> {
                    byte[] out = new byte[b.length + 1];
                    System.arraycopy(b, 0, out, 0, pos + 1);
                    System.arraycopy(b, pos, out, pos + 1, b.length - pos);
                    b = out;
                }
                case 5 -> b[pos] = (byte) (e >>> 20);
                default -> b[pos] = (byte) "0123456789\"".charAt((e >>> 20) % 11);
            }
        }
        return b;
    }

    @Property(tries = 500)
    void anyNumericIdSurvivesDecodeAndEncode(@ForAll long id) throws CodecException {
        Request r = (Request) Codec.json().decode(Payload.text("{\"id\":" + id + ",\"key\":\"k\"}"), SESSION);
        assertEquals(id, r.id().asLong());
        Payload f = Codec.json().encode(Response.end(r.id()));
        assertEquals(id, Wire.json(f).get("id").asLong());
    }

    @Property(tries = 500)
    void anyStringIdSurvivesDecodeAndEncode(@ForAll String id) throws Exception {
        String quoted = Wire.MAPPER.writeValueAsString(id);
        Request r = (Request) Codec.json().decode(Payload.text("{\"id\":" + quoted + ",\"key\":\"k\"}"), SESSION);
        assertEquals(id, r.id().toString());
        Payload f = Codec.json().encode(Response.error(r.id(), ErrorCode.TIMEOUT, id));
        assertEquals(id, Wire.json(f).get("id").asText());
        assertEquals(id, Wire.json(f).get("error").get("message").asText());
    }
}
