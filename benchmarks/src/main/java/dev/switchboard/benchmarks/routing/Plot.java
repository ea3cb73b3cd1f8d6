package dev.switchboard.benchmarks.routing;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.text.DecimalFormat;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.util.ExportUtils;
import org.jfree.chart.util.ShapeUtils;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws the cache-size sweep with JFreeChart: hit ratio (and the ideal) and p99 per strategy.
 * PNG always; SVG where JFreeSVG is on the class path, as JFreeChart 1.5 exports SVG through it.
 */
final class Plot {

    private static final int WIDTH = 800;
    private static final int HEIGHT = 640;

    private Plot() {
    }

    static void draw(Path file, List<Integer> sizes, List<String> strategies, List<List<Simulation.Result>> perSize,
            String subtitle) throws IOException {
        XYSeriesCollection hit = new XYSeriesCollection();
        XYSeriesCollection p99 = new XYSeriesCollection();
        XYSeries ideal = new XYSeries("ideal (one cache)");
        for (int s = 0; s < strategies.size(); s++) {
            XYSeries h = new XYSeries(strategies.get(s));
            XYSeries p = new XYSeries(strategies.get(s));
            for (int i = 0; i < sizes.size(); i++) {
                Simulation.Result r = perSize.get(i).get(s);
                h.add(sizes.get(i).doubleValue(), r.hitRatio());
                p.add(sizes.get(i).doubleValue(), r.p99Ms());
                if (s == 0) {
                    ideal.add(sizes.get(i).doubleValue(), r.idealHitRatio());
                }
            }
            hit.addSeries(h);
            p99.addSeries(p);
        }
        hit.addSeries(ideal);

        LogAxis cacheAxis = new LogAxis("cache entries per worker");
        cacheAxis.setBase(2);
        cacheAxis.setNumberFormatOverride(new DecimalFormat("0"));
        cacheAxis.setTickUnit(new NumberTickUnit(1), false, true);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(cacheAxis);
        plot.add(new XYPlot(hit, null, new NumberAxis("hit ratio"), renderer(strategies.size(), true)), 1);
        LogAxis latency = new LogAxis("p99 latency (ms), log scale");
        latency.setNumberFormatOverride(new DecimalFormat("#,##0"));
        latency.setTickUnit(new NumberTickUnit(1), false, true);
        XYLineAndShapeRenderer latencyRenderer = renderer(strategies.size(), false);
        // one legend for both plots: the series are the same strategies in the same colours
        latencyRenderer.setDefaultSeriesVisibleInLegend(false);
        plot.add(new XYPlot(p99, null, latency, latencyRenderer), 1);
        plot.setGap(12);

        JFreeChart chart = new JFreeChart("Routing strategies over cache size", new Font(Font.SANS_SERIF, Font.BOLD, 16),
                plot, true);
        chart.addSubtitle(new org.jfree.chart.title.TextTitle(subtitle));
        chart.setBackgroundPaint(Color.WHITE);
        String name = file.getFileName().toString();
        if (name.endsWith(".png")) {
            ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        } else if (ExportUtils.isJFreeSVGAvailable()) {
            ExportUtils.writeAsSVG(chart, WIDTH, HEIGHT, file.toFile());
        } else {
            throw new IOException("SVG output needs JFreeSVG (org.jfree:org.jfree.svg) on the class path; "
                    + "write a .png instead");
        }
    }

    private static XYLineAndShapeRenderer renderer(int strategies, boolean withIdeal) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        Color[] colors = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2)};
        Shape[] shapes = {new Rectangle2D.Double(-3, -3, 6, 6), new Ellipse2D.Double(-3, -3, 6, 6),
            ShapeUtils.createUpTriangle(3.5f), ShapeUtils.createDiamond(4f), ShapeUtils.createDownTriangle(3.5f)};
        for (int i = 0; i < strategies; i++) {
            r.setSeriesPaint(i, colors[i % colors.length]);
            r.setSeriesStroke(i, new BasicStroke(2f));
            r.setSeriesShape(i, shapes[i % shapes.length]);
        }
        if (withIdeal) {
            r.setSeriesPaint(strategies, Color.GRAY);
            r.setSeriesStroke(strategies, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {6f, 4f}, 0f));
        }
        return r;
    }
}
