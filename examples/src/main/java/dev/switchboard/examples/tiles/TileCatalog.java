package dev.switchboard.examples.tiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The pyramid files of a data folder, with the geometry the viewer needs. Immutable. */
final class TileCatalog {

    /** One image. */
    record Image(String name, Path file, int width, int height, int tileSize, int minLevel, int maxLevel) {
    }

    private final Map<String, Image> images;

    private TileCatalog(Map<String, Image> images) {
        this.images = Collections.unmodifiableMap(images);
    }

    /** Reads the header of every {@code *.pyr} file in {@code dir}, sorted by name. */
    static TileCatalog scan(Path dir) {
        Map<String, Image> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(PyramidGenerator.SUFFIX)).sorted().toList()) {
                String name = f.getFileName().toString();
                name = name.substring(0, name.length() - PyramidGenerator.SUFFIX.length());
                try (PyramidReader r = PyramidReader.open(f)) {
                    out.put(name, new Image(name, f, r.width(), r.height(), r.tileSize(), r.minLevel(), r.maxLevel()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return new TileCatalog(out);
    }

    Optional<Image> image(String name) {
        return Optional.ofNullable(images.get(name));
    }

    List<Image> images() {
        return new ArrayList<>(images.values());
    }
}
