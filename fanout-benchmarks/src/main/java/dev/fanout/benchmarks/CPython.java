package dev.fanout.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CPython's {@code concurrent.futures} on the same scenario, through {@code shared/bench/cpython_baseline.py} run as
 * a subprocess in the same run. The script reports the best of {@code --repeat} runs, which favours CPython.
 */
final class CPython {
    private final String python;
    private final Path script;
    private final int repeat;
    private final Path dir;

    CPython(String python, Path script, int repeat, Path dir) {
        this.python = python;
        this.script = script;
        this.repeat = repeat;
        this.dir = dir;
    }

    /** What the script reported, or why there is nothing to report. */
    record Result(double seconds, double perTaskNanos, double maxRssMb, String version, String unavailable) {
        static Result unavailable(String why) {
            return new Result(Double.NaN, Double.NaN, Double.NaN, "", why);
        }

        boolean ok() {
            return unavailable == null;
        }
    }

    /**
     * Finds the baseline script beside the repository ({@code ../shared/bench} of its root) or beside the current
     * folder.
     */
    static Path locateScript(Path repoRoot) {
        List<Path> candidates = new ArrayList<>();
        if (repoRoot != null && repoRoot.getParent() != null) {
            candidates.add(repoRoot.getParent().resolve("shared/bench/cpython_baseline.py"));
        }
        Path cwd = Path.of("").toAbsolutePath();
        candidates.add(cwd.resolve("../shared/bench/cpython_baseline.py").normalize());
        candidates.add(cwd.resolve("shared/bench/cpython_baseline.py"));
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return candidates.get(0);
    }

    Path script() {
        return script;
    }

    Result run(String scenario, int n, int workers, double sleepMillis) {
        if (!Files.isRegularFile(script)) {
            return Result.unavailable("script not found: " + script);
        }
        List<String> command = new ArrayList<>(List.of(
                python,
                script.toString(),
                scenario,
                Integer.toString(n),
                Integer.toString(workers),
                String.format(Locale.ROOT, "%.3f", sleepMillis),
                "--repeat=" + repeat));
        Processes.Outcome outcome = Processes.run(command, dir, 900);
        if (outcome.timedOut()) {
            return Result.unavailable("timed out");
        }
        String line = Json.lastObjectLine(outcome.stdout());
        if (outcome.exitCode() != 0 || line == null) {
            String err = outcome.stderr().strip();
            return Result.unavailable("exit code " + outcome.exitCode() + (err.isEmpty() ? "" : ": " + lastLine(err)));
        }
        Map<String, String> json = Json.parseFlat(line);
        if (json.containsKey("skipped")) {
            return Result.unavailable("skipped: " + json.get("skipped"));
        }
        return new Result(
                Double.parseDouble(json.get("seconds")),
                Double.parseDouble(json.get("per_task_us")) * 1_000,
                Double.parseDouble(json.getOrDefault("maxrss_mb", "NaN")),
                json.getOrDefault("python", ""),
                null);
    }

    private static String lastLine(String text) {
        String[] lines = text.split("\\R");
        return lines[lines.length - 1];
    }
}
