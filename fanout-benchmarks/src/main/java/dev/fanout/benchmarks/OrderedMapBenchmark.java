package dev.fanout.benchmarks;

import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;

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
@OperationsPerInvocation(10_000)
public class OrderedMapBenchmark extends ContenderBenchmark {
    @Param({"FANOUT", "THREAD_POOL_EXECUTOR", "COMPLETABLE_FUTURE", "FORK_JOIN_POOL", "PARALLEL_STREAM"})
    OrderedMap impl;

    @Override
    Contender contender() {
        return impl;
    }
}
