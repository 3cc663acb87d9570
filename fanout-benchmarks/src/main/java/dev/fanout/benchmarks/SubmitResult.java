package dev.fanout.benchmarks;

import com.google.common.util.concurrent.ListeningExecutorService;
import dev.fanout.ThreadPool;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;

/**
 * The contenders of scenario (a): submit {@code n} trivial tasks, then read every result in submission order. What one task costs when
 * the task itself costs nothing.
 */
public enum SubmitResult implements Contender {
    FANOUT("Fanout") {
        @Override
        public Trial open(int workers) {
            ThreadPool pool = Pools.fanout(workers);
            return Pools.trial(pool, n -> Batch.sumResults(Batch.submit(pool, n, i -> () -> i)));
        }
    },
    THREAD_POOL_EXECUTOR("ThreadPoolExecutor") {
        @Override
        public Trial open(int workers) {
            ExecutorService pool = Pools.fixed(workers);
            return Pools.trial(pool, n -> Batch.sumGets(Batch.submit(pool, n, i -> () -> i)));
        }
    },
    COMPLETABLE_FUTURE("CompletableFuture.supplyAsync") {
        @Override
        public Trial open(int workers) {
            ExecutorService pool = Pools.fixed(workers);
            return Pools.trial(pool, n -> Batch.sumJoins(Batch.supplyAsync(pool, n, i -> () -> i)));
        }
    },
    FORK_JOIN_POOL("ForkJoinPool") {
        @Override
        public Trial open(int workers) {
            ForkJoinPool pool = Pools.forkJoin(workers);
            return Pools.trial(pool, n -> Batch.sumTaskJoins(Batch.submit(pool, n, i -> () -> i)));
        }
    },
    GUAVA("Guava ListeningExecutorService") {
        @Override
        public Trial open(int workers) {
            ListeningExecutorService pool = Pools.guava(workers);
            return Pools.trial(pool, n -> Batch.sumGets(Batch.submit(pool, n, i -> () -> i)));
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
