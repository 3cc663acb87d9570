package dev.fanout.benchmarks;

import dev.fanout.benchmarks.Results.Row;
import dev.fanout.benchmarks.Results.Scenario;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The two charts of a run, drawn with XChart: per-task cost across systems, and throughput against workers. */
final class Charts {
    private static final Set<String> PER_TASK = Set.of("a", "b", "c", "g");
    private static final int PANEL_WIDTH = 640;
    private static final int PANEL_HEIGHT = 420;
    private static final Color FANOUT_COLOUR = new Color(0xE6550D);
    private static final Color PEER_COLOUR = new Color(0x6B8EC6);

    private Charts() {}

    static List<Path> draw(List<Scenario> scenarios, List<Scenario> sweep, Path outDir) {
        List<Path> written = new ArrayList<>();
        List<BufferedImage> panels = new ArrayList<>();
        for (Scenario s : scenarios) {
            if (PER_TASK.contains(s.id()) && s.workers() > 1 && !s.rows().isEmpty()) {
                panels.add(BitmapEncoder.getBufferedImage(perTaskPanel(s)));
            }
        }
        if (!panels.isEmpty()) {
            written.add(write(grid(panels), outDir.resolve("per-task-cost.png")));
        }
        if (!sweep.isEmpty()) {
            written.add(write(
                    BitmapEncoder.getBufferedImage(throughput(sweep)), outDir.resolve("throughput-vs-workers.png")));
        }
        return written;
    }

    private static CategoryChart perTaskPanel(Scenario s) {
        CategoryChart chart = new CategoryChartBuilder()
                .width(PANEL_WIDTH)
                .height(PANEL_HEIGHT)
                .title("(" + s.id() + ") " + shortTitle(s.title()))
                .yAxisTitle("ns per task (log)")
                .build();
        Styler styler = chart.getStyler();
        styler.setLegendVisible(false);
        styler.setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setXAxisLabelRotation(20);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
        chart.getStyler().setLabelsFontColor(Color.DARK_GRAY);
        chart.getStyler().setDecimalPattern("#,##0");
        List<String> names = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        List<Double> fanout = new ArrayList<>();
        List<Double> others = new ArrayList<>();
        for (Row r : s.rows()) {
            if (r.ran()) {
                names.add(shortLabel(r.label()));
                values.add(r.perTaskNanos());
                fanout.add(r.fanout() ? r.perTaskNanos() : null);
                others.add(r.fanout() ? null : r.perTaskNanos());
            }
        }
        // A bar chart anchors its axis at zero, which a log axis cannot show: start it at the decade below the least.
        double least = values.stream().mapToDouble(Double::doubleValue).min().orElse(1);
        double most = values.stream().mapToDouble(Double::doubleValue).max().orElse(10);
        chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(least))));
        chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(most * 1.5))));
        // Two series laid over each other, so that Fanout's bar has a colour of its own.
        chart.getStyler().setOverlapped(true);
        chart.addSeries("Fanout", names, fanout).setFillColor(FANOUT_COLOUR);
        chart.addSeries("peers", names, others).setFillColor(PEER_COLOUR);
        return chart;
    }

    private static CategoryChart throughput(List<Scenario> sweep) {
        CategoryChart chart = new CategoryChartBuilder()
                .width(900)
                .height(540)
                .title("Throughput of (a), submit then result(), against worker count")
                .xAxisTitle("workers")
                .yAxisTitle("million tasks per second")
                .build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeriesRenderStyle.Line);
        chart.getStyler().setOverlapped(true); // every series' point for N workers right above N
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        List<String> workers = new ArrayList<>();
        Map<String, List<Double>> points = new LinkedHashMap<>();
        for (Scenario s : sweep) {
            workers.add(Integer.toString(s.workers()));
            for (Row r : s.rows()) {
                points.computeIfAbsent(r.label(), l -> new ArrayList<>()).add(r.ran() ? 1e3 / r.perTaskNanos() : null);
            }
        }
        points.forEach((label, ys) -> {
            var series = chart.addSeries(shortLabel(label), workers, ys);
            series.setMarker(SeriesMarkers.CIRCLE);
            if (label.startsWith("Fanout")) {
                series.setLineColor(FANOUT_COLOUR);
                series.setMarkerColor(FANOUT_COLOUR);
                series.setLineWidth(3);
            }
        });
        return chart;
    }

    private static BufferedImage grid(List<BufferedImage> panels) {
        int columns = Math.min(2, panels.size());
        int rows = (panels.size() + columns - 1) / columns;
        BufferedImage image = new BufferedImage(PANEL_WIDTH * columns, PANEL_HEIGHT * rows, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        for (int i = 0; i < panels.size(); i++) {
            g.drawImage(panels.get(i), (i % columns) * PANEL_WIDTH, (i / columns) * PANEL_HEIGHT, null);
        }
        g.dispose();
        return image;
    }

    private static Path write(BufferedImage image, Path file) {
        try {
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static String shortTitle(String title) {
        int colon = title.indexOf(':');
        return colon > 0 ? title.substring(0, colon) : title;
    }

    private static String shortLabel(String label) {
        return label.replace("Guava ListeningExecutorService", "Guava")
                .replace("Guava Futures.inCompletionOrder", "Guava inCompletionOrder")
                .replace("CompletableFuture.supplyAsync", "CompletableFuture")
                .replace("CPython concurrent.futures", "CPython")
                .replace("parallel-collectors ", "p-c ");
    }
}
