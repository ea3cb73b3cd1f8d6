package dev.switchboard.examples.tiles;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.plugins.tiff.BaselineTIFFTagSet;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
import javax.imageio.plugins.tiff.TIFFTag;
import javax.imageio.stream.ImageOutputStream;

/**
 * Draws the demo images (Mandelbrot and Julia fractals) and writes each as a standard pyramidal
 * TIFF with the JDK's own ImageIO TIFF writer: 256-pixel JPEG tiles, the full image first and
 * then each half-size level in the main directory chain, marked as reduced-resolution copies
 * (the layout of {@code vips tiffsave --tile --pyramid}), down to the level that fits one tile.
 * Files that already exist are kept, so later starts reuse them; a file is written under a
 * temporary name and moved into place, so a reader never sees half of one.
 */
final class DemoImages {

    static final int TILE = 256;
    static final String SUFFIX = ".tif";
    static final float JPEG_QUALITY = 0.9f;

    /** A fractal to draw: a Julia set when {@code julia}, else the Mandelbrot set. */
    record Spec(String name, int width, int height, boolean julia, double cx, double cy, double span, double jr,
                double ji, float hue) {
    }

    static final List<Spec> IMAGES = List.of(
            new Spec("mandelbrot", 2560, 2048, false, -0.6, 0, 3.0, 0, 0, 0.60f),
            new Spec("seahorse-valley", 2048, 2048, false, -0.745, 0.11, 0.08, 0, 0, 0.05f),
            new Spec("elephant-valley", 2048, 1536, false, 0.28, 0.008, 0.03, 0, 0, 0.33f),
            new Spec("spiral", 2048, 2048, false, -0.7615, 0.0848, 0.01, 0, 0, 0.80f),
            new Spec("mini-brot", 2048, 2048, false, -1.7685, 0.0017, 0.02, 0, 0, 0.15f),
            new Spec("needle", 2300, 1100, false, -1.25, 0.0, 0.4, 0, 0, 0.95f),
            new Spec("julia-dendrite", 2048, 2048, true, 0, 0, 3.2, 0, 1, 0.55f),
            new Spec("julia-rabbit", 2048, 2048, true, 0, 0, 3.0, -0.123, 0.745, 0.02f),
            new Spec("julia-siegel", 2048, 2048, true, 0, 0, 3.0, -0.391, -0.587, 0.45f),
            new Spec("julia-san-marco", 2600, 1500, true, 0, 0, 3.4, -0.75, 0.0, 0.70f),
            new Spec("julia-dragon", 2048, 2048, true, 0, 0, 3.0, 0.36, 0.1, 0.25f),
            new Spec("julia-galaxy", 2048, 2048, true, 0, 0, 3.0, -0.8, 0.156, 0.88f));

    private DemoImages() {
    }

    /** Writes every missing image into {@code dir}; returns the image files, in order. */
    static List<Path> ensure(Path dir) {
        try {
            Files.createDirectories(dir);
            List<Path> out = new ArrayList<>();
            for (Spec s : IMAGES) {
                Path file = dir.resolve(s.name() + SUFFIX);
                if (!Files.exists(file)) {
                    write(file, s, s.width(), s.height());
                }
                out.add(file);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Draws {@code spec} at {@code width x height} and writes it as a pyramidal JPEG TIFF. */
    static void write(Path file, Spec spec, int width, int height) throws IOException {
        BufferedImage level = render(spec, width, height);
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".part");
        try {
            ImageWriter writer = jdkTiffWriter();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(tmp.toFile())) {
                writer.setOutput(out);
                writer.prepareWriteSequence(null);
                boolean reduced = false;
                while (true) {
                    ImageWriteParam p = writer.getDefaultWriteParam();
                    p.setTilingMode(ImageWriteParam.MODE_EXPLICIT);
                    p.setTiling(TILE, TILE, 0, 0);
                    p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                    p.setCompressionType("JPEG");
                    p.setCompressionQuality(JPEG_QUALITY);
                    writer.writeToSequence(new IIOImage(level, null, metadata(writer, level, p, reduced)), p);
                    if (level.getWidth() <= TILE && level.getHeight() <= TILE) {
                        break;
                    }
                    level = half(level);
                    reduced = true;
                }
                writer.endWriteSequence();
            } finally {
                writer.dispose();
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The JDK's TIFF writer (not a plugin's that may come first on the class path): it tiles. */
    private static ImageWriter jdkTiffWriter() throws IOException {
        for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("tiff"); it.hasNext(); ) {
            ImageWriter w = it.next();
            if (w.getClass().getName().startsWith("com.sun.imageio.plugins.tiff.")) {
                return w;
            }
            w.dispose();
        }
        throw new IOException("the JDK's TIFF writer (javax.imageio, Java 9+) is missing");
    }

    /** Default metadata, with NewSubfileType 1 (a reduced-resolution copy) on the levels below the first. */
    private static IIOMetadata metadata(ImageWriter w, BufferedImage img, ImageWriteParam p, boolean reduced)
            throws IOException {
        IIOMetadata md = w.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), p);
        if (!reduced) {
            return md;
        }
        TIFFDirectory dir = TIFFDirectory.createFromMetadata(md);
        TIFFTag tag = BaselineTIFFTagSet.getInstance().getTag(BaselineTIFFTagSet.TAG_NEW_SUBFILE_TYPE);
        dir.addTIFFField(new TIFFField(tag, TIFFTag.TIFF_LONG, 1,
                new long[] {BaselineTIFFTagSet.NEW_SUBFILE_TYPE_REDUCED_RESOLUTION}));
        return dir.getAsMetadata();
    }

    /** {@code img} at half its size, rounded up, as deep-zoom levels are. */
    static BufferedImage half(BufferedImage img) {
        BufferedImage out = new BufferedImage((img.getWidth() + 1) / 2, (img.getHeight() + 1) / 2,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(img, 0, 0, out.getWidth(), out.getHeight(), null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** The whole image drawn at {@code width x height} pixels, rows in parallel. */
    static BufferedImage render(Spec s, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        double scale = s.span() / Math.max(width, height);
        IntStream.range(0, height).parallel().forEach(py -> {
            int[] row = new int[width];
            double im0 = s.cy() + (py - height / 2.0) * scale;
            for (int px = 0; px < width; px++) {
                row[px] = colour(s, s.cx() + (px - width / 2.0) * scale, im0);
            }
            img.setRGB(0, py, width, 1, row, 0, width);
        });
        return img;
    }

    private static int colour(Spec s, double re0, double im0) {
        double zr = s.julia() ? re0 : 0;
        double zi = s.julia() ? im0 : 0;
        double cr = s.julia() ? s.jr() : re0;
        double ci = s.julia() ? s.ji() : im0;
        int maxIter = 200;
        int it = 0;
        double r2 = 0;
        while (it < maxIter && (r2 = zr * zr + zi * zi) <= 256) {
            double t = zr * zr - zi * zi + cr;
            zi = 2 * zr * zi + ci;
            zr = t;
            it++;
        }
        if (it >= maxIter) {
            return 0x0b0b14;
        }
        double smooth = it + 1 - Math.log(Math.log(Math.max(r2, 1.0001)) / 2) / Math.log(2);
        float v = (float) (smooth / 40.0);
        return java.awt.Color.HSBtoRGB(s.hue() + v * 0.35f, 0.75f,
                (float) Math.min(1.0, 0.25 + 0.75 * Math.abs(Math.sin(smooth * 0.15))));
    }
}
