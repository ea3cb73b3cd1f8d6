package dev.switchboard.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The default codec. Text frames carry one JSON object; binary frames carry a version byte, a
 * two-byte big-endian header length, a JSON header and then the raw body. Bodies are never
 * re-encoded: a JSON body is sliced out of the request by the parser's byte offsets and embedded
 * verbatim in the response. An object with {@code "cancel": true} is a {@link Cancel}, in either
 * framing; it needs only its id, and a binary one ends with its header.
 *
 * <p>A request is {@linkplain Request#idempotent() idempotent} unless it holds
 * {@code "idempotent": false}: absent or {@code true}, the router may send it once more to another
 * worker when its worker is lost before answering; {@code false}, it runs at most once and is
 * answered {@code worker_failed} then. Any other value is a {@code bad_request}.
 */
final class JsonCodec implements Codec {

    static final JsonCodec INSTANCE = new JsonCodec();

    /** The first byte of every binary frame. */
    static final int BINARY_VERSION = 1;
    static final int BINARY_PREFIX = 3;
    /**
     * The longest string id, in characters. Every response frame echoes the id, and a binary
     * frame's header must fit its two-byte length: 256 characters escape to at most 1,536 bytes.
     */
    static final int MAX_ID_LENGTH = 256;

    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();

    private static final byte[] ID = ascii("{\"id\":");
    private static final byte[] BODY = ascii(",\"body\":");
    private static final byte[] END = ascii(",\"end\":true");
    private static final byte[] ERROR = ascii(",\"error\":{\"code\":\"");
    private static final byte[] MESSAGE = ascii("\",\"message\":\"");
    private static final byte[] ERROR_CLOSE = ascii("\"}");
    private static final byte[] NULL = ascii("null");

    private JsonCodec() {
    }

    @Override
    public ClientMessage decode(Payload frame, Session session) throws CodecException {
        ClientMessage message = decodeFrame(frame, session);
        if (message instanceof Request request) {
            var violation = Limits.violation(request);
            if (violation.isPresent()) {
                throw new CodecException(violation.get(), request.id());
            }
        }
        return message;
    }

    private static ClientMessage decodeFrame(Payload frame, Session session) throws CodecException {
        byte[] bytes = frame.array();
        if (!frame.isBinary()) {
            return parse(bytes, 0, bytes.length, true, session);
        }
        if (bytes.length < BINARY_PREFIX || (bytes[0] & 0xff) != BINARY_VERSION) {
            throw new CodecException("binary frame must start with version byte " + BINARY_VERSION, null);
        }
        int headerLength = ((bytes[1] & 0xff) << 8) | (bytes[2] & 0xff);
        int bodyOffset = BINARY_PREFIX + headerLength;
        if (bodyOffset > bytes.length) {
            throw new CodecException("binary frame header length " + headerLength + " exceeds the frame", null);
        }
        ClientMessage header = parse(bytes, BINARY_PREFIX, headerLength, false, session);
        if (header instanceof Request request) {
            byte[] body = Arrays.copyOfRange(bytes, bodyOffset, bytes.length);
            return request.toBuilder().payload(Payload.binary(body)).build();
        }
        if (bodyOffset != bytes.length) {
            throw new CodecException("a binary cancel frame must end with its header", header.id());
        }
        return header;
    }

    private static ClientMessage parse(byte[] bytes, int offset, int length, boolean withBody, Session session)
            throws CodecException {
        RequestId id = null;
        String key = null;
        Payload body = Payload.jsonNull();
        boolean cancel = false;
        boolean idempotent = true;
        try (JsonParser p = FACTORY.createParser(bytes, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new CodecException("a request must be a JSON object", null);
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "id" -> id = readId(p, v);
                    case "key" -> {
                        if (v != JsonToken.VALUE_STRING) {
                            throw new CodecException("\"key\" must be a string", id);
                        }
                        key = p.getText();
                    }
                    case "body" -> {
                        if (!withBody) {
                            throw new CodecException("a binary frame's header must not hold \"body\"", id);
                        }
                        body = readRaw(p, v, bytes);
                    }
                    case "cancel" -> {
                        // strict: "cancel": false or "yes" is more likely a client bug than a request
                        if (v != JsonToken.VALUE_TRUE) {
                            throw new CodecException("\"cancel\" must be true", id);
                        }
                        cancel = true;
                    }
                    case "idempotent" -> {
                        if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) {
                            throw new CodecException("\"idempotent\" must be true or false", id);
                        }
                        idempotent = v == JsonToken.VALUE_TRUE;
                    }
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new CodecException("trailing data after the request object", id);
            }
        } catch (IOException | RuntimeException e) {
            throw new CodecException("malformed JSON: " + firstLine(e.getMessage()), id);
        }
        if (id == null) {
            throw new CodecException("missing field \"id\"", null);
        }
        if (cancel) {
            return new Cancel(id);
        }
        if (key == null) {
            throw new CodecException("missing field \"key\"", id);
        }
        return Request.builder().sessionId(session.id()).id(id).key(key).payload(body)
                .principal(session.principalOrNull()).idempotent(idempotent).build();
    }

    private static RequestId readId(JsonParser p, @Nullable JsonToken v) throws IOException, CodecException {
        if (v == JsonToken.VALUE_STRING) {
            String text = p.getText();
            if (text.length() > MAX_ID_LENGTH) {
                throw new CodecException("a string \"id\" must not be longer than " + MAX_ID_LENGTH
                        + " characters", null);
            }
            return RequestId.of(text);
        }
        if (v == JsonToken.VALUE_NUMBER_INT) {
            JsonParser.NumberType type = p.getNumberType();
            if (type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG) {
                return RequestId.of(p.getLongValue());
            }
        }
        throw new CodecException("\"id\" must be a string or an integer in the 64-bit range", null);
    }

    private static Payload readRaw(JsonParser p, @Nullable JsonToken v, byte[] bytes) throws IOException {
        long start = p.currentTokenLocation().getByteOffset();
        if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
            p.skipChildren();
        } else {
            p.finishToken();
        }
        long end = p.currentLocation().getByteOffset();
        return Payload.json(Arrays.copyOfRange(bytes, (int) start, (int) end));
    }

    private static String firstLine(@Nullable String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    @Override
    public Payload encode(Response response) {
        Payload payload = response.payloadOrNull();
        if (payload != null && payload.isBinary()) {
            byte[] header = header(response, null);
            byte[] body = payload.array();
            if (header.length > 0xffff) {
                throw new IllegalArgumentException("response header too long: " + header.length + " bytes");
            }
            byte[] out = new byte[BINARY_PREFIX + header.length + body.length];
            out[0] = BINARY_VERSION;
            out[1] = (byte) (header.length >>> 8);
            out[2] = (byte) header.length;
            System.arraycopy(header, 0, out, BINARY_PREFIX, header.length);
            System.arraycopy(body, 0, out, BINARY_PREFIX + header.length, body.length);
            return Payload.binary(out);
        }
        return Payload.text(header(response, payload));
    }

    /** The JSON object of a response item; with {@code body}, it is embedded as "body". */
    private static byte[] header(Response response, @Nullable Payload body) {
        RequestId id = response.idOrNull();
        byte[] idBytes = id == null ? NULL : idJson(id);
        ErrorCode error = response.errorOrNull();
        byte[] bodyBytes = body == null ? null : body.array();
        byte[] code = null;
        byte[] message = null;
        int size = ID.length + idBytes.length + 1;
        if (bodyBytes != null) {
            size += BODY.length + bodyBytes.length;
        }
        if (error != null) {
            code = error.wireName().getBytes(StandardCharsets.US_ASCII);
            message = ENCODER.quoteAsUTF8(response.message());
            size += ERROR.length + code.length + MESSAGE.length + message.length + ERROR_CLOSE.length;
        } else if (response.end()) {
            size += END.length;
        }
        byte[] out = new byte[size];
        int pos = put(out, 0, ID);
        pos = put(out, pos, idBytes);
        if (bodyBytes != null) {
            pos = put(out, pos, BODY);
            pos = put(out, pos, bodyBytes);
        }
        if (error != null) {
            pos = put(out, pos, ERROR);
            pos = put(out, pos, code);
            pos = put(out, pos, MESSAGE);
            pos = put(out, pos, message);
            pos = put(out, pos, ERROR_CLOSE);
        } else if (response.end()) {
            pos = put(out, pos, END);
        }
        out[pos] = '}';
        return out;
    }

    private static byte[] idJson(RequestId id) {
        if (id.isNumeric()) {
            return ascii(id.toString());
        }
        byte[] quoted = ENCODER.quoteAsUTF8(id.toString());
        byte[] out = new byte[quoted.length + 2];
        out[0] = '"';
        System.arraycopy(quoted, 0, out, 1, quoted.length);
        out[out.length - 1] = '"';
        return out;
    }

    private static int put(byte[] out, int pos, byte[] src) {
        System.arraycopy(src, 0, out, pos, src.length);
        return pos + src.length;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
