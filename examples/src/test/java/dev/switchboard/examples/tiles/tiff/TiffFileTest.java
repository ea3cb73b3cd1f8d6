package dev.switchboard.examples.tiles.tiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.examples.tiles.TestImages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The directory reader against libtiff's {@code tiffinfo}, and against damaged files. */
class TiffFileTest {

    @TempDir
    static Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--pyramid --compression jpeg", "--pyramid --bigtiff --compression jpeg",
        "--pyramid --subifd --compression jpeg", "--pyramid --compression deflate", "--pyramid --compression lzw"})
    void readsTheDirectoriesTiffinfoReads(String options) throws IOException {
        Path f = TestImages.vipsTiff(dir, "x" + Math.abs(options.hashCode()) + ".tif", options.split(" "));
        List<String> theirs = new ArrayList<>();
        Matcher m = Pattern.compile("Image Width: (\\d+) Image Length: (\\d+)\\s+Tile Width: (\\d+) Tile Length: (\\d+)")
                .matcher(TestImages.run(List.of("tiffinfo", f.toString())));
        while (m.find()) {
            theirs.add(m.group(1) + "x" + m.group(2) + "/" + m.group(3) + "x" + m.group(4));
        }
        List<String> ours = new ArrayList<>();
        try (TiffFile t = TiffFile.open(f)) {
            for (TiffDirectory d : t.directories()) {
                ours.add(d.width() + "x" + d.height() + "/" + d.tileWidth() + "x" + d.tileHeight());
                assertTrue(TiffFile.unsupported(d).isEmpty(), d + ": " + TiffFile.unsupported(d));
            }
        }
        theirs.sort(null);
        ours.sort(null);
        assertTrue(theirs.size() >= 4, "tiffinfo printed " + theirs);
        assertEquals(theirs, ours);
    }

    /** A small valid pyramid whose directories are at known places. */
    static Path good(String name) throws IOException {
        return TestImages.vipsTiff(dir, name, "--pyramid", "--compression", "jpeg");
    }

    static String refused(byte[] bytes) throws IOException {
        Path f = Files.write(dir.resolve("damaged-" + System.nanoTime() + ".tif"), bytes);
        TiffException e = assertThrows(TiffException.class, () -> TiffFile.open(f).close());
        return e.getMessage();
    }

    /** The first directory of a little-endian classic file: its offset and entry count. */
    static int firstDirectory(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
    }

    /** The place of entry {@code tag} in the directory at {@code ifd}. */
    static int entry(byte[] b, int ifd, int tag) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int n = buf.getShort(ifd) & 0xffff;
        for (int i = 0; i < n; i++) {
            int at = ifd + 2 + 12 * i;
            if ((buf.getShort(at) & 0xffff) == tag) {
                return at;
            }
        }
        throw new AssertionError("no tag " + tag);
    }

    @Test
    void aTruncatedFileIsRefused() throws IOException {
        byte[] b = Files.readAllBytes(good("truncated.tif"));
        byte[] cut = java.util.Arrays.copyOf(b, b.length / 2);
        assertTrue(refused(cut).contains("past the end of the file"));
    }

    @Test
    void aTileOffsetPastTheEndIsRefused() throws IOException {
        byte[] b = Files.readAllBytes(good("offset.tif"));
        int e = entry(b, firstDirectory(b), 324);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int array = buf.getInt(e + 8);
        buf.putInt(array + 4, b.length - 10);
        assertTrue(refused(b).contains("tile 1 lies past the end of the file"));
    }

    @Test
    void aDirectoryLoopIsRefused() throws IOException {
        byte[] b = Files.readAllBytes(good("loop.tif"));
        int first = firstDirectory(b);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int n = buf.getShort(first) & 0xffff;
        buf.putInt(first + 2 + 12 * n, first);
        assertTrue(refused(b).contains("directory loop"));
    }

    @Test
    void absurdSizesAndCountsAreRefusedBeforeAnyAllocation() throws IOException {
        byte[] b = Files.readAllBytes(good("absurd.tif"));
        int first = firstDirectory(b);
        byte[] wide = b.clone();
        ByteBuffer.wrap(wide).order(ByteOrder.LITTLE_ENDIAN).putShort(entry(wide, first, 256) + 2, (short) 4)
                .putInt(entry(wide, first, 256) + 8, Integer.MAX_VALUE);
        assertTrue(refused(wide).contains("at most " + TiffLimits.MAX_DIMENSION), refused(wide));

        byte[] tiny = b.clone();
        ByteBuffer t = ByteBuffer.wrap(tiny).order(ByteOrder.LITTLE_ENDIAN);
        t.putShort(entry(tiny, first, 256) + 2, (short) 4).putInt(entry(tiny, first, 256) + 8, TiffLimits.MAX_DIMENSION);
        t.putShort(entry(tiny, first, 257) + 2, (short) 4).putInt(entry(tiny, first, 257) + 8, TiffLimits.MAX_DIMENSION);
        t.putShort(entry(tiny, first, 322) + 8, (short) 16).putShort(entry(tiny, first, 323) + 8, (short) 16);
        assertTrue(refused(tiny).contains("MAX_TILES_PER_LEVEL"), refused(tiny));

        byte[] entries = b.clone();
        ByteBuffer.wrap(entries).order(ByteOrder.LITTLE_ENDIAN).putShort(first, (short) 60000);
        assertTrue(refused(entries).contains("entries"), refused(entries));

        byte[] count = b.clone();
        ByteBuffer.wrap(count).order(ByteOrder.LITTLE_ENDIAN).putInt(entry(count, first, 324) + 4, Integer.MAX_VALUE);
        assertTrue(refused(count).contains("values (at most"), refused(count));
    }

    @Test
    void whatIsNotATiffIsRefusedWithTheReason() throws IOException {
        assertTrue(refused(new byte[0]).contains("not a TIFF"));
        assertTrue(refused("<html>hello</html>".getBytes()).contains("not a TIFF"));
        byte[] png = Files.readAllBytes(TestImages.source(dir));
        assertTrue(refused(png).contains("not a TIFF"));
        assertTrue(refused(new byte[] {'I', 'I', 42, 0, 8, 0, 0, 0}).contains("past the end"));
    }

    @Test
    void anUnsupportedCompressionIsNamed() throws IOException {
        byte[] b = Files.readAllBytes(good("jp2k.tif"));
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(entry(b, firstDirectory(b), 259) + 8, (short) 33003);
        Path f = Files.write(dir.resolve("jp2k-damaged.tif"), b);
        try (TiffFile t = TiffFile.open(f)) {
            assertEquals("compression JPEG 2000 (Aperio YCbCr) is not supported (JPEG, deflate, LZW and none are)",
                    TiffFile.unsupported(t.directories().get(0)).orElseThrow());
        }
    }
}
