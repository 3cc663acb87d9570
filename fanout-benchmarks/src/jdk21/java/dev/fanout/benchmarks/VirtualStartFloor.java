package dev.fanout.benchmarks;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Why no executor meets scenario (f)'s "within 1.1x of the ideal" for 10,000 tasks sleeping 100 ms on virtual threads:
 * the JDK's own {@code newVirtualThreadPerTaskExecutor}, with no Fanout in the way, needs tens of milliseconds on two
 * cores only to start the 10,000 threads, so the last task cannot end before 100 ms plus that. Prints, per round, the
 * wall time, when the last task started, and how late the tasks woke from their sleep.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 ./mvnw -B -q -pl fanout-benchmarks -am package -DskipTests
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -cp fanout-benchmarks/target/benchmarks.jar \
 *     dev.fanout.benchmarks.VirtualStartFloor [TASKS [ROUNDS]]
 * </pre>
 */
public final class VirtualStartFloor {
    private static final long SLEEP_NANOS = 100_000_000L;

    private VirtualStartFloor() {}

    public static void main(String[] args) throws InterruptedException {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        System.out.printf(
                "%,d tasks sleeping 100 ms, newVirtualThreadPerTaskExecutor, %d cores, JDK %s%n",
                tasks, Runtime.getRuntime().availableProcessors(), Runtime.version());
        for (int round = 0; round < rounds; round++) {
            long[] started = new long[tasks];
            long[] ended = new long[tasks];
            long t0 = System.nanoTime();
            try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < tasks; i++) {
                    int k = i;
                    executor.submit(() -> {
                        started[k] = System.nanoTime();
                        Thread.sleep(SLEEP_NANOS / 1_000_000);
                        ended[k] = System.nanoTime();
                        return null;
                    });
                }
            }
            long wall = System.nanoTime() - t0;
            long lastStart = Arrays.stream(started).max().orElse(t0) - t0;
            long[] late = new long[tasks];
            for (int i = 0; i < tasks; i++) {
                late[i] = ended[i] - started[i] - SLEEP_NANOS;
            }
            Arrays.sort(late);
            System.out.printf(
                    "round %d: wall %.1f ms = %.2fx the ideal; last task started after %.1f ms; woke late by"
                            + " %.1f ms (median), %.1f ms (max)%n",
                    round,
                    wall / 1e6,
                    wall / (double) SLEEP_NANOS,
                    lastStart / 1e6,
                    late[tasks / 2] / 1e6,
                    late[tasks - 1] / 1e6);
        }
    }
}
