package dev.fanout.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI's run of the benchmarks: every scenario, every contender, at a tiny size ({@code --smoke}). It checks that the
 * harness works, that every contender computed the right result, and that the report and charts are written; the
 * numbers themselves mean nothing at this size and are not checked.
 */
class BenchMainSmokeTest {

    @Test
    void everyScenarioRunsAtATinySize(@TempDir Path out) throws Exception {
        runAndExpectSuccess(
                "--smoke",
                "--out",
                out.toString(),
                "--doc",
                out.resolve("DOC.md").toString());

        String report = Files.readString(out.resolve("results.md"));
        for (String id : List.of("a", "b", "c", "d", "e", "f", "g", "h")) {
            assertThat(report).as("scenario (%s)", id).contains("#### (" + id + ") ");
        }
        assertThat(report).contains("#### Targets", "#### Throughput of (a) against worker count");
        assertThat(report).doesNotContain("failed");
        // Fanout ran in every timed table: its row has a median, not n/a (virtual threads aside, on JDK 17).
        Matcher fanoutRows =
                Pattern.compile("\\| \\*\\*Fanout[^|]*\\*\\* \\| ([^|]+) \\|").matcher(report);
        int rows = 0;
        while (fanoutRows.find()) {
            rows++;
            if (!fanoutRows.group(0).contains("virtualThreads")) {
                assertThat(fanoutRows.group(1).strip()).as(fanoutRows.group(0)).endsWith("ms");
            }
        }
        assertThat(rows).isEqualTo(9);
        assertThat(report).containsPattern("\\| Fanout bufferSize \\| ok \\|");

        assertThat(out.resolve("per-task-cost.png")).isNotEmptyFile();
        assertThat(out.resolve("throughput-vs-workers.png")).isNotEmptyFile();
        assertThat(Files.readString(out.resolve("DOC.md")))
                .startsWith(Report.START)
                .contains("](per-task-cost.png)")
                .endsWith(Report.END + "\n");
    }

    /** {@code --fork}: each scenario in a child JVM, its results read back into one report. */
    @Test
    void forkedScenariosComeBackIntoOneReport(@TempDir Path out) throws Exception {
        String printed = runAndExpectSuccess(
                "--smoke", "--fork", "--no-cpython", "--only", "a,e,sweep", "--out", out.toString());
        assertThat(printed)
                .contains("(a) in a JVM of its own", "(e) in a JVM of its own", "(sweep) in a JVM of its own");
        String report = Files.readString(out.resolve("results.md"));
        assertThat(report)
                .contains("#### (a) ", "#### (e) ", "#### Throughput of (a) against worker count", "#### Targets")
                .doesNotContain("#### (b) ", "failed");
        assertThat(report).containsPattern("\\| \\*\\*Fanout\\*\\* \\| [0-9.]+ ms \\|");
        try (var left = Files.list(out)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".ser"));
        }
    }

    /** Runs the benchmarks with {@code args}, checks that they exit with 0, and returns what they printed. */
    private static String runAndExpectSuccess(String... args) {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int exit;
        try (PrintStream ps = new PrintStream(console, true, StandardCharsets.UTF_8)) {
            exit = BenchMain.run(ps, args);
        }
        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(printed).isZero();
        return printed;
    }
}
