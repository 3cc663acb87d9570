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
 * What the JMH benchmarks share: one scenario's {@link Contender}, opened once per trial, run over one batch per
 * invocation. Each subclass declares the {@code impl} {@code @Param} with its scenario's enum type, so that JMH lists
 * and accepts that enum's values, and its batch size as a class-level {@link OperationsPerInvocation}, so that the
 * time reported is per item.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public abstract class ContenderBenchmark {
    @Param("2")
    int workers;

    private int batch;
    private Contender.Trial trial;

    /** The contender chosen by the subclass's {@code impl} parameter. */
    abstract Contender contender();

    /** Builds the executor once per trial: what is measured is the work, not the pool's start. */
    @Setup(Level.Trial)
    public void open() {
        // Read back rather than declared twice, so that the items run and the items JMH divides by cannot differ.
        batch = getClass().getAnnotation(OperationsPerInvocation.class).value();
        trial = contender().open(workers);
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
    public long batch() throws Exception {
        return trial.run(batch);
    }
}
