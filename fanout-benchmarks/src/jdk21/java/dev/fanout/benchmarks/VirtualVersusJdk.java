package dev.fanout.benchmarks;

import dev.fanout.Future;
import dev.fanout.ThreadPool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Scenario (f) on virtual threads, Fanout against {@code newVirtualThreadPerTaskExecutor} and nothing else, for a
 * tighter ratio than the one-JVM run gives: TASKS tasks sleeping 100 ms, ROUNDS rounds after 5 of warm-up, the two in
 * alternating order, each round's time taken from the first submit to the last result. Prints each system's median
 * and the median (and quartiles) of the per-round ratios Fanout/JDK.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 ./mvnw -B -q -pl fanout-benchmarks -am package -DskipTests
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -cp fanout-benchmarks/target/benchmarks.jar \
 *     dev.fanout.benchmarks.VirtualVersusJdk [TASKS [ROUNDS]]
 * </pre>
 */
public final class VirtualVersusJdk {
    private static final int WARM_UP = 5;

    private VirtualVersusJdk() {}

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        for (int i = 0; i < WARM_UP; i++) {
            fanout(tasks);
            jdk(tasks);
        }
        long[] fanout = new long[rounds];
        long[] jdk = new long[rounds];
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            if (r % 2 == 0) {
                fanout[r] = fanout(tasks);
                jdk[r] = jdk(tasks);
            } else {
                jdk[r] = jdk(tasks);
                fanout[r] = fanout(tasks);
            }
            ratios[r] = (double) fanout[r] / jdk[r];
        }
        Arrays.sort(fanout);
        Arrays.sort(jdk);
        Arrays.sort(ratios);
        System.out.printf(
                "%,d tasks sleeping 100 ms, %d rounds, %d cores, JDK %s%n"
                        + "Fanout virtualThreads: median %.1f ms; newVirtualThreadPerTaskExecutor: median %.1f ms%n"
                        + "Fanout/JDK, median of per-round ratios: %.3f (quartiles %.3f and %.3f)%n",
                tasks,
                rounds,
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                fanout[rounds / 2] / 1e6,
                jdk[rounds / 2] / 1e6,
                ratios[rounds / 2],
                ratios[rounds / 4],
                ratios[rounds * 3 / 4]);
    }

    private static long fanout(int tasks) {
        ThreadPool pool =
                ThreadPool.builder().virtualThreads().maxWorkers(tasks).build();
        try {
            long start = System.nanoTime();
            List<Future<Integer>> futures = new ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
                futures.add(pool.submit(VirtualVersusJdk::sleepOne));
            }
            for (Future<Integer> f : futures) {
                f.result();
            }
            return System.nanoTime() - start;
        } finally {
            pool.shutdown(true, false);
        }
    }

    private static long jdk(int tasks) throws Exception {
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            long start = System.nanoTime();
            List<java.util.concurrent.Future<Integer>> futures = new ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
                futures.add(executor.submit(VirtualVersusJdk::sleepOne));
            }
            for (java.util.concurrent.Future<Integer> f : futures) {
                f.get();
            }
            return System.nanoTime() - start;
        }
    }

    private static Integer sleepOne() throws InterruptedException {
        Thread.sleep(100);
        return 1;
    }
}
