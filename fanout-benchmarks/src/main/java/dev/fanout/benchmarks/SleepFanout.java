package dev.fanout.benchmarks;

import com.google.common.util.concurrent.ListeningExecutorService;
import dev.fanout.ThreadPool;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;

/**
 * Scenarios (f) and (h): {@code n} tasks that each sleep, on as many platform workers as asked; the results are read
 * in input order. What counts is the wall time against the ideal, the sleeps spread perfectly over the workers.
 */
enum SleepFanout implements Contender {
    FANOUT("Fanout") {
        @Override
        public Trial open(int workers) {
            ThreadPool pool = Pools.fanout(workers);
            return Pools.trial(pool, n -> Batch.sum(pool.map(SleepFanout::sleep, Work.range(n))));
        }
    },
    THREAD_POOL_EXECUTOR("ThreadPoolExecutor") {
        @Override
        public Trial open(int workers) {
            ExecutorService pool = Pools.fixed(workers);
            return Pools.trial(pool, n -> Batch.sumGets(Batch.submit(pool, n, i -> () -> sleep(i))));
        }
    },
    COMPLETABLE_FUTURE("CompletableFuture.supplyAsync") {
        @Override
        public Trial open(int workers) {
            ExecutorService pool = Pools.fixed(workers);
            return Pools.trial(pool, n -> Batch.sumJoins(Batch.supplyAsync(pool, n, i -> () -> sleepUnchecked(i))));
        }
    },
    FORK_JOIN_POOL("ForkJoinPool") {
        @Override
        public Trial open(int workers) {
            ForkJoinPool pool = Pools.forkJoin(workers);
            return Pools.trial(pool, n -> Batch.sumTaskJoins(Batch.submit(pool, n, i -> () -> sleep(i))));
        }
    },
    GUAVA("Guava ListeningExecutorService") {
        @Override
        public Trial open(int workers) {
            ListeningExecutorService pool = Pools.guava(workers);
            return Pools.trial(pool, n -> Batch.sumGets(Batch.submit(pool, n, i -> () -> sleep(i))));
        }
    };

    /** How long task {@code i} sleeps, in milliseconds: {@code sleeps[i % sleeps.length]}. */
    private static volatile long[] sleeps = {50};

    private final String label;

    SleepFanout(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** Every task sleeps {@code millis}. */
    static void sleepEach(long millis) {
        sleeps = new long[] {millis};
    }

    /** Task {@code i} sleeps {@code millis[i]} (cycling). */
    static void sleepEach(long[] millis) {
        sleeps = millis.clone();
    }

    /** The shortest possible wall time of {@code n} tasks on {@code workers} workers: the longest worker's sleeps. */
    static long idealNanos(int n, int workers) {
        long[] s = sleeps;
        // Longest-first onto the least-loaded worker: optimal for the uniform sleeps of (f), and for (h), where every
        // task has a worker of its own.
        long[] sorted = new long[n];
        for (int i = 0; i < n; i++) {
            sorted[i] = s[i % s.length];
        }
        java.util.Arrays.sort(sorted);
        long[] load = new long[Math.min(workers, n)];
        for (int i = n - 1; i >= 0; i--) {
            int least = 0;
            for (int w = 1; w < load.length; w++) {
                if (load[w] < load[least]) {
                    least = w;
                }
            }
            load[least] += sorted[i];
        }
        long max = 0;
        for (long l : load) {
            max = Math.max(max, l);
        }
        return max * 1_000_000L;
    }

    static int sleep(int item) throws InterruptedException {
        long[] s = sleeps;
        Thread.sleep(s[item % s.length]);
        return item;
    }

    static int sleepUnchecked(int item) {
        try {
            return sleep(item);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }
}
