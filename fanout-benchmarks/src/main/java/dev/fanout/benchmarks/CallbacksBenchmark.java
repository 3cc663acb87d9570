package dev.fanout.benchmarks;

import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;

/**
 * Scenario (g), a done-callback on every future, as a JMH benchmark: the average time per future, each implementation chosen by {@code impl}.
 *
 * <pre>
 * ./mvnw -B -q -pl fanout-benchmarks -am package -DskipTests
 * java -jar fanout-benchmarks/target/benchmarks.jar CallbacksBenchmark
 * java -jar fanout-benchmarks/target/benchmarks.jar CallbacksBenchmark -p impl=FANOUT,COMPLETABLE_FUTURE -p workers=1,2,4
 * </pre>
 *
 * <p>The {@code _NO_POOL} and {@code _PROMISE} variants complete the futures on the calling thread: the callback machinery alone.
 */
@OperationsPerInvocation(10_000)
public class CallbacksBenchmark extends ContenderBenchmark {
    @Param({"FANOUT", "COMPLETABLE_FUTURE", "GUAVA", "FANOUT_PROMISE", "COMPLETABLE_FUTURE_NO_POOL"})
    Callbacks impl;

    @Override
    Contender contender() {
        return impl;
    }
}
