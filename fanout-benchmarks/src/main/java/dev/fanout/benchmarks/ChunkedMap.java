package dev.fanout.benchmarks;

import dev.fanout.MapOptions;
import dev.fanout.ThreadPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;

/**
 * The contenders of scenario (d): the ordered map of scenario (c) over many more items, with {@link #chunkSize} items per task. The
 * parallel stream, which splits its input by itself, runs in a {@link ForkJoinPool} of the same size.
 */
public enum ChunkedMap implements Contender {
    FANOUT("Fanout chunkSize") {
        @Override
        public Trial open(int workers) {
            ThreadPool pool = Pools.fanout(workers);
            MapOptions options = MapOptions.defaults().chunkSize(chunkSize);
            return Pools.trial(pool, n -> Batch.sum(pool.map(Work::cpu, Work.range(n), options)));
        }
    },
    PARALLEL_STREAM("parallel stream") {
        @Override
        public Trial open(int workers) {
            ForkJoinPool pool = Pools.forkJoin(workers);
            return Pools.trial(pool, n -> {
                List<Integer> items = Work.range(n);
                // The common idiom for running a parallel stream on a pool of one's own choosing.
                List<Long> results = pool.submit(
                                () -> items.parallelStream().map(Work::cpu).toList())
                        .join();
                long sum = 0;
                for (long r : results) {
                    sum += r;
                }
                return sum;
            });
        }
    },
    THREAD_POOL_EXECUTOR("ThreadPoolExecutor, chunks by hand") {
        @Override
        public Trial open(int workers) {
            ExecutorService pool = Pools.fixed(workers);
            return Pools.trial(pool, n -> {
                List<Integer> items = Work.range(n);
                List<Future<long[]>> chunks = new ArrayList<>(n / chunkSize + 1);
                for (int from = 0; from < n; from += chunkSize) {
                    List<Integer> chunk = items.subList(from, Math.min(n, from + chunkSize));
                    chunks.add(pool.submit(() -> {
                        long[] out = new long[chunk.size()];
                        for (int i = 0; i < out.length; i++) {
                            out[i] = Work.cpu(chunk.get(i));
                        }
                        return out;
                    }));
                }
                long sum = 0;
                for (Future<long[]> chunk : chunks) {
                    for (long r : chunk.get()) {
                        sum += r;
                    }
                }
                return sum;
            });
        }
    },
    PARALLEL_COLLECTORS("parallel-collectors Batching") {
        @Override
        public Trial open(int workers) {
            Jdk21Peers peers = Jdk21Peers.load();
            ExecutorService pool = Pools.fixed(workers);
            return Pools.trial(pool, n -> peers.batchedOrderedStream(Work.range(n), Work::cpu, pool, workers));
        }
    };

    /** Items per task, for the contenders that take a chunk size. */
    static volatile int chunkSize = 1_000;

    private final String label;

    ChunkedMap(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }
}
