package dev.switchboard.transport.zmq;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The frames of one multipart message in one byte array, as a fuzzer mutates it: each frame is a
 * {@code u16} length and that many bytes; a length past the end takes what is left. So the
 * fuzzer changes the frame count and sizes as easily as the bytes, and a seed is readable in a
 * hex dump.
 */
final class FuzzFrames {

    /** Most frames taken from one input: enough for every message type, small enough to stay fast. */
    static final int MAX_FRAMES = 64;

    private FuzzFrames() {
    }

    static List<byte[]> split(byte[] input) {
        List<byte[]> frames = new ArrayList<>();
        int pos = 0;
        while (pos < input.length && frames.size() < MAX_FRAMES) {
            int n = (input[pos] & 0xff) << 8;
            if (pos + 1 < input.length) {
                n |= input[pos + 1] & 0xff;
            }
            pos = Math.min(input.length, pos + 2);
            int end = (int) Math.min(input.length, (long) pos + n);
            frames.add(Arrays.copyOfRange(input, pos, end));
            pos = end;
        }
        return frames;
    }

    static byte[] join(List<byte[]> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            if (f.length > 0xffff) {
                throw new IllegalArgumentException("a frame of " + f.length + " bytes does not fit a seed");
            }
            out.write(f.length >>> 8);
            out.write(f.length);
            out.writeBytes(f);
        }
        return out.toByteArray();
    }
}
