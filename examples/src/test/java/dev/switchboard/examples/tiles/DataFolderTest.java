package dev.switchboard.examples.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.ErrorCode;
import dev.switchboard.core.RelayException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/**
 * A data folder as people have them: images in subfolders, other files beside them, and broken
 * files. Each broken file is skipped at start with its reason, a file broken while the server
 * runs answers an error for the requests that touch it, and every other image keeps serving.
 */
class DataFolderTest {

    @TempDir
    Path dir;

    @Test
    void servesEveryImageUnderTheFolderAndSkipsEachBrokenFile() throws IOException {
        Path good = TestImages.vipsTiff(dir, "good.tif", "--pyramid", "--compression", "jpeg");
        Files.createDirectories(dir.resolve("slides/2026"));
        Files.copy(good, dir.resolve("slides/2026/copy.ptif"));
        Files.copy(good, dir.resolve("UPPER.TIFF"));
        byte[] bytes = Files.readAllBytes(good);
        Files.write(dir.resolve("truncated.tif"), Arrays.copyOf(bytes, bytes.length / 2));
        Files.write(dir.resolve("not-a-tiff.svs"), "<html></html>".getBytes());
        Files.write(dir.resolve("loop.tif"), loop(bytes));
        Files.write(dir.resolve("empty.tif"), new byte[0]);
        TestImages.run(List.of("vips", "tiffsave", TestImages.source(dir).toString(), dir.resolve("strips.tif").toString()));
        Files.writeString(dir.resolve("notes.txt"), "not an image");

        TileCatalog catalog = TileCatalog.scan(dir);

        assertEquals(List.of("UPPER", "good", "slides/2026/copy"),
                catalog.images().stream().map(TileCatalog.Image::name).toList());
    }

    @Test
    void aFileBrokenWhileServingAnswersAnErrorAndTheOtherImagesKeepServing() throws IOException {
        TestImages.vipsTiff(dir, "a.tif", "--pyramid", "--compression", "jpeg");
        Path b = TestImages.vipsTiff(dir, "b.tif", "--pyramid", "--compression", "jpeg");
        TileCatalog catalog = TileCatalog.scan(dir);
        TileHandler handler = new TileHandler(catalog, TileHandler.readerCache(catalog, 1));
        try {
            Files.write(b, Arrays.copyOf(Files.readAllBytes(b), 100));

            StepVerifier.create(handler.handle(TileHandlerTest.tile("b", 11, 0, 0), TileHandlerTest.CTX))
                    .verifyErrorMatches(e -> e instanceof RelayException r && r.code() == ErrorCode.WORKER_FAILED
                            && r.getMessage().equals("image 'b' cannot be read; the server's log says why"));
            for (int i = 0; i < 3; i++) {
                StepVerifier.create(handler.handle(TileHandlerTest.tile("a", 11, i, 0), TileHandlerTest.CTX))
                        .assertNext(p -> assertTrue(p.isBinary() && p.size() > 100))
                        .verifyComplete();
            }
        } finally {
            handler.readers().close();
        }
    }

    @Test
    void aReaderBrokenUnderTheWorkerIsOpenedAgainForTheNextRequest() throws IOException {
        TestImages.vipsTiff(dir, "a.tif", "--pyramid", "--compression", "jpeg");
        TileCatalog catalog = TileCatalog.scan(dir);
        TileHandler handler = new TileHandler(catalog, TileHandler.readerCache(catalog, 1));
        try {
            StepVerifier.create(handler.handle(TileHandlerTest.tile("a", 11, 0, 0), TileHandlerTest.CTX))
                    .assertNext(p -> assertTrue(p.isBinary())).verifyComplete();
            // as an interrupt of one reading thread does: the cached reader's channel closes under it
            handler.readers().apply("a", p -> {
                p.close();
                return p;
            });
            StepVerifier.create(handler.handle(TileHandlerTest.tile("a", 11, 1, 0), TileHandlerTest.CTX))
                    .verifyErrorMatches(e -> e instanceof RelayException r && r.code() == ErrorCode.WORKER_FAILED);
            for (int i = 0; i < 3; i++) {
                StepVerifier.create(handler.handle(TileHandlerTest.tile("a", 11, i, 0), TileHandlerTest.CTX))
                        .assertNext(p -> assertTrue(p.isBinary() && p.size() > 100))
                        .verifyComplete();
            }
        } finally {
            handler.readers().close();
        }
    }

    @Test
    void aMissingFolderOrOneWithoutImagesIsAClearErrorAtStart() throws IOException {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> TileCatalog.scan(dir.resolve("typo")));
        assertTrue(missing.getMessage().endsWith("typo: no such folder"), missing.getMessage());
        assertTrue(Files.notExists(dir.resolve("typo")), "a mistyped folder is not created");

        Files.writeString(dir.resolve("readme.txt"), "nothing here");
        Files.write(dir.resolve("broken.tif"), new byte[] {1, 2, 3});
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> TileCatalog.scan(dir));
        assertTrue(empty.getMessage().contains("no image to serve (looked for .ptif, .svs, .tif, .tiff files; "
                + "skipped 1, see the log)"), empty.getMessage());
    }

    /** {@code bytes} (a little-endian classic TIFF) with the first directory's next pointing back at it. */
    static byte[] loop(byte[] bytes) {
        byte[] b = bytes.clone();
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int first = buf.getInt(4);
        int n = buf.getShort(first) & 0xffff;
        buf.putInt(first + 2 + 12 * n, first);
        return b;
    }
}
