package dev.switchboard.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link Utf8#isValid} agrees with the JDK's strict decoder on every input. */
class Utf8Test {

    @Test
    void acceptsEachEncodingLengthAtItsLimits() {
        for (String s : new String[] {"", "plain ascii, longer than eight bytes", "\u0080\u07ff", "\u0800\ud7ff\ue000\uffff",
                "\ud800\udc00\udbff\udfff", "{\"key\":\"tuile/é/中/😀\"}"}) {
            assertTrue(Utf8.isValid(s.getBytes(StandardCharsets.UTF_8)), s);
        }
    }

    @Test
    void rejectsOverlongFormsSurrogatesAndCodePointsBeyondTheRange() {
        for (String hex : new String[] {"c0af", "c1bf", "e08080", "e09fbf", "eda080", "edbfbf", "f08f8080", "f4908080",
                "f5808080", "ff", "80", "bf", "c2", "e0a0", "f09080", "c241", "e0a041", "4142434445464748c2"}) {
            assertFalse(Utf8.isValid(HexFormat.of().parseHex(hex)), hex);
        }
    }

    @Property(tries = 3000)
    void agreesWithTheJdkDecoderOnArbitraryBytes(@ForAll("bytes") byte[] b) {
        assertEquals(jdkAccepts(b), Utf8.isValid(b), HexFormat.of().formatHex(b));
    }

    @Property(tries = 3000)
    void agreesWithTheJdkDecoderOnTextWithOneByteChanged(@ForAll("text") String s, @ForAll int where, @ForAll byte value) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0) {
            b[Math.floorMod(where, b.length)] = value;
        }
        assertEquals(jdkAccepts(b), Utf8.isValid(b), HexFormat.of().formatHex(b));
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        Arbitrary<Byte> likely = Arbitraries.oneOf(Arbitraries.bytes(),
                Arbitraries.of((byte) 0x41, (byte) 0x80, (byte) 0xBF, (byte) 0xC2, (byte) 0xE0, (byte) 0xED, (byte) 0xF0,
                        (byte) 0xF4, (byte) 0x9F, (byte) 0xA0, (byte) 0x8F, (byte) 0x90));
        return likely.array(byte[].class).ofMaxSize(40);
    }

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.strings().all().ofMaxLength(30);
    }

    private static boolean jdkAccepts(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
