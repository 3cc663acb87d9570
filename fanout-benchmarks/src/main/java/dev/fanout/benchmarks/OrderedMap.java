package dev.fanout.benchmarks;

import dev.fanout.ThreadPool;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;

/**
 * The contenders of scenario (c): an ordered map of {@code n} items, each about a microsecond of CPU work ({@link Work#cpu(int)}); the
 * results are read in input order and summed.
 */
public enum OrderedMap implements Contender {
    FANOUT("Fanout") {
        @Override
        public Trial open(int workers) {
            ThreadPool pool = Pools.fanout(workers);
            return Pools.trial(pool, n -> Batch.sum(pool.map(Work::cpu, Work.range(n))));
        }
    },
    THREAD_POOL_EXECUTOR("ThreadPoolExecutor") {
        @Override
        public Trial open(int workers) {
            ExecutorService pool = Pools.fixed(workers);
            return Pools.trial(pool, n -> {
                List<Integer> items = Work.range(n);
                return Batch.sumGets(Batch.submit(pool, n, i -> () -> Work.cpu(items.get(i))));
            });
        }
    },
    COMPLETABLE_FUTURE("CompletableFuture.supplyAsync") {
        @Override
        public Trial open(int workers) {
            ExecutorService pool = Pools.fixed(workers);
            return Pools.trial(pool, n -> {
                List<Integer> items = Work.range(n);
                return Batch.sumJoins(Batch.supplyAsync(pool, n, i -> () -> Work.cpu(items.get(i))));
            });
        }
    },
    FORK_JOIN_POOL("ForkJoinPool") {
        @Override
        public Trial open(int workers) {
            ForkJoinPool pool = Pools.forkJoin(workers);
            return Pools.trial(pool, n -> {
                List<Integer> items = Work.range(n);
                return Batch.sumTaskJoins(Batch.submit(pool, n, i -> () -> Work.cpu(items.get(i))));
            });
        }
    },
    PARALLEL_STREAM("parallel stream") {
        @Override
        public Trial open(int workers) {
            return ChunkedMap.PARALLEL_STREAM.open(workers);
        }
    },
    PARALLEL_COLLECTORS("parallel-collectors parallelToOrderedStream") {
        @Override
        public Trial open(int workers) {
            Jdk21Peers peers = Jdk21Peers.load();
            ExecutorService pool = Pools.fixed(workers);
            return Pools.trial(pool, n -> peers.parallelToOrderedStream(Work.range(n), Work::cpu, pool, workers));
        }
    };

    private final String label;

    OrderedMap(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }
}
