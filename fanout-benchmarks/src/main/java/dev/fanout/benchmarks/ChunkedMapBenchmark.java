package dev.fanout.benchmarks;

import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;

/**
 * Scenario (d), the ordered map of (c) with 1,000 items per task, as a JMH benchmark: the average time per item, each implementation chosen by {@code impl}.
 *
 * <pre>
 * ./mvnw -B -q -pl fanout-benchmarks -am package -DskipTests
 * java -jar fanout-benchmarks/target/benchmarks.jar ChunkedMapBenchmark
 * java -jar fanout-benchmarks/target/benchmarks.jar ChunkedMapBenchmark -p impl=FANOUT,PARALLEL_STREAM -p workers=1,2,4
 * </pre>
 *
 * <p>{@code PARALLEL_COLLECTORS} (batching) needs JDK 21+: add it with {@code -p impl=PARALLEL_COLLECTORS}.
 */
@OperationsPerInvocation(100_000)
public class ChunkedMapBenchmark extends ContenderBenchmark {
    @Param({"FANOUT", "PARALLEL_STREAM", "THREAD_POOL_EXECUTOR"})
    ChunkedMap impl;

    @Override
    Contender contender() {
        return impl;
    }
}
