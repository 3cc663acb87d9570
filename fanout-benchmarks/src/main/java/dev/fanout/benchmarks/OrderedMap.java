package dev.fanout.benchmarks;

import dev.fanout.MapResults;
import dev.fanout.ThreadPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.Future;

/**
 * The contenders of scenario (c): an ordered map of {@code n} items, each about a microsecond of CPU work ({@link Work#cpu(int)}); the
 * results are read in input order and summed.
 */
public enum OrderedMap implements Contender {
    FANOUT("Fanout") {
        @Override
        public Trial open(int workers) {
            ThreadPool pool = Pools.fanout(workers);
            return new Trial() {
                @Override
                public long run(int n) {
                    long sum = 0;
                    try (MapResults<Long> results = pool.map(Work::cpu, Work.range(n))) {
                        for (long r : results) {
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
                    List<Future<Long>> fs = new ArrayList<>(n);
                    for (Integer item : Work.range(n)) {
                        fs.add(pool.submit(() -> Work.cpu(item)));
                    }
                    long sum = 0;
                    for (Future<Long> f : fs) {
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
                    List<CompletableFuture<Long>> fs = new ArrayList<>(n);
                    for (Integer item : Work.range(n)) {
                        fs.add(CompletableFuture.supplyAsync(() -> Work.cpu(item), pool));
                    }
                    long sum = 0;
                    for (CompletableFuture<Long> f : fs) {
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
                    List<ForkJoinTask<Long>> fs = new ArrayList<>(n);
                    for (Integer item : Work.range(n)) {
                        fs.add(pool.submit(() -> Work.cpu(item)));
                    }
                    long sum = 0;
                    for (ForkJoinTask<Long> f : fs) {
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
            return new Trial() {
                @Override
                public long run(int n) {
                    return peers.parallelToOrderedStream(Work.range(n), Work::cpu, pool, workers);
                }

                @Override
                public void close() {
                    Pools.close(pool);
                }
            };
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
