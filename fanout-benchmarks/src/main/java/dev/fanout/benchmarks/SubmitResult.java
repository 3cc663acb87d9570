package dev.fanout.benchmarks;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ListeningExecutorService;
import dev.fanout.Future;
import dev.fanout.ThreadPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * The contenders of scenario (a): submit {@code n} trivial tasks, then read every result in submission order. What one task costs when
 * the task itself costs nothing.
 */
public enum SubmitResult implements Contender {
    FANOUT("Fanout") {
        @Override
        public Trial open(int workers) {
            ThreadPool pool = Pools.fanout(workers);
            return new Trial() {
                @Override
                public long run(int n) {
                    List<Future<Integer>> fs = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        int item = i;
                        fs.add(pool.submit(() -> item));
                    }
                    long sum = 0;
                    for (Future<Integer> f : fs) {
                        sum += f.result();
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
                    List<java.util.concurrent.Future<Integer>> fs = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        int item = i;
                        fs.add(pool.submit(() -> item));
                    }
                    long sum = 0;
                    for (java.util.concurrent.Future<Integer> f : fs) {
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
                        fs.add(CompletableFuture.supplyAsync(() -> item, pool));
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
                        fs.add(pool.submit(() -> item));
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
                        fs.add(pool.submit(() -> item));
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

    private final String label;

    SubmitResult(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }
}
