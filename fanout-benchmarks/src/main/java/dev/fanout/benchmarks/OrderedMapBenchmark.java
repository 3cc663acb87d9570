package dev.fanout.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario (c), an ordered map of about a microsecond of CPU per item, as a JMH benchmark: the average time per item, each implementation chosen by {@code impl}.
 *
 * <pre>
 * ./mvnw -B -q -pl fanout-benchmarks -am package -DskipTests
 * java -jar fanout-benchmarks/target/benchmarks.jar OrderedMapBenchmark
 * java -jar fanout-benchmarks/target/benchmarks.jar OrderedMapBenchmark -p impl=FANOUT,PARALLEL_STREAM -p workers=1,2,4
 * </pre>
 *
 * <p>The work per item is {@link Work#cpu(int)} at its default iterations (no calibration here). {@code PARALLEL_COLLECTORS} needs JDK 21+: add it with {@code -p impl=PARALLEL_COLLECTORS}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OrderedMapBenchmark {
    static final int BATCH = 10_000;

    @Param({"FANOUT", "THREAD_POOL_EXECUTOR", "COMPLETABLE_FUTURE", "FORK_JOIN_POOL", "PARALLEL_STREAM"})
    OrderedMap impl;

    @Param("2")
    int workers;

    private Contender.Trial trial;

    /** Builds the executor once per trial: what is measured is the work, not the pool's start. */
    @Setup(Level.Trial)
    public void open() {
        trial = impl.open(workers);
    }

    /** Shuts the executor down. */
    @TearDown(Level.Trial)
    public void close() {
        trial.close();
    }

    /**
     * Runs one batch.
     *
     * @return the batch's checksum, so that nothing is optimised away
     * @throws Exception if a task fails
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long batch() throws Exception {
        return trial.run(BATCH);
    }
}
