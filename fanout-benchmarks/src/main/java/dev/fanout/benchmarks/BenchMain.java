package dev.fanout.benchmarks;

import dev.fanout.benchmarks.Results.HeapRow;
import dev.fanout.benchmarks.Results.Row;
import dev.fanout.benchmarks.Results.Scenario;
import dev.fanout.benchmarks.Results.Status;
import dev.fanout.benchmarks.Results.Verdict;
import java.io.File;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The side-by-side runner: every scenario of the issue, every peer in this same JVM, CPython as a subprocess, in one
 * run. For each scenario it runs the contenders in turn, in a rotating order, for some rounds, throws the warm-up
 * rounds away, and prints each system's median time and the median over rounds of its time divided by Fanout's time
 * in the same round, then the verdict on each target. It writes the tables to {@code results.md} and draws the charts
 * beside it.
 *
 * <p>Quick mode (under five minutes on two cores):
 *
 * <pre>
 * ./mvnw -B -q -pl fanout-benchmarks -am package -DskipTests
 * java -cp fanout-benchmarks/target/benchmarks.jar dev.fanout.benchmarks.BenchMain --quick
 * </pre>
 *
 * <p>{@code --smoke} runs every scenario at a tiny size in seconds (the module's test does, in CI); with neither
 * option it runs the full mode, more rounds. {@code --doc BENCHMARKS.md} also puts the results into that file.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Runs Fanout and its peers side by side and prints medians, ratios and target verdicts.")
public final class BenchMain implements Callable<Integer> {
    private static final List<String> ALL = List.of("a", "b", "c", "d", "e", "f", "g", "h", "sweep");
    private static final int[] SWEEP_WORKERS = {1, 2, 4, 8, 16};

    /** Sleeps this long or longer get few rounds in quick mode: they cost their full length and vary little. */
    private static final long LONG_SLEEP_NANOS = 250_000_000L;
    /** Quick mode measures up to this many rounds of a scenario... */
    private static final int QUICK_MOST_ROUNDS = 15;
    /** ...while its measured rounds so far took less than this. */
    private static final long QUICK_BUDGET_NANOS = 20_000_000_000L;

    @Option(names = "--quick", description = "The issue's sizes, few rounds: under 5 minutes on 2 cores.")
    boolean quick;

    @Option(names = "--smoke", description = "Tiny sizes, one round: checks that every scenario runs.")
    boolean smoke;

    @Option(
            names = "--only",
            split = ",",
            paramLabel = "ID",
            description = "Scenarios to run, of a,b,c,d,e,f,g,h,sweep (default: all).")
    List<String> only;

    @Option(
            names = "--workers",
            description = "Workers per executor, for all but (f) and (h) (default: the number of cores).")
    int workers = Runtime.getRuntime().availableProcessors();

    @Option(names = "--rounds", description = "Measured rounds (overrides the mode's).")
    Integer rounds;

    @Option(names = "--warmup", description = "Warm-up rounds, discarded (overrides the mode's).")
    Integer warmup;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Where results.md and the charts go (default: bench-results in the repository).")
    Path out;

    @Option(
            names = "--doc",
            paramLabel = "FILE",
            description = "A Markdown file whose results section (between the bench:results markers) is replaced.")
    Path doc;

    @Option(
            names = "--buffer-size",
            description = "bufferSize of (e) (default: the mode's; full and smoke: 4 per worker, as the CPython"
                    + " baseline's buffersize; quick: 256).")
    int bufferSize;

    @Option(names = "--python", description = "The Python interpreter (default: ${DEFAULT-VALUE}).")
    String python = "python3";

    @Option(
            names = "--cpython-script",
            paramLabel = "FILE",
            description = "cpython_baseline.py (default: ../shared/bench of the repository).")
    Path cpythonScript;

    @Option(names = "--no-cpython", description = "Do not run CPython.")
    boolean noCpython;

    @Option(
            names = "--fork",
            description = "Each scenario in a JVM of its own, as JMH forks: none then runs on the heap and JIT"
                    + " profiles that the scenarios before it left. Systems still rotate inside each scenario.")
    boolean fork;

    /** Set on a forked child: where it writes what it measured, for the parent to read. */
    @Option(names = "--emit", hidden = true, paramLabel = "FILE")
    Path emit;

    private final PrintStream console;
    private String[] args = new String[0];
    private Sizes sizes;
    private CPython cpython;
    private int failures;

    BenchMain(PrintStream console) {
        this.console = console;
    }

    /**
     * Runs the benchmarks; {@code --help} lists the options.
     *
     * @param args the options
     */
    public static void main(String[] args) {
        System.exit(run(System.out, args));
    }

    /** Runs the benchmarks and returns the exit code: 0, or 2 when a contender failed or gave a wrong result. */
    static int run(PrintStream console, String... args) {
        BenchMain main = new BenchMain(console);
        main.args = args.clone();
        return new CommandLine(main).execute(args);
    }

    @Override
    public Integer call() throws IOException {
        System.setProperty("java.awt.headless", "true");
        sizes = smoke ? Sizes.SMOKE : quick ? Sizes.QUICK : Sizes.FULL;
        if (rounds != null || warmup != null) {
            sizes = withRounds(
                    sizes, warmup != null ? warmup : sizes.warmup(), rounds != null ? rounds : sizes.rounds());
        }
        Set<String> selected = new LinkedHashSet<>(only == null ? ALL : only);
        selected.retainAll(ALL);
        Path repo = Environment.repositoryRoot();
        Path outDir = (out != null ? out : (repo != null ? repo : Path.of("")).resolve("bench-results"))
                .toAbsolutePath()
                .normalize();
        Path script = cpythonScript != null ? cpythonScript : CPython.locateScript(repo);
        cpython = new CPython(python, script.toAbsolutePath().normalize(), sizes.pythonRepeat(), outDir);
        Files.createDirectories(outDir);

        Environment env = Environment.describe(mode(), command(), python);
        double workNanos = Work.calibrate();
        console.println(env.markdown());
        console.printf(
                Locale.ROOT,
                "CPU work unit of (c)/(d): %d iterations, %.0f ns per call%n%n",
                Work.iterations(),
                workNanos);

        List<Scenario> scenarios = new ArrayList<>();
        List<Verdict> verdicts = new ArrayList<>();
        List<Scenario> sweep = new ArrayList<>();
        if (fork && emit == null) {
            for (String id : selected) {
                runForked(id, outDir, scenarios, sweep, verdicts);
            }
            selected.clear();
        }
        if (selected.contains("a")) {
            trivialTasks(
                    "a",
                    "submit, then result() in order",
                    SubmitResult.values(),
                    sizes.submitResult(),
                    "submit_result",
                    "ThreadPoolExecutor",
                    scenarios,
                    verdicts);
        }
        if (selected.contains("b")) {
            trivialTasks(
                    "b",
                    "asCompleted",
                    AsCompleted.values(),
                    sizes.asCompleted(),
                    "as_completed",
                    "ExecutorCompletionService",
                    scenarios,
                    verdicts);
        }
        if (selected.contains("c")) {
            Scenario c = timed(
                    "c",
                    "ordered map: %,d items of ~1 µs CPU each on %d workers".formatted(sizes.orderedMap(), workers),
                    List.of(OrderedMap.values()),
                    sizes.orderedMap(),
                    workers,
                    Work.cpuSum(sizes.orderedMap()),
                    0,
                    "map",
                    0);
            scenarios.add(c);
            verdicts.add(ratio(c, "ThreadPoolExecutor", 1.0, "at or below 1.0x ThreadPoolExecutor"));
        }
        if (selected.contains("d")) {
            ChunkedMap.chunkSize = sizes.chunkSize();
            Scenario d = timed(
                    "d",
                    "ordered map, chunkSize %,d: %,d items of ~1 µs CPU each on %d workers"
                            .formatted(sizes.chunkSize(), sizes.chunkedMap(), workers),
                    List.of(ChunkedMap.values()),
                    sizes.chunkedMap(),
                    workers,
                    Work.cpuSum(sizes.chunkedMap()),
                    0,
                    null,
                    0);
            scenarios.add(d);
            verdicts.add(ratio(d, "parallel stream", 0.8, "at least 0.8x the throughput of a parallel stream"));
        }
        if (selected.contains("e")) {
            Scenario e = heap(outDir);
            scenarios.add(e);
            HeapRow fanout = e.heapRows().get(0);
            boolean ok = fanout.outcome().equals("ok");
            verdicts.add(new Verdict(
                    "e",
                    "peak heap under 64 MB in -Xmx96m",
                    ok ? String.format(Locale.ROOT, "%.1f MB", fanout.peakHeapMb()) : fanout.outcome(),
                    ok && fanout.peakHeapMb() < 64 ? Status.MET : Status.MISSED));
        }
        if (selected.contains("f")) {
            SleepFanout.sleepEach(sizes.sleepMillis());
            Scenario platform = timed(
                    "f",
                    "%,d tasks sleeping %d ms on %d platform workers"
                            .formatted(sizes.sleepTasks(), sizes.sleepMillis(), sizes.sleepWorkers()),
                    List.of(SleepFanout.values()),
                    sizes.sleepTasks(),
                    sizes.sleepWorkers(),
                    Work.triangle(sizes.sleepTasks()),
                    SleepFanout.idealNanos(sizes.sleepTasks(), sizes.sleepWorkers()),
                    "sleep_fanout",
                    sizes.sleepMillis());
            scenarios.add(platform);
            verdicts.add(ideal(platform, 1.1));
            SleepFanout.sleepEach(sizes.virtualMillis());
            Scenario virtual = timed(
                    "f",
                    "%,d tasks sleeping %d ms on virtual threads"
                            .formatted(sizes.virtualTasks(), sizes.virtualMillis()),
                    List.of(VirtualSleep.values()),
                    sizes.virtualTasks(),
                    sizes.virtualTasks(),
                    Work.triangle(sizes.virtualTasks()),
                    SleepFanout.idealNanos(sizes.virtualTasks(), sizes.virtualTasks()),
                    null,
                    0);
            scenarios.add(virtual);
            verdicts.add(ideal(virtual, 1.1));
            verdicts.add(ratio(
                    virtual,
                    "Executors.newVirtualThreadPerTaskExecutor",
                    1.0,
                    "virtual threads no slower than newVirtualThreadPerTaskExecutor"));
        }
        if (selected.contains("g")) {
            Scenario pool = timed(
                    "g",
                    "callbacks: %,d futures with a done-callback each, on %d workers"
                            .formatted(sizes.callbacks(), workers),
                    List.of(Callbacks.FANOUT, Callbacks.COMPLETABLE_FUTURE, Callbacks.GUAVA),
                    sizes.callbacks(),
                    workers,
                    Work.triangle(sizes.callbacks()),
                    0,
                    null,
                    0);
            scenarios.add(pool);
            verdicts.add(ratio(
                    pool, "CompletableFuture.whenComplete", 1.0, "at or below 1.0x CompletableFuture.whenComplete"));
            Scenario bare = timed(
                    "g",
                    "callbacks without a pool: %,d futures made, given a callback and completed on one thread"
                            .formatted(sizes.callbacks()),
                    List.of(Callbacks.FANOUT_PROMISE, Callbacks.COMPLETABLE_FUTURE_NO_POOL),
                    sizes.callbacks(),
                    1,
                    Work.triangle(sizes.callbacks()),
                    0,
                    null,
                    0);
            scenarios.add(bare);
            verdicts.add(
                    ratio(bare, "CompletableFuture, no pool", 1.0, "(no pool) at or below 1.0x CompletableFuture"));
        }
        if (selected.contains("h")) {
            long[] sleeps = seedSleeps(sizes.seedTasks(), sizes.seedMaxMillis());
            SleepFanout.sleepEach(sleeps);
            long longest = Arrays.stream(sleeps).max().orElse(0);
            Scenario h = timed(
                    "h",
                    "the seed's workload: %d tasks sleeping %s ms, %d workers"
                            .formatted(sizes.seedTasks(), Arrays.toString(sleeps), sizes.seedTasks()),
                    List.of(SleepFanout.values()),
                    sizes.seedTasks(),
                    sizes.seedTasks(),
                    Work.triangle(sizes.seedTasks()),
                    SleepFanout.idealNanos(sizes.seedTasks(), sizes.seedTasks()),
                    "sleep_fanout",
                    longest);
            scenarios.add(h);
            verdicts.add(ideal(h, 1.1));
        }
        if (selected.contains("sweep")) {
            Sizes saved = sizes;
            sizes = withRounds(sizes, Math.min(1, sizes.warmup()), sizes.rounds());
            for (int w : SWEEP_WORKERS) {
                sweep.add(timed(
                        "sweep",
                        "throughput against workers: (a) with %,d tasks on %d workers".formatted(sizes.sweepTasks(), w),
                        List.of(SubmitResult.values()),
                        sizes.sweepTasks(),
                        w,
                        Work.triangle(sizes.sweepTasks()),
                        0,
                        null,
                        0));
            }
            sizes = saved;
        }

        if (emit != null) {
            try (ObjectOutputStream o = new ObjectOutputStream(Files.newOutputStream(emit))) {
                o.writeObject(new Forked(scenarios, sweep, verdicts, failures));
            }
            return failures == 0 ? 0 : 2;
        }
        Report report = new Report(env, scenarios, sweep, verdicts);
        List<Path> charts = new ArrayList<>();
        try {
            charts.addAll(Charts.draw(scenarios, sweep, outDir));
        } catch (RuntimeException | Error e) {
            failures++;
            console.println("charts failed: " + e);
        }
        String markdown = report.markdown(outDir, charts, outDir);
        console.println(report.markdown(outDir, charts, null));
        Files.writeString(outDir.resolve("results.md"), markdown);
        console.println("written: " + outDir.resolve("results.md"));
        for (Path chart : charts) {
            console.println("written: " + chart);
        }
        if (doc != null) {
            Path d = doc.toAbsolutePath().normalize();
            Report.replaceSection(d, report.markdown(d.getParent(), charts, d.getParent()));
            console.println("updated: " + d);
        }
        return failures == 0 ? 0 : 2;
    }

    private String mode() {
        return smoke ? "smoke" : quick ? "quick" : "full";
    }

    private String command() {
        return "java -cp fanout-benchmarks/target/benchmarks.jar dev.fanout.benchmarks.BenchMain "
                + String.join(" ", args);
    }

    /**
     * Scenarios (a) and (b): {@code n} trivial tasks on {@link #workers} workers, timed; the targets are Fanout at or
     * below {@code peer}'s cost per task, and at least 50 times faster than CPython's {@code pythonScenario}.
     */
    private void trivialTasks(
            String id,
            String what,
            Contender[] contenders,
            int n,
            String pythonScenario,
            String peer,
            List<Scenario> scenarios,
            List<Verdict> verdicts) {
        Scenario s = timed(
                id,
                "%s: %,d trivial tasks on %d workers".formatted(what, n, workers),
                List.of(contenders),
                n,
                workers,
                Work.triangle(n),
                0,
                pythonScenario,
                0);
        scenarios.add(s);
        verdicts.add(ratio(s, peer, 1.0, "per task at or below 1.0x " + peer));
        verdicts.add(ratio(s, "CPython", 50, "at least 50x faster than CPython"));
    }

    /** Runs every contender for the warm-up and measured rounds, interleaved, and reduces the times to rows. */
    private Scenario timed(
            String id,
            String title,
            List<? extends Contender> contenders,
            int n,
            int poolWorkers,
            long expected,
            long idealNanos,
            String pythonScenario,
            double pythonSleepMillis) {
        Sizes saved = sizes;
        if (quick && idealNanos >= LONG_SLEEP_NANOS) {
            // Long sleeps vary little from round to round and cost their full length: fewer rounds keep quick mode
            // quick.
            sizes = withRounds(sizes, Math.min(1, sizes.warmup()), Math.min(3, sizes.rounds()));
        }
        try {
            return timedRounds(
                    id, title, contenders, n, poolWorkers, expected, idealNanos, pythonScenario, pythonSleepMillis);
        } finally {
            sizes = saved;
        }
    }

    private Scenario timedRounds(
            String id,
            String title,
            List<? extends Contender> contenders,
            int n,
            int poolWorkers,
            long expected,
            long idealNanos,
            String pythonScenario,
            double pythonSleepMillis) {
        int k = contenders.size();
        int total = sizes.warmup() + sizes.rounds();
        // Quick mode's few rounds left single ratios moving by 30% from run to run: where the rounds are cheap, it
        // measures more of them, as many as fit in a budget.
        boolean extra = quick && rounds == null && idealNanos < LONG_SLEEP_NANOS && !id.equals("sweep");
        int most = extra ? Math.max(sizes.rounds(), QUICK_MOST_ROUNDS) : sizes.rounds();
        double[][] nanos = new double[k][most];
        for (double[] row : nanos) {
            Arrays.fill(row, Double.NaN);
        }
        String[] notes = new String[k];
        console.printf(
                "(%s) %s: %d%s rounds (%d warm-up) ",
                id, title, total, extra ? " to " + (sizes.warmup() + most) : "", sizes.warmup());
        console.flush();
        long measuring = 0;
        int measured = 0;
        for (int round = 0;
                round < total || (extra && round < sizes.warmup() + most && measuring < QUICK_BUDGET_NANOS);
                round++) {
            long roundStart = System.nanoTime();
            for (int j = 0; j < k; j++) {
                int i = (j + round) % k; // a rotating order: nobody always runs right after the same peer
                if (notes[i] != null) {
                    continue;
                }
                Contender c = contenders.get(i);
                try (Contender.Trial trial = c.open(poolWorkers)) {
                    System.gc();
                    long t0 = System.nanoTime();
                    long sum = trial.run(n);
                    long elapsed = System.nanoTime() - t0;
                    if (sum != expected) {
                        notes[i] = "failed: wrong result " + sum + ", expected " + expected;
                        failures++;
                    } else if (round >= sizes.warmup()) {
                        nanos[i][round - sizes.warmup()] = elapsed;
                    }
                } catch (Contender.Unavailable e) {
                    notes[i] = "n/a: " + e.getMessage();
                } catch (Exception | Error e) {
                    notes[i] = "failed: " + e;
                    failures++;
                }
            }
            if (round >= sizes.warmup()) {
                measured++;
                measuring += System.nanoTime() - roundStart;
            }
            console.print('.');
            console.flush();
        }
        console.println();
        for (int i = 0; i < k; i++) {
            nanos[i] = Arrays.copyOf(nanos[i], measured);
        }
        int fanout = -1;
        for (int i = 0; i < k; i++) {
            if (contenders.get(i).isFanout()) {
                fanout = i;
                break;
            }
        }
        List<Row> rows = new ArrayList<>();
        double fanoutMedian = fanout < 0 ? Double.NaN : Results.median(nanos[fanout]);
        for (int i = 0; i < k; i++) {
            double median = Results.median(nanos[i]);
            double[] ratios = new double[measured];
            for (int r = 0; r < ratios.length; r++) {
                ratios[r] = fanout < 0 ? Double.NaN : nanos[i][r] / nanos[fanout][r];
            }
            String note = notes[i] != null ? notes[i] : "";
            if (idealNanos > 0 && !Double.isNaN(median)) {
                note = String.format(Locale.ROOT, "%.3fx the ideal %d ms", median / idealNanos, idealNanos / 1_000_000);
            }
            rows.add(new Row(contenders.get(i).label(), i == fanout, median, median / n, Results.median(ratios), note));
        }
        if (pythonScenario != null && !noCpython) {
            CPython.Result py = cpython.run(pythonScenario, n, poolWorkers, pythonSleepMillis);
            if (py.ok()) {
                double wall = py.seconds() * 1e9;
                String note = "best of " + sizes.pythonRepeat() + ", Python " + py.version()
                        + (pythonScenario.equals("map") ? ", trivial task (no CPU work)" : "")
                        + (pythonScenario.equals("sleep_fanout") && idealNanos > 0
                                ? String.format(Locale.ROOT, "; %.3fx the ideal", wall / idealNanos)
                                : "")
                        + (id.equals("h") ? "; every task sleeps the longest sleep" : "");
                rows.add(new Row(
                        "CPython concurrent.futures", false, wall, py.perTaskNanos(), wall / fanoutMedian, note));
            } else {
                rows.add(new Row(
                        "CPython concurrent.futures",
                        false,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        "n/a: " + py.unavailable()));
            }
        }
        return new Scenario(id, title, n, poolWorkers, idealNanos, rows, List.of());
    }

    /** Scenario (e): each contender once, in a child JVM with a 96 MB heap. */
    private Scenario heap(Path outDir) {
        BoundedMap.bufferSize = bufferSize > 0 ? bufferSize : sizes.boundedBuffer();
        int n = sizes.boundedMap();
        String title = "map with bufferSize %d over a lazy input of %,d items, -Xmx96m, %d workers"
                .formatted(BoundedMap.bufferSize(workers), n, workers);
        console.printf("(e) %s ", title);
        console.flush();
        List<HeapRow> rows = new ArrayList<>();
        for (BoundedMap c : BoundedMap.values()) {
            List<String> command = List.of(
                    Processes.javaLauncher(),
                    "-Xmx96m",
                    "-XX:+ExitOnOutOfMemoryError",
                    "-cp",
                    absoluteClassPath(),
                    HeapProbe.class.getName(),
                    c.name(),
                    Integer.toString(n),
                    Integer.toString(workers),
                    Integer.toString(sizes.chunkSize()),
                    Integer.toString(BoundedMap.bufferSize(workers)));
            Processes.Outcome o = Processes.run(command, outDir, sizes.heapTimeoutSeconds());
            String line = Json.lastObjectLine(o.stdout());
            Map<String, String> json = line == null ? Map.of() : Json.parseFlat(line);
            if (json.containsKey("unavailable")) {
                rows.add(new HeapRow(c.label(), "n/a: " + json.get("unavailable"), Double.NaN, Double.NaN, Double.NaN));
            } else if (o.timedOut()) {
                rows.add(new HeapRow(
                        c.label(),
                        "did not finish in " + sizes.heapTimeoutSeconds() + " s",
                        Double.NaN,
                        Double.NaN,
                        Double.NaN));
            } else if (o.stderr().contains("OutOfMemoryError") || o.stdout().contains("OutOfMemoryError")) {
                rows.add(new HeapRow(c.label(), "OutOfMemoryError", 96, Double.NaN, Double.NaN));
            } else if (o.exitCode() != 0 || !"true".equals(json.get("ok"))) {
                failures++;
                String err = o.stderr().strip();
                rows.add(new HeapRow(
                        c.label(),
                        "failed (exit " + o.exitCode() + "): "
                                + (err.isEmpty()
                                        ? line
                                        : err.lines().findFirst().orElse("")),
                        Double.NaN,
                        Double.NaN,
                        Double.NaN));
            } else {
                rows.add(new HeapRow(
                        c.label(),
                        "ok",
                        Double.parseDouble(json.get("peak_heap_mb")),
                        Double.parseDouble(json.get("peak_live_mb")),
                        Double.parseDouble(json.get("seconds"))));
            }
            console.print('.');
            console.flush();
        }
        console.println();
        if (!noCpython) {
            CPython.Result py = cpython.run("map_buffered", n, workers, 0);
            rows.add(
                    py.ok()
                            ? new HeapRow(
                                    "CPython map(buffersize=" + BoundedMap.bufferSize(workers) + ")",
                                    "ok (peak RSS of the whole process)",
                                    py.maxRssMb(),
                                    Double.NaN,
                                    py.seconds())
                            : new HeapRow(
                                    "CPython map(buffersize)",
                                    "n/a: " + py.unavailable(),
                                    Double.NaN,
                                    Double.NaN,
                                    Double.NaN));
        }
        return new Scenario("e", title, n, workers, 0, List.of(), rows);
    }

    /** What a forked child measured: written by Java serialization to a file of the run's own folder, read back once. */
    @SuppressWarnings("serial") // its lists are ArrayLists, serializable
    record Forked(List<Scenario> scenarios, List<Scenario> sweep, List<Verdict> verdicts, int failures)
            implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** Runs scenario {@code id} in a child JVM with this run's options, and adds what it measured. */
    private void runForked(
            String id, Path outDir, List<Scenario> scenarios, List<Scenario> sweep, List<Verdict> verdicts)
            throws IOException {
        console.printf("(%s) in a JVM of its own%n", id);
        Path file = Files.createTempFile(outDir, "scenario-" + id + "-", ".ser");
        try {
            List<String> command = new ArrayList<>(List.of(
                    Processes.javaLauncher(), "-cp", absoluteClassPath(), BenchMain.class.getName(), "--only", id));
            if (smoke) {
                command.add("--smoke");
            } else if (quick) {
                command.add("--quick");
            }
            command.addAll(List.of("--workers", Integer.toString(workers), "--out", outDir.toString()));
            if (rounds != null) {
                command.addAll(List.of("--rounds", rounds.toString()));
            }
            if (warmup != null) {
                command.addAll(List.of("--warmup", warmup.toString()));
            }
            if (bufferSize > 0) {
                command.addAll(List.of("--buffer-size", Integer.toString(bufferSize)));
            }
            command.addAll(List.of("--python", python));
            if (cpythonScript != null) {
                command.addAll(List.of(
                        "--cpython-script", cpythonScript.toAbsolutePath().toString()));
            }
            if (noCpython) {
                command.add("--no-cpython");
            }
            command.addAll(List.of("--emit", file.toString()));
            Processes.Outcome o = Processes.run(command, outDir, FORK_TIMEOUT_SECONDS);
            Forked child = null;
            if (!o.timedOut() && Files.size(file) > 0) {
                try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(file))) {
                    child = (Forked) in.readObject();
                } catch (ClassNotFoundException | ClassCastException e) {
                    throw new IOException("cannot read what the JVM of (" + id + ") measured", e);
                }
            }
            if (child == null) {
                failures++;
                console.printf(
                        "(%s) failed in its JVM (%s): %s%n",
                        id,
                        o.timedOut() ? "timed out after " + FORK_TIMEOUT_SECONDS + " s" : "exit " + o.exitCode(),
                        o.stderr().strip());
                return;
            }
            scenarios.addAll(child.scenarios());
            sweep.addAll(child.sweep());
            verdicts.addAll(child.verdicts());
            failures += child.failures();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** How long a forked scenario may take: far more than the longest, (e) in full mode. */
    private static final long FORK_TIMEOUT_SECONDS = 3_600L;

    /** This JVM's class path with every entry absolute, for a child that runs in another folder. */
    private static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static Verdict ratio(Scenario s, String peer, double atLeast, String target) {
        for (Row r : s.rows()) {
            if (r.label().equals(peer)) {
                if (!r.ran() || Double.isNaN(r.ratio())) {
                    return new Verdict(s.id(), target, peer + ": " + r.note(), Status.NOT_AVAILABLE);
                }
                double fanoutOverPeer = 1 / r.ratio();
                String measured = atLeast >= 1
                        ? String.format(
                                Locale.ROOT,
                                "%s/Fanout = %.2fx (Fanout at %.2fx of it)",
                                peer,
                                r.ratio(),
                                fanoutOverPeer)
                        : String.format(Locale.ROOT, "Fanout throughput = %.2fx %s", r.ratio(), peer);
                return new Verdict(s.id(), target, measured, r.ratio() >= atLeast ? Status.MET : Status.MISSED);
            }
        }
        if (peer.equals("CPython")) {
            for (Row r : s.rows()) {
                if (r.label().startsWith("CPython")) {
                    return r.ran()
                            ? new Verdict(
                                    s.id(),
                                    target,
                                    String.format(Locale.ROOT, "CPython/Fanout = %.1fx", r.ratio()),
                                    r.ratio() >= atLeast ? Status.MET : Status.MISSED)
                            : new Verdict(s.id(), target, r.note(), Status.NOT_AVAILABLE);
                }
            }
            return new Verdict(s.id(), target, "CPython not run", Status.NOT_AVAILABLE);
        }
        return new Verdict(s.id(), target, peer + " not run", Status.NOT_AVAILABLE);
    }

    private static Verdict ideal(Scenario s, double within) {
        String target = "wall time within " + within + "x of the ideal (" + s.title() + ")";
        for (Row r : s.rows()) {
            if (r.fanout()) {
                if (!r.ran()) {
                    return new Verdict(s.id(), target, r.label() + ": " + r.note(), Status.NOT_AVAILABLE);
                }
                double factor = r.medianNanos() / s.idealNanos();
                return new Verdict(
                        s.id(),
                        target,
                        String.format(
                                Locale.ROOT,
                                "%s: %.0f ms = %.3fx the ideal %d ms",
                                r.label(),
                                r.medianNanos() / 1e6,
                                factor,
                                s.idealNanos() / 1_000_000),
                        factor <= within ? Status.MET : Status.MISSED);
            }
        }
        return new Verdict(s.id(), target, "Fanout not run", Status.NOT_AVAILABLE);
    }

    /** The seed's sleeps: Python's {@code sleep(random())}, drawn once with a fixed seed so every system gets the same. */
    static long[] seedSleeps(int n, int maxMillis) {
        Random random = new Random(42);
        long[] sleeps = new long[n];
        for (int i = 0; i < n; i++) {
            sleeps[i] = random.nextInt(maxMillis);
        }
        return sleeps;
    }

    private static Sizes withRounds(Sizes s, int warmup, int rounds) {
        return new Sizes(
                s.submitResult(),
                s.asCompleted(),
                s.orderedMap(),
                s.chunkedMap(),
                s.chunkSize(),
                s.boundedMap(),
                s.boundedBuffer(),
                s.sleepTasks(),
                s.sleepWorkers(),
                s.sleepMillis(),
                s.virtualTasks(),
                s.virtualMillis(),
                s.callbacks(),
                s.seedTasks(),
                s.seedMaxMillis(),
                s.sweepTasks(),
                warmup,
                rounds,
                s.pythonRepeat(),
                s.heapTimeoutSeconds());
    }
}
