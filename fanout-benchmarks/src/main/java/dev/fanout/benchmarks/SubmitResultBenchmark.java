package dev.fanout.benchmarks;

import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;

/**
 * Scenario (a), submit then {@code result()} in order, as a JMH benchmark: the average time per trivial task, each implementation chosen by {@code impl}.
 *
 * <pre>
 * ./mvnw -B -q -pl fanout-benchmarks -am package -DskipTests
 * java -jar fanout-benchmarks/target/benchmarks.jar SubmitResultBenchmark
 * java -jar fanout-benchmarks/target/benchmarks.jar SubmitResultBenchmark -p impl=FANOUT,THREAD_POOL_EXECUTOR -p workers=1,2,4
 * </pre>
 *
 * <p>Same workload as {@link SubmitResult}, which {@link BenchMain} runs side by side with CPython.
 */
@OperationsPerInvocation(10_000)
public class SubmitResultBenchmark extends ContenderBenchmark {
    @Param({"FANOUT", "THREAD_POOL_EXECUTOR", "COMPLETABLE_FUTURE", "FORK_JOIN_POOL", "GUAVA"})
    SubmitResult impl;

    @Override
    Contender contender() {
        return impl;
    }
}
