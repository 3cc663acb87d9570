package dev.fanout.benchmarks;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListeningExecutorService;
import dev.fanout.ThreadPool;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;

/** Scenario (b): submit {@code n} trivial tasks, then take every result as it completes. */
public enum AsCompleted implements Contender {
    FANOUT("Fanout") {
        @Override
        public Trial open(int workers) {
            ThreadPool pool = Pools.fanout(workers);
            return Pools.trial(
                    pool, n -> Batch.sumResults(dev.fanout.Futures.asCompleted(Batch.submit(pool, n, i -> () -> i))));
        }
    },
    EXECUTOR_COMPLETION_SERVICE("ExecutorCompletionService") {
        @Override
        public Trial open(int workers) {
            ExecutorService pool = Pools.fixed(workers);
            return Pools.trial(pool, n -> {
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
            });
        }
    },
    GUAVA("Guava Futures.inCompletionOrder") {
        @Override
        public Trial open(int workers) {
            ListeningExecutorService pool = Pools.guava(workers);
            return Pools.trial(
                    pool, n -> Batch.sumGets(Futures.inCompletionOrder(Batch.submit(pool, n, i -> () -> i))));
        }
    },
    PARALLEL_COLLECTORS("parallel-collectors parallelToStream") {
        @Override
        public Trial open(int workers) {
            Jdk21Peers peers = Jdk21Peers.load();
            ExecutorService pool = Pools.fixed(workers);
            return Pools.trial(pool, n -> peers.parallelToStream(n, i -> (long) i, pool, workers));
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
