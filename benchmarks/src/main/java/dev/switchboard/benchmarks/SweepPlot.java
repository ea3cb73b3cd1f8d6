package dev.switchboard.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Draws the connection sweep of {@code benchmarks/peers/run.sh}: throughput and p99 against the
 * number of connections, one line per server, from a CSV {@code server,connections,requests_per_s,p99_us}.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.switchboard.benchmarks.SweepPlot
 * --csv sweep.csv --out benchmarks/docs/connections-sweep.png --subtitle "…"}
 */
@Command(name = "SweepPlot", mixinStandardHelpOptions = true, description = "plots a connection sweep as PNG")
public final class SweepPlot implements Callable<Integer> {

    @Option(names = "--csv", required = true)
    Path csv;
    @Option(names = "--out", required = true)
    Path out;
    @Option(names = "--subtitle", defaultValue = "")
    String subtitle;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SweepPlot()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Map<String, XYSeries[]> series = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        for (String line : lines) {
            String[] f = line.split(",");
            if (f.length < 4 || f[0].equals("server")) {
                continue;
            }
            XYSeries[] s = series.computeIfAbsent(f[0], k -> new XYSeries[] {new XYSeries(k), new XYSeries(k)});
            double connections = Double.parseDouble(f[1]);
            s[0].add(connections, Double.parseDouble(f[2]) / 1000.0);
            s[1].add(connections, Math.max(1.0, Double.parseDouble(f[3])) / 1000.0);
        }
        XYSeriesCollection throughput = new XYSeriesCollection();
        XYSeriesCollection p99 = new XYSeriesCollection();
        series.values().forEach(s -> {
            throughput.addSeries(s[0]);
            p99.addSeries(s[1]);
        });
        LogAxis connections = new LogAxis("WebSocket connections (closed loop)");
        connections.setBase(2);
        connections.setNumberFormatOverride(new DecimalFormat("0"));
        connections.setTickUnit(new NumberTickUnit(2), false, true);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(connections);
        plot.add(new XYPlot(throughput, null, new NumberAxis("thousand requests/s"), renderer(series.size(), true)), 1);
        LogAxis latency = new LogAxis("p99 latency (ms), log scale");
        latency.setNumberFormatOverride(new DecimalFormat("#,##0.#"));
        plot.add(new XYPlot(p99, null, latency, renderer(series.size(), false)), 1);
        plot.setGap(12);
        JFreeChart chart = new JFreeChart("Throughput and p99 against connections",
                new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        if (!subtitle.isEmpty()) {
            chart.addSubtitle(new TextTitle(subtitle));
        }
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(out.toFile(), chart, 800, 640);
        System.out.println("wrote " + out);
        return 0;
    }

    private static XYLineAndShapeRenderer renderer(int n, boolean legend) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        Color[] colors = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728)};
        for (int i = 0; i < n; i++) {
            r.setSeriesPaint(i, colors[i % colors.length]);
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        r.setDefaultSeriesVisibleInLegend(legend);
        return r;
    }
}
