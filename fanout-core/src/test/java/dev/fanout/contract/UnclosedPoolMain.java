package dev.fanout.contract;

import dev.fanout.ThreadPool;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;

/**
 * The program a child JVM runs for the JVM-exit tests: {@code main} gives a pool work and returns without waiting for
 * it. Each mode is one scenario; every line it prints is flushed at once so that the parent sees it.
 */
public final class UnclosedPoolMain {
    private UnclosedPoolMain() {}

    /**
     * Runs one scenario.
     *
     * @param args the mode, then mode-specific arguments
     */
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "never-shut-down" -> {
                // five tasks, fewer workers than tasks so that some are still queued when main returns; they start
                // their work only once main is about to return
                CountDownLatch mainReturns = new CountDownLatch(1);
                ThreadPool pool = new ThreadPool(2);
                for (int i = 0; i < 5; i++) {
                    int n = i;
                    pool.submit(() -> {
                        mainReturns.await();
                        sleepAndPrint(Duration.ofMillis(100), "task " + n);
                    });
                }
                System.out.println("main returns");
                System.out.flush();
                mainReturns.countDown();
            }
            case "virtual-never-shut-down" -> {
                ThreadPool pool =
                        ThreadPool.builder().virtualThreads().maxWorkers(2).build();
                for (int i = 0; i < 5; i++) {
                    int n = i;
                    pool.submit(() -> sleepAndPrint(Duration.ofMillis(100), "task " + n));
                }
                System.out.println("main returns");
            }
            case "one-task" -> {
                // CPython test_interpreter_shutdown
                ThreadPool pool = new ThreadPool(5);
                pool.submit(() -> sleepAndPrint(Duration.ofMillis(300), "apple"));
            }
            case "shutdown-no-wait" -> {
                // CPython test_hang_gh83386
                ThreadPool pool = new ThreadPool(3);
                pool.submit(() -> sleepAndPrint(Duration.ofMillis(300), "apple"));
                pool.shutdown(false, false);
            }
            case "cancel-no-wait" -> {
                // CPython test_cancel_futures_wait_false
                ThreadPool pool = new ThreadPool();
                pool.submit(() -> sleepAndPrint(Duration.ofMillis(100), "apple"));
                pool.shutdown(false, true);
            }
            case "submit-in-exit-hook" -> {
                // CPython test_submit_after_interpreter_shutdown: Java's shutdown hooks run concurrently and in no
                // set order, so this hook waits until the pools have been shut down for the exit, then submits.
                ThreadPool pool = new ThreadPool(5);
                pool.submit(() -> 42).result();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> submitWhenShutDown(pool)));
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void sleepAndPrint(Duration time, String line) throws InterruptedException {
        Thread.sleep(time.toMillis()); // simulated work
        System.out.println(line);
        System.out.flush();
    }

    private static void submitWhenShutDown(ThreadPool pool) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!pool.isShutdown() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        try {
            pool.submit(() -> 1);
            System.out.println("accepted");
        } catch (RejectedExecutionException e) {
            System.out.println("rejected: " + e.getMessage());
        }
        System.out.flush();
    }
}
