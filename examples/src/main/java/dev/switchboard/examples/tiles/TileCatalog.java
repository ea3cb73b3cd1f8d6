package dev.switchboard.examples.tiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The images of a data folder, with the geometry the viewer needs. Immutable.
 *
 * <p>It takes every {@code .tif}, {@code .tiff}, {@code .ptif} and {@code .svs} file under the
 * folder, subfolders included, opens each once to read its geometry, and logs each file it skips
 * with the reason (not a tiled pyramid, an unsupported compression, damaged). An image's name is
 * its path under the folder without the extension, with {@code /} between folders.
 */
final class TileCatalog {

    private static final Logger log = LoggerFactory.getLogger(TileCatalog.class);

    /** The file endings it serves, lower case. */
    static final Set<String> EXTENSIONS = Set.of(".tif", ".tiff", ".ptif", ".svs");
    /** Folders deep it looks under the data folder. */
    static final int MAX_DEPTH = 16;
    /** Images it lists at most; files past that are skipped with a log line. */
    static final int MAX_IMAGES = 10_000;

    /** One image. */
    record Image(String name, Path file, int width, int height, int tileSize, int minLevel, int maxLevel,
                 Pyramid.Format format, List<String> extras) {
    }

    private final Map<String, Image> images;

    private TileCatalog(Map<String, Image> images) {
        this.images = Collections.unmodifiableMap(images);
    }

    /**
     * Reads every image under {@code dir}, sorted by name.
     *
     * @throws IllegalArgumentException when {@code dir} is not a folder or holds no image it can serve
     */
    static TileCatalog scan(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--data " + dir + ": "
                    + (Files.exists(dir) ? "is not a folder" : "no such folder"));
        }
        Map<String, Image> out = new LinkedHashMap<>();
        int skipped = 0;
        try (Stream<Path> walk = Files.walk(dir, MAX_DEPTH, FileVisitOption.FOLLOW_LINKS)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                String ext = extension(f);
                if (!EXTENSIONS.contains(ext)) {
                    continue;
                }
                String rel = dir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
                String name = rel.substring(0, rel.length() - ext.length());
                if (out.containsKey(name)) {
                    log.warn("skipping {}: image '{}' is already served from {}", f, name, out.get(name).file());
                    skipped++;
                    continue;
                }
                if (out.size() >= MAX_IMAGES) {
                    log.warn("skipping {}: more than {} images (TileCatalog.MAX_IMAGES)", f, MAX_IMAGES);
                    skipped++;
                    continue;
                }
                try (Pyramid p = Pyramid.open(f)) {
                    out.put(name, new Image(name, f, p.width(), p.height(), p.tileSize(), p.minLevel(),
                            p.maxLevel(), p.format(), p.extras()));
                    log.info("{}: {}x{}, levels {} in the file of deep-zoom {}..{}, {} tiles{}", name, p.width(),
                            p.height(), p.levelsInFile(), p.minLevel(), p.maxLevel(), p.format(),
                            p.extras().isEmpty() ? "" : "; not served: " + String.join("; ", p.extras()));
                } catch (UncheckedIOException | IllegalArgumentException e) {
                    log.warn("skipping {}: {}", f, reason(e, f));
                    skipped++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--data " + dir + ": no image to serve (looked for "
                    + String.join(", ", EXTENSIONS.stream().sorted().toList()) + " files"
                    + (skipped > 0 ? "; skipped " + skipped + ", see the log" : "") + ")");
        }
        return new TileCatalog(out);
    }

    private static String reason(RuntimeException e, Path f) {
        String m = String.valueOf(e.getMessage());
        String prefix = f + ": ";
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

    private static String extension(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot);
    }

    Optional<Image> image(String name) {
        return Optional.ofNullable(images.get(name));
    }

    List<Image> images() {
        return new ArrayList<>(images.values());
    }
}
