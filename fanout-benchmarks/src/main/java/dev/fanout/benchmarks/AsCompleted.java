package dev.fanout.benchmarks;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ListeningExecutorService;
import dev.fanout.Future;
import dev.fanout.ThreadPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;

/** Scenario (b): submit {@code n} trivial tasks, then take every result as it completes. */
public enum AsCompleted implements Contender {
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
                    for (Future<Integer> f : dev.fanout.Futures.asCompleted(fs)) {
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
    EXECUTOR_COMPLETION_SERVICE("ExecutorCompletionService") {
        @Override
        public Trial open(int workers) {
            ExecutorService pool = Pools.fixed(workers);
            return new Trial() {
                @Override
                public long run(int n) throws Exception {
                    CompletionService<Integer> done = new ExecutorCompletionService<>(pool);
                    for (int i = 0; i < n; i++) {
                        int item = i;
                        done.submit(() -> item);
                    }
                    long sum = 0;
                    for (int i = 0; i < n; i++) {
                        sum += done.take().get();
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
    GUAVA("Guava Futures.inCompletionOrder") {
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
                    for (ListenableFuture<Integer> f : Futures.inCompletionOrder(fs)) {
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
    PARALLEL_COLLECTORS("parallel-collectors parallelToStream") {
        @Override
        public Trial open(int workers) {
            Jdk21Peers peers = Jdk21Peers.load();
            ExecutorService pool = Pools.fixed(workers);
            return new Trial() {
                @Override
                public long run(int n) {
                    return peers.parallelToStream(n, i -> (long) i, pool, workers);
                }

                @Override
                public void close() {
                    Pools.close(pool);
                }
            };
        }
    };

    private final String label;

    AsCompleted(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }
}
