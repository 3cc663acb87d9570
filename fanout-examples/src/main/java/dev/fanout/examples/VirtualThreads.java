package dev.fanout.examples;

import static dev.fanout.examples.DemoTime.random;
import static dev.fanout.examples.DemoTime.sleep;

import dev.fanout.ThreadPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Virtual threads (JDK 21 and newer): tasks that mostly wait, by the ten thousand, each on a thread of its own. The
 * pool is the same {@code ThreadPool}; only the builder changes. On an older JDK, {@code build()} throws
 * {@code UnsupportedOperationException}, and this program says so and stops.
 */
public final class VirtualThreads {
    static final int TASKS = 10_000;

    public static void main(String[] args) {
        ThreadPool pool;
        try {
            pool = ThreadPool.builder().virtualThreads().maxWorkers(TASKS).build();
        } catch (UnsupportedOperationException e) {
            System.out.println("Skipped: " + e.getMessage());
            return;
        }

        AtomicInteger sleepingNow = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        DoubleAdder secondsSlept = new DoubleAdder();
        long start = System.nanoTime();
        try (pool) {
            for (int i = 0; i < TASKS; i++) {
                pool.submit(() -> {
                    mostAtOnce.accumulateAndGet(sleepingNow.incrementAndGet(), Math::max);
                    double seconds = 0.5 + random() / 2; // under a second, and long enough for all to overlap
                    sleep(seconds);
                    secondsSlept.add(seconds);
                    sleepingNow.decrementAndGet();
                });
            }
        } // close() waits for all of them
        double elapsed = (System.nanoTime() - start) / 1e9;

        System.out.printf(
                "%d tasks slept %.0f s in all, in %.1f s: up to %d of them sleeping at once%n",
                TASKS, secondsSlept.sum(), elapsed, mostAtOnce.get());
    }
}
