package dev.fanout.benchmarks;

import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;

/**
 * Scenario (b), results as they complete, as a JMH benchmark: the average time per trivial task, each implementation chosen by {@code impl}.
 *
 * <pre>
 * ./mvnw -B -q -pl fanout-benchmarks -am package -DskipTests
 * java -jar fanout-benchmarks/target/benchmarks.jar AsCompletedBenchmark
 * java -jar fanout-benchmarks/target/benchmarks.jar AsCompletedBenchmark -p impl=FANOUT,EXECUTOR_COMPLETION_SERVICE -p workers=1,2,4
 * </pre>
 *
 * <p>{@code PARALLEL_COLLECTORS} needs JDK 21+ and a build made on it: add it with {@code -p impl=PARALLEL_COLLECTORS}.
 */
@OperationsPerInvocation(10_000)
public class AsCompletedBenchmark extends ContenderBenchmark {
    @Param({"FANOUT", "EXECUTOR_COMPLETION_SERVICE", "GUAVA"})
    AsCompleted impl;

    @Override
    Contender contender() {
        return impl;
    }
}
