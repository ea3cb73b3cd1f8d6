package dev.switchboard.transport.netty;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Strict UTF-8 validation of a text frame's bytes (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF), as RFC 6455 requires of text messages.
 *
 * <p>It runs on the event loop for every text frame, on a plain array: ASCII, which is what JSON
 * requests mostly are, is checked 8 bytes at a time, and only the rest goes through the table of
 * RFC 3629. (Netty's {@code ByteBufUtil.isText} reads byte by byte through the buffer's bounds
 * and reference checks, and cost a third of an event loop's time on 64-byte requests.)
 */
final class Utf8 {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Utf8() {
    }

    /** Whether {@code b} is well-formed UTF-8 throughout. */
    static boolean isValid(byte[] b) {
        int n = b.length;
        int i = 0;
        while (i + Long.BYTES <= n && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
            i += Long.BYTES;
        }
        while (i < n) {
            int c = b[i];
            if (c >= 0) {
                i++;
                continue;
            }
            c &= 0xFF;
            if (c < 0xC2 || c > 0xF4) {
                // a continuation byte first, an overlong two-byte lead, or beyond U+10FFFF
                return false;
            }
            if (c < 0xE0) {
                if (i + 1 >= n || !continuation(b[i + 1])) {
                    return false;
                }
                i += 2;
            } else if (c < 0xF0) {
                if (i + 2 >= n) {
                    return false;
                }
                int c1 = b[i + 1] & 0xFF;
                // E0 needs A0..BF (no overlong form); ED needs 80..9F (no surrogate)
                int lo = c == 0xE0 ? 0xA0 : 0x80;
                int hi = c == 0xED ? 0x9F : 0xBF;
                if (c1 < lo || c1 > hi || !continuation(b[i + 2])) {
                    return false;
                }
                i += 3;
            } else {
                if (i + 3 >= n) {
                    return false;
                }
                int c1 = b[i + 1] & 0xFF;
                // F0 needs 90..BF (no overlong form); F4 needs 80..8F (at most U+10FFFF)
                int lo = c == 0xF0 ? 0x90 : 0x80;
                int hi = c == 0xF4 ? 0x8F : 0xBF;
                if (c1 < lo || c1 > hi || !continuation(b[i + 2]) || !continuation(b[i + 3])) {
                    return false;
                }
                i += 4;
            }
        }
        return true;
    }

    private static boolean continuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
