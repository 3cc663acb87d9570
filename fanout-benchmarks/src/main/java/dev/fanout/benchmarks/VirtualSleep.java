package dev.fanout.benchmarks;

import dev.fanout.MapResults;
import dev.fanout.ThreadPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Scenario (f), second half: {@code n} tasks that each sleep, on virtual threads, with room for all of them at once.
 * The ideal is one sleep.
 */
enum VirtualSleep implements Contender {
    FANOUT("Fanout virtualThreads") {
        @Override
        public Trial open(int workers) {
            ThreadPool pool;
            try {
                pool = ThreadPool.builder().virtualThreads().maxWorkers(workers).build();
            } catch (UnsupportedOperationException e) {
                throw new Unavailable("needs JDK 21+");
            }
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
    VIRTUAL_THREAD_PER_TASK("Executors.newVirtualThreadPerTaskExecutor") {
        @Override
        public Trial open(int workers) {
            ExecutorService pool = Jdk21Peers.load().newVirtualThreadPerTaskExecutor();
            return new Trial() {
                @Override
                public long run(int n) throws Exception {
                    List<Future<Integer>> fs = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        int item = i;
                        fs.add(pool.submit(() -> SleepFanout.sleep(item)));
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
    PARALLEL_COLLECTORS("parallel-collectors (virtual threads)") {
        @Override
        public Trial open(int workers) {
            Jdk21Peers peers = Jdk21Peers.load();
            return new Trial() {
                @Override
                public long run(int n) {
                    return peers.parallelOnVirtualThreads(n, i -> (long) SleepFanout.sleepUnchecked(i));
                }

                @Override
                public void close() {}
            };
        }
    };

    private final String label;

    VirtualSleep(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }
}
