package dev.fanout.benchmarks;

import dev.fanout.benchmarks.Results.HeapRow;
import dev.fanout.benchmarks.Results.Row;
import dev.fanout.benchmarks.Results.Scenario;
import dev.fanout.benchmarks.Results.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Markdown tables of a run. */
final class Report {
    static final String START = "<!-- bench:results:start -->";
    static final String END = "<!-- bench:results:end -->";

    private final Environment env;
    private final List<Scenario> scenarios;
    private final List<Scenario> sweep;
    private final List<Verdict> verdicts;

    Report(Environment env, List<Scenario> scenarios, List<Scenario> sweep, List<Verdict> verdicts) {
        this.env = env;
        this.scenarios = scenarios;
        this.sweep = sweep;
        this.verdicts = verdicts;
    }

    /**
     * The whole report.
     *
     * @param outDir where the charts are
     * @param charts the chart files
     * @param linkFrom the folder the Markdown file sits in, for the charts' links; null for no chart links
     */
    String markdown(Path outDir, List<Path> charts, Path linkFrom) {
        StringBuilder md = new StringBuilder();
        md.append(env.markdown()).append('\n');
        md.append("Within a scenario, every Java system ran in the same JVM (with `--fork` in the command, a JVM ")
                .append("of the scenario's own), in a rotating order, for the rounds given; the first rounds were ")
                .append("discarded as warm-up. *median* is the median wall time of one run, *per task* that over the ")
                .append("number of tasks, *peer/Fanout* the median over rounds of the system's time divided by ")
                .append("Fanout's time in the same round: above 1.00x, Fanout was faster. CPython ran as a subprocess ")
                .append("in the same run and reports the best of its runs.\n\n");
        md.append("#### Targets\n\n| scenario | target | measured | verdict |\n|---|---|---|---|\n");
        for (Verdict v : verdicts) {
            md.append("| (")
                    .append(v.scenario())
                    .append(") | ")
                    .append(v.target())
                    .append(" | ")
                    .append(v.measured())
                    .append(" | ")
                    .append(v.status())
                    .append(" |\n");
        }
        md.append('\n');
        for (Scenario s : scenarios) {
            md.append("#### (").append(s.id()).append(") ").append(s.title()).append("\n\n");
            if (!s.heapRows().isEmpty()) {
                md.append("| system | outcome | peak heap | peak live heap | time |\n|---|---|---:|---:|---:|\n");
                for (HeapRow r : s.heapRows()) {
                    md.append("| ")
                            .append(r.label())
                            .append(" | ")
                            .append(r.outcome())
                            .append(" | ")
                            .append(mb(r.peakHeapMb()))
                            .append(" | ")
                            .append(mb(r.peakLiveMb()))
                            .append(" | ")
                            .append(Double.isNaN(r.seconds()) ? "" : String.format(Locale.ROOT, "%.1f s", r.seconds()))
                            .append(" |\n");
                }
                md.append("\n*peak heap*: the heap pools' peak usage added up, garbage included (an upper bound); ")
                        .append("*peak live heap*: the most heap in use right after a collection.\n\n");
                continue;
            }
            md.append("| system | median | per task | peer/Fanout | note |\n|---|---:|---:|---:|---|\n");
            for (Row r : s.rows()) {
                md.append("| ")
                        .append(r.fanout() ? "**" + r.label() + "**" : r.label())
                        .append(" | ")
                        .append(r.ran() ? millis(r.medianNanos()) : "n/a")
                        .append(" | ")
                        .append(r.ran() ? nanos(r.perTaskNanos()) : "")
                        .append(" | ")
                        .append(Double.isNaN(r.ratio()) ? "" : String.format(Locale.ROOT, "%.2fx", r.ratio()))
                        .append(" | ")
                        .append(r.note())
                        .append(" |\n");
            }
            md.append('\n');
        }
        if (!sweep.isEmpty()) {
            md.append("#### Throughput of (a) against worker count, million tasks per second\n\n| system |");
            Map<String, StringBuilder> lines = new LinkedHashMap<>();
            for (Scenario s : sweep) {
                md.append(' ').append(s.workers()).append(" |");
                for (Row r : s.rows()) {
                    lines.computeIfAbsent(r.label(), l -> new StringBuilder("| " + l + " |"))
                            .append(' ')
                            .append(r.ran() ? String.format(Locale.ROOT, "%.2f", 1e3 / r.perTaskNanos()) : "n/a")
                            .append(" |");
                }
            }
            md.append("\n|---|").append("---:|".repeat(sweep.size())).append('\n');
            lines.values().forEach(l -> md.append(l).append('\n'));
            md.append('\n');
        }
        if (linkFrom != null) {
            for (Path chart : charts) {
                String name = chart.getFileName().toString().replace(".png", "").replace('-', ' ');
                md.append("![")
                        .append(name)
                        .append("](")
                        .append(linkFrom.relativize(chart).toString().replace('\\', '/'))
                        .append(")\n\n");
            }
        }
        return md.toString();
    }

    /** Replaces the part of {@code file} between the two markers with {@code section}, or appends both. */
    static void replaceSection(Path file, String section) throws IOException {
        String text = Files.isRegularFile(file) ? Files.readString(file) : "";
        String block = START + "\n" + section.strip() + "\n" + END;
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        String updated = start >= 0 && end > start
                ? text.substring(0, start) + block + text.substring(end + END.length())
                : text + (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + block + "\n";
        Files.writeString(file, updated);
    }

    private static String millis(double nanos) {
        return String.format(Locale.ROOT, nanos >= 1e8 ? "%.0f ms" : "%.1f ms", nanos / 1e6);
    }

    private static String nanos(double nanos) {
        return nanos >= 1e5
                ? String.format(Locale.ROOT, "%.1f µs", nanos / 1e3)
                : String.format(Locale.ROOT, "%.0f ns", nanos);
    }

    private static String mb(double mb) {
        return Double.isNaN(mb) ? "" : String.format(Locale.ROOT, "%.1f MB", mb);
    }
}
