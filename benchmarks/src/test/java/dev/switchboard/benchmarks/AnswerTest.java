package dev.switchboard.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.core.Codec;
import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.Payload;
import dev.switchboard.core.RequestId;
import dev.switchboard.core.Response;
import org.junit.jupiter.api.Test;

/** The frames come from the default codec itself, so the classification reads what servers send. */
class AnswerTest {

    static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F'};
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    static Answer read(Response response) {
        Payload f = Codec.json().encode(response);
        if (!f.isBinary()) {
            return Answer.ofText(f.utf8());
        }
        byte[] b = f.toByteArray();
        return Answer.ofBinary(b.length, i -> b[i] & 0xff);
    }

    @Test
    void aJpegTileOfTheDefaultCodecIsAJpegAnsweringItsRequest() {
        assertEquals(new Answer(42, Answer.Kind.JPEG, ""),
                read(Response.data(RequestId.of(42), Payload.binary(JPEG), true)));
    }

    @Test
    void aPngTileOfTheDefaultCodecIsAPng() {
        assertEquals(new Answer(7, Answer.Kind.PNG, ""), read(Response.data(RequestId.of(7), Payload.binary(PNG), true)));
    }

    @Test
    void otherBytesAreNeitherJpegNorPng() {
        assertEquals(Answer.Kind.OTHER_BINARY,
                read(Response.data(RequestId.of(1), Payload.binary(new byte[] {'G', 'I', 'F', '8'}), true)).kind());
        assertEquals(Answer.Kind.OTHER_BINARY, read(Response.data(RequestId.of(1), Payload.binary(new byte[0]), true)).kind());
    }

    @Test
    void aBinaryItemThatDoesNotEndItsRequestIsNotATile() {
        assertEquals(Answer.Kind.MALFORMED, read(Response.data(RequestId.of(3), Payload.binary(JPEG), false)).kind());
    }

    @Test
    void anErrorAnswerIsAnErrorWithItsCode() {
        Answer a = read(Response.error(RequestId.of(9), ErrorCode.OVERLOADED, "too busy"));
        assertEquals(9, a.id());
        assertEquals(Answer.Kind.ERROR, a.kind());
        assertEquals("overloaded", Answer.errorCode(a.detail()));
    }

    @Test
    void anErrorWithoutARequestIdIsStillAnError() {
        Answer a = read(Response.error(null, ErrorCode.BAD_REQUEST, "not JSON"));
        assertEquals(-1, a.id());
        assertEquals(Answer.Kind.ERROR, a.kind());
        assertEquals("bad_request", Answer.errorCode(a.detail()));
    }

    @Test
    void anEchoAnswerIsTextAnsweringItsRequest() {
        assertEquals(new Answer(123456789012L, Answer.Kind.TEXT, ""),
                read(Response.data(RequestId.of(123456789012L), Payload.json("\"xxxx\""), true)));
    }

    @Test
    void framesOfNeitherFramingAreMalformed() {
        assertEquals(Answer.Kind.MALFORMED, Answer.ofText("{\"hello\":1}").kind());
        byte[] b = {2, 0, 0};
        assertEquals(Answer.Kind.MALFORMED, Answer.ofBinary(b.length, i -> b[i] & 0xff).kind());
        byte[] tooLong = {1, 0, 50, '{', '}'};
        assertEquals(Answer.Kind.MALFORMED, Answer.ofBinary(tooLong.length, i -> tooLong[i] & 0xff).kind());
    }
}
