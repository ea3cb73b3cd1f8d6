package dev.switchboard.examples.tiles;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;

/**
 * Draws the demo images (Mandelbrot and Julia fractals) and writes each as a pyramid file of
 * 256-pixel PNG tiles, from one tile for the whole image down to full size. Files that already
 * exist are kept, so later starts reuse them.
 */
final class PyramidGenerator {

    static final int SIZE = 2048;
    static final int TILE = 256;
    static final String SUFFIX = ".pyr";

    /** A fractal to draw: a Julia set when {@code julia}, else the Mandelbrot set. */
    record Spec(String name, boolean julia, double cx, double cy, double span, double jr, double ji, float hue) {
    }

    static final List<Spec> IMAGES = List.of(
            new Spec("mandelbrot", false, -0.6, 0, 3.0, 0, 0, 0.60f),
            new Spec("seahorse-valley", false, -0.745, 0.11, 0.08, 0, 0, 0.05f),
            new Spec("elephant-valley", false, 0.28, 0.008, 0.03, 0, 0, 0.33f),
            new Spec("spiral", false, -0.7615, 0.0848, 0.01, 0, 0, 0.80f),
            new Spec("mini-brot", false, -1.7685, 0.0017, 0.02, 0, 0, 0.15f),
            new Spec("needle", false, -1.25, 0.0, 0.4, 0, 0, 0.95f),
            new Spec("julia-dendrite", true, 0, 0, 3.2, 0, 1, 0.55f),
            new Spec("julia-rabbit", true, 0, 0, 3.0, -0.123, 0.745, 0.02f),
            new Spec("julia-siegel", true, 0, 0, 3.0, -0.391, -0.587, 0.45f),
            new Spec("julia-san-marco", true, 0, 0, 3.4, -0.75, 0.0, 0.70f),
            new Spec("julia-dragon", true, 0, 0, 3.0, 0.36, 0.1, 0.25f),
            new Spec("julia-galaxy", true, 0, 0, 3.0, -0.8, 0.156, 0.88f));

    private PyramidGenerator() {
    }

    /** Writes every missing image into {@code dir}; returns the pyramid files, in order. */
    static List<Path> ensure(Path dir) {
        try {
            Files.createDirectories(dir);
            List<Path> out = new ArrayList<>();
            for (Spec s : IMAGES) {
                Path file = dir.resolve(s.name() + SUFFIX);
                if (!Files.exists(file)) {
                    write(file, s, SIZE);
                }
                out.add(file);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, Spec spec, int size) throws IOException {
        int maxLevel = 32 - Integer.numberOfLeadingZeros(size - 1);
        int levels = maxLevel - (32 - Integer.numberOfLeadingZeros(TILE - 1)) + 1;
        List<PyramidFile.Level> out = new ArrayList<>();
        for (int i = 0; i < levels; i++) {
            int dim = size >> (levels - 1 - i);
            int n = Math.max(1, (dim + TILE - 1) / TILE);
            List<byte[]> tiles = IntStream.range(0, n * n).parallel()
                    .mapToObj(t -> png(render(spec, dim, (t % n) * TILE, (t / n) * TILE)))
                    .toList();
            out.add(new PyramidFile.Level(n, n, tiles));
        }
        PyramidFile.write(file, size, size, TILE, maxLevel, out);
    }

    /** One tile of the image drawn at {@code dim} pixels square, from pixel (x0, y0). */
    static BufferedImage render(Spec s, int dim, int x0, int y0) {
        int w = Math.min(TILE, dim - x0);
        int h = Math.min(TILE, dim - y0);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        double scale = s.span() / dim;
        int maxIter = 200;
        for (int py = 0; py < h; py++) {
            double im0 = s.cy() + (y0 + py - dim / 2.0) * scale;
            for (int px = 0; px < w; px++) {
                double re0 = s.cx() + (x0 + px - dim / 2.0) * scale;
                double zr = s.julia() ? re0 : 0;
                double zi = s.julia() ? im0 : 0;
                double cr = s.julia() ? s.jr() : re0;
                double ci = s.julia() ? s.ji() : im0;
                int it = 0;
                double r2 = 0;
                while (it < maxIter && (r2 = zr * zr + zi * zi) <= 256) {
                    double t = zr * zr - zi * zi + cr;
                    zi = 2 * zr * zi + ci;
                    zr = t;
                    it++;
                }
                int rgb;
                if (it >= maxIter) {
                    rgb = 0x0b0b14;
                } else {
                    double smooth = it + 1 - Math.log(Math.log(Math.max(r2, 1.0001)) / 2) / Math.log(2);
                    float v = (float) (smooth / 40.0);
                    rgb = java.awt.Color.HSBtoRGB(s.hue() + v * 0.35f, 0.75f,
                            (float) Math.min(1.0, 0.25 + 0.75 * Math.abs(Math.sin(smooth * 0.15))));
                }
                img.setRGB(px, py, rgb);
            }
        }
        return img;
    }

    static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
        try {
            if (!ImageIO.write(img, "png", out)) {
                throw new IllegalStateException("no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
