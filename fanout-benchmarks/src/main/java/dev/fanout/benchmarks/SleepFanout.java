package dev.fanout.benchmarks;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ListeningExecutorService;
import dev.fanout.MapResults;
import dev.fanout.ThreadPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.Future;

/**
 * Scenarios (f) and (h): {@code n} tasks that each sleep, on as many platform workers as asked; the results are read
 * in input order. What counts is the wall time against the ideal, the sleeps spread perfectly over the workers.
 */
enum SleepFanout implements Contender {
    FANOUT("Fanout") {
        @Override
        public Trial open(int workers) {
            ThreadPool pool = Pools.fanout(workers);
            return new Trial() {
                @Override
                public long run(int n) {
                    long sum = 0;
                    try (MapResults<Integer> results = pool.map(SleepFanout::sleep, Work.range(n))) {
                        for (int r : results) {
                            sum += r;
                        }
                    }
                    return sum;
                }

                @Override
                public void close() {
                    pool.close();
                }
            };
        }
    },
    THREAD_POOL_EXECUTOR("ThreadPoolExecutor") {
        @Override
        public Trial open(int workers) {
            ExecutorService pool = Pools.fixed(workers);
            return new Trial() {
                @Override
                public long run(int n) throws Exception {
                    List<Future<Integer>> fs = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        int item = i;
                        fs.add(pool.submit(() -> sleep(item)));
                    }
                    long sum = 0;
                    for (Future<Integer> f : fs) {
                        sum += f.get();
                    }
                    return sum;
                }

                @Override
                public void close() {
                    Pools.close(pool);
                }
            };
        }
    },
    COMPLETABLE_FUTURE("CompletableFuture.supplyAsync") {
        @Override
        public Trial open(int workers) {
            ExecutorService pool = Pools.fixed(workers);
            return new Trial() {
                @Override
                public long run(int n) {
                    List<CompletableFuture<Integer>> fs = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        int item = i;
                        fs.add(CompletableFuture.supplyAsync(() -> sleepUnchecked(item), pool));
                    }
                    long sum = 0;
                    for (CompletableFuture<Integer> f : fs) {
                        sum += f.join();
                    }
                    return sum;
                }

                @Override
                public void close() {
                    Pools.close(pool);
                }
            };
        }
    },
    FORK_JOIN_POOL("ForkJoinPool") {
        @Override
        public Trial open(int workers) {
            ForkJoinPool pool = Pools.forkJoin(workers);
            return new Trial() {
                @Override
                public long run(int n) {
                    List<ForkJoinTask<Integer>> fs = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        int item = i;
                        fs.add(pool.submit(() -> sleep(item)));
                    }
                    long sum = 0;
                    for (ForkJoinTask<Integer> f : fs) {
                        sum += f.join();
                    }
                    return sum;
                }

                @Override
                public void close() {
                    Pools.close(pool);
                }
            };
        }
    },
    GUAVA("Guava ListeningExecutorService") {
        @Override
        public Trial open(int workers) {
            ListeningExecutorService pool = Pools.guava(workers);
            return new Trial() {
                @Override
                public long run(int n) throws Exception {
                    List<ListenableFuture<Integer>> fs = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        int item = i;
                        fs.add(pool.submit(() -> sleep(item)));
                    }
                    long sum = 0;
                    for (ListenableFuture<Integer> f : fs) {
                        sum += f.get();
                    }
                    return sum;
                }

                @Override
                public void close() {
                    Pools.close(pool);
                }
            };
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
