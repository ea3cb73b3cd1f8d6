package dev.switchboard.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Reads response frames the way a client would, with a JSON parser independent of the codec's. */
final class Wire {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Wire() {
    }

    /** A text request frame. */
    static Payload request(long id, String key, String bodyJson) {
        return Payload.text("{\"id\":" + id + ",\"key\":\"" + key + "\",\"body\":" + bodyJson + "}");
    }

    /** A text cancel frame. */
    static Payload cancel(long id) {
        return Payload.text("{\"id\":" + id + ",\"cancel\":true}");
    }

    /** The JSON object of a text frame, or the header of a binary one. */
    static JsonNode json(Payload frame) {
        try {
            if (!frame.isBinary()) {
                return MAPPER.readTree(frame.utf8());
            }
            return MAPPER.readTree(header(frame));
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + frame, e);
        }
    }

    /** The header bytes of a binary frame, checking the version byte and the length prefix. */
    static String header(Payload frame) {
        byte[] b = frame.toByteArray();
        if (b.length < 3 || b[0] != 1) {
            throw new AssertionError("not a version-1 binary frame: " + frame);
        }
        int len = ((b[1] & 0xff) << 8) | (b[2] & 0xff);
        return new String(b, 3, len, StandardCharsets.UTF_8);
    }

    /** The raw body of a binary frame, after its header. */
    static byte[] binaryBody(Payload frame) {
        byte[] b = frame.toByteArray();
        int len = ((b[1] & 0xff) << 8) | (b[2] & 0xff);
        return Arrays.copyOfRange(b, 3 + len, b.length);
    }

    /** A binary request frame: version 1, the header's length in two bytes big-endian, the header, the body. */
    static Payload binaryRequest(String headerJson, byte[] body) {
        byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[3 + h.length + body.length];
        out[0] = 1;
        out[1] = (byte) (h.length >>> 8);
        out[2] = (byte) h.length;
        System.arraycopy(h, 0, out, 3, h.length);
        System.arraycopy(body, 0, out, 3 + h.length, body.length);
        return Payload.binary(out);
    }

    /** The id of each frame as text ("null" for a null id), in order. */
    static List<String> ids(List<Payload> frames) {
        return frames.stream().map(f -> json(f).get("id").asText("null")).toList();
    }

    /** The error code of a frame, or null if it is not an error. */
    static String errorCode(Payload frame) {
        JsonNode e = json(frame).get("error");
        return e == null ? null : e.get("code").asText();
    }

    /** Whether a frame carries {@code "end": true} (errors end without the flag). */
    static boolean end(Payload frame) {
        JsonNode end = json(frame).get("end");
        return end != null && end.asBoolean();
    }
}
