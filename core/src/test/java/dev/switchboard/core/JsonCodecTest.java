package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonCodecTest {

    private static final Codec CODEC = Codec.json();
    private static final Session SESSION = Session.of("s1", "alice", Map.of(), Ordering.ORDERED, 1, 1);

    private static Request decode(String text) throws CodecException {
        return assertInstanceOf(Request.class, CODEC.decode(Payload.text(text), SESSION));
    }

    private static CodecException rejected(String text) {
        return assertThrows(CodecException.class, () -> decode(text));
    }

    @Test
    void decodesNumericAndStringIdsKeyAndBody() throws CodecException {
        Request r = decode("{\"id\":42,\"key\":\"slides/a.svs\",\"body\":{\"z\":3}}");
        assertTrue(r.id().isNumeric());
        assertEquals(42, r.id().asLong());
        assertEquals("slides/a.svs", r.key());
        assertEquals("{\"z\":3}", r.payload().utf8());
        assertEquals("s1", r.sessionId());
        assertEquals(Optional.of("alice"), r.principal());

        Request s = decode("{\"key\":\"k\",\"id\":\"42\"}");
        assertFalse(s.id().isNumeric());
        assertEquals("42", s.id().toString());
        assertEquals(Payload.jsonNull(), s.payload(), "a missing body is JSON null");
        assertFalse(s.id().equals(r.id()), "the string \"42\" is not the number 42");
    }

    @Test
    void acceptsIdsAtTheEdgesOfTheSigned64BitRange() throws CodecException {
        assertEquals(Long.MAX_VALUE, decode("{\"id\":9223372036854775807,\"key\":\"k\"}").id().asLong());
        assertEquals(Long.MIN_VALUE, decode("{\"id\":-9223372036854775808,\"key\":\"k\"}").id().asLong());
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808", "-9223372036854775809", "123456789012345678901234567890",
            "1.5", "1e3", "null", "true", "[1]", "{\"n\":1}"})
    void rejectsIdsThatAreNeitherStringsNorSixtyFourBitIntegers(String id) {
        CodecException e = rejected("{\"id\":" + id + ",\"key\":\"k\"}");
        assertEquals(Optional.empty(), e.requestId());
        assertTrue(e.getMessage().contains("\"id\""), e.getMessage());
    }

    @Test
    void missingFieldsAreNamedAndTheIdKeptWhenKnown() {
        CodecException noId = rejected("{\"key\":\"k\",\"body\":1}");
        assertEquals("missing field \"id\"", noId.getMessage());
        assertEquals(Optional.empty(), noId.requestId());

        CodecException noKey = rejected("{\"id\":3,\"body\":1}");
        assertEquals("missing field \"key\"", noKey.getMessage());
        assertEquals(Optional.of(RequestId.of(3)), noKey.requestId());

        CodecException badKey = rejected("{\"id\":\"x\",\"key\":7}");
        assertEquals(Optional.of(RequestId.of("x")), badKey.requestId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"id\":1,\"key\":\"k\"} x", "{\"id\":1,\"key\":\"k\"}{}", "{\"id\":1,\"key\":\"k\"}]",
            "{\"id\":1,\"key\":\"k\"}\"s\""})
    void rejectsTrailingGarbageAfterTheRequestObject(String text) {
        CodecException e = rejected(text);
        assertEquals(Optional.of(RequestId.of(1)), e.requestId());
    }

    @Test
    void acceptsTrailingWhitespace() throws CodecException {
        assertEquals(1, decode(" {\"id\":1,\"key\":\"k\"} \n\t").id().asLong());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "[]", "\"s\"", "1", "null", "{", "{\"id\"", "{\"id\":1,", "{\"id\":1,\"key\":\"k\"",
            "{'id':1,'key':'k'}", "{\"id\":1,\"key\":\"k\",\"body\":}", "{\"id\":1,\"key\":\"k\",\"body\":[1,2}"})
    void rejectsMalformedJsonWithACodecException(String text) {
        rejected(text);
    }

    @Test
    void slicesNestedBodiesVerbatim() throws CodecException {
        String body = "{ \"a\" : [1, 2.50, {\"b\":\"}]\\\"\"}], \"c\":null ,\"é\":\"\\u00e9\" }";
        Request r = decode("{\"id\":1,\"body\":" + body + ",\"key\":\"k\"}");
        assertEquals(body, r.payload().utf8());
        for (String scalar : new String[] {"\"s\\\"q\"", "-1.25e-3", "true", "false", "null", "0", "[]", "{}"}) {
            assertEquals(scalar, decode("{\"id\":1,\"key\":\"k\",\"body\":" + scalar + "}").payload().utf8(), scalar);
            assertEquals(scalar, decode("{\"id\":1,\"key\":\"k\",\"body\":" + scalar + " }").payload().utf8(), scalar);
        }
    }

    @Test
    void ignoresUnknownFieldsWhateverTheirShape() throws CodecException {
        Request r = decode("{\"x\":{\"id\":9,\"key\":\"no\"},\"id\":1,\"y\":[{\"body\":2}],\"key\":\"k\",\"body\":3}");
        assertEquals(1, r.id().asLong());
        assertEquals("k", r.key());
        assertEquals("3", r.payload().utf8());
    }

    @Test
    void aRequestIsIdempotentUnlessItSaysFalse() throws CodecException {
        assertTrue(decode("{\"id\":1,\"key\":\"k\"}").idempotent(), "absent: idempotent");
        assertTrue(decode("{\"id\":1,\"key\":\"k\",\"idempotent\":true}").idempotent());
        assertFalse(decode("{\"idempotent\":false,\"id\":1,\"key\":\"k\"}").idempotent(), "any field order");
        Request binary = assertInstanceOf(Request.class, CODEC.decode(
                Wire.binaryRequest("{\"id\":2,\"key\":\"k\",\"idempotent\":false}", new byte[] {1}), SESSION));
        assertFalse(binary.idempotent(), "in a binary frame's header too");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"false\"", "0", "1", "null", "[]", "{}", "\"no\""})
    void rejectsAnIdempotentThatIsNotABoolean(String value) {
        CodecException e = rejected("{\"id\":3,\"key\":\"k\",\"idempotent\":" + value + "}");
        assertEquals("\"idempotent\" must be true or false", e.getMessage(), value);
        assertEquals(Optional.of(RequestId.of(3)), e.requestId());
    }

    @Test
    void decodesACancelFrameInEitherFraming() throws CodecException {
        assertEquals(new Cancel(RequestId.of(42)), CODEC.decode(Payload.text("{\"id\":42,\"cancel\":true}"), SESSION));
        assertEquals(new Cancel(RequestId.of("t7")),
                CODEC.decode(Payload.text("{\"cancel\":true,\"id\":\"t7\"}"), SESSION), "any field order, a string id");
        assertEquals(new Cancel(RequestId.of(1)),
                CODEC.decode(Payload.text("{\"id\":1,\"key\":\"k\",\"body\":{\"z\":1},\"cancel\":true}"), SESSION),
                "a cancel needs only its id; a request's other fields are ignored");
        assertEquals(new Cancel(RequestId.of(5)),
                CODEC.decode(Wire.binaryRequest("{\"id\":5,\"cancel\":true}", new byte[0]), SESSION));
    }

    @Test
    void rejectsACancelWithoutAnIdOrWithAnythingButTrue() {
        CodecException noId = rejected("{\"cancel\":true}");
        assertEquals("missing field \"id\"", noId.getMessage());
        assertEquals(Optional.empty(), noId.requestId());
        for (String value : new String[] {"\"yes\"", "false", "1", "null", "{}"}) {
            CodecException e = rejected("{\"id\":3,\"cancel\":" + value + "}");
            assertEquals("\"cancel\" must be true", e.getMessage(), value);
            assertEquals(Optional.of(RequestId.of(3)), e.requestId());
        }
        CodecException withBody = assertThrows(CodecException.class, () -> CODEC.decode(
                Wire.binaryRequest("{\"id\":5,\"cancel\":true}", new byte[] {1}), SESSION));
        assertEquals("a binary cancel frame must end with its header", withBody.getMessage());
        assertEquals(Optional.of(RequestId.of(5)), withBody.requestId());
    }

    @Test
    void encodesDataEndAndErrorItemsAsOneJsonObjectEach() {
        RequestId id = RequestId.of(7);
        assertEquals("{\"id\":7,\"body\":[1],\"end\":true}",
                CODEC.encode(Response.data(id, Payload.json("[1]"), true)).utf8());
        assertEquals("{\"id\":7,\"body\":[1]}", CODEC.encode(Response.data(id, Payload.json("[1]"), false)).utf8());
        assertEquals("{\"id\":7,\"end\":true}", CODEC.encode(Response.end(id)).utf8());
        assertEquals("{\"id\":null,\"error\":{\"code\":\"bad_request\",\"message\":\"no\"}}",
                CODEC.encode(Response.error(null, ErrorCode.BAD_REQUEST, "no")).utf8());
    }

    @Test
    void stringIdsAndMessagesAreEscaped() throws Exception {
        String nasty = "a\"b\\c\n\u0001é😀</script>";
        String quoted = Wire.MAPPER.writeValueAsString(nasty);
        Request r = decode("{\"id\":" + quoted + ",\"key\":\"k\"}");
        assertEquals(nasty, r.id().toString());
        Payload error = CODEC.encode(Response.error(r.id(), ErrorCode.WORKER_FAILED, nasty));
        JsonNode json = Wire.json(error);
        assertEquals(nasty, json.get("id").asText());
        assertEquals(nasty, json.get("error").get("message").asText());
        assertEquals("worker_failed", json.get("error").get("code").asText());
    }

    @Test
    void binaryRequestHasItsHeaderParsedAndItsBodyKeptRaw() throws CodecException {
        byte[] body = {0, (byte) 0xff, '{', '"'};
        Request r = assertInstanceOf(Request.class,
                CODEC.decode(Wire.binaryRequest("{\"id\":\"t\",\"key\":\"img\"}", body), SESSION));
        assertEquals("t", r.id().toString());
        assertEquals("img", r.key());
        assertTrue(r.payload().isBinary());
        assertArrayEquals(body, r.payload().toByteArray());
    }

    @Test
    void rejectsMalformedBinaryFrames() {
        byte[] header = "{\"id\":1,\"key\":\"k\"}".getBytes(StandardCharsets.UTF_8);
        assertThrows(CodecException.class, () -> CODEC.decode(Payload.binary(new byte[0]), SESSION));
        assertThrows(CodecException.class, () -> CODEC.decode(Payload.binary(new byte[] {1, 0}), SESSION));
        byte[] wrongVersion = Wire.binaryRequest("{\"id\":1,\"key\":\"k\"}", new byte[0]).toByteArray();
        wrongVersion[0] = 2;
        assertThrows(CodecException.class, () -> CODEC.decode(Payload.binary(wrongVersion), SESSION));
        byte[] tooLong = Wire.binaryRequest("{\"id\":1,\"key\":\"k\"}", new byte[0]).toByteArray();
        tooLong[2] = (byte) (header.length + 1);
        assertThrows(CodecException.class, () -> CODEC.decode(Payload.binary(tooLong), SESSION));
        CodecException bodyInHeader = assertThrows(CodecException.class, () -> CODEC.decode(
                Wire.binaryRequest("{\"id\":1,\"key\":\"k\",\"body\":1}", new byte[0]), SESSION));
        assertEquals(Optional.of(RequestId.of(1)), bodyInHeader.requestId());
    }

    @Test
    void binaryResponseHeaderCarriesIdAndEndThenTheRawBody() {
        Payload f = CODEC.encode(Response.data(RequestId.of("p"), Payload.binary(new byte[] {1, 2, 3}), true));
        assertTrue(f.isBinary());
        assertEquals("{\"id\":\"p\",\"end\":true}", Wire.header(f));
        assertArrayEquals(new byte[] {1, 2, 3}, Wire.binaryBody(f));
    }

    @Test
    void invalidUtf8InATextFrameIsABadRequest() {
        byte[] bad = "{\"id\":1,\"key\":\"k\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertThrows(CodecException.class, () -> CODEC.decode(Payload.text(bad), SESSION));
    }

    @Test
    void deeplyNestedBodyIsRejectedNotAStackOverflow() {
        String deep = "[".repeat(5_000) + "]".repeat(5_000);
        assertThrows(CodecException.class, () -> decode("{\"id\":1,\"key\":\"k\",\"body\":" + deep + "}"));
    }

    @Test
    void boundsStringIdsSoThatEveryResponseHeaderFitsItsLengthPrefix() throws CodecException {
        String longest = "\u0001".repeat(256);
        Request r = decode("{\"id\":" + "\"" + "\\u0001".repeat(256) + "\",\"key\":\"k\"}");
        assertEquals(longest, r.id().toString());
        Payload f = CODEC.encode(Response.data(r.id(), Payload.binary(new byte[] {1}), true));
        assertEquals(longest, Wire.json(f).get("id").asText());

        CodecException e = rejected("{\"id\":\"" + "x".repeat(257) + "\",\"key\":\"k\"}");
        assertEquals(Optional.empty(), e.requestId());
        assertTrue(e.getMessage().contains("256"), e.getMessage());
    }
}
