package dev.fanout.benchmarks;

import dev.fanout.ThreadPool;
import java.util.concurrent.ExecutorService;

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
            return Pools.trial(pool, n -> Batch.sum(pool.map(SleepFanout::sleep, Work.range(n))));
        }
    },
    VIRTUAL_THREAD_PER_TASK("Executors.newVirtualThreadPerTaskExecutor") {
        @Override
        public Trial open(int workers) {
            ExecutorService pool = Jdk21Peers.load().newVirtualThreadPerTaskExecutor();
            return Pools.trial(pool, n -> Batch.sumGets(Batch.submit(pool, n, i -> () -> SleepFanout.sleep(i))));
        }
    },
    PARALLEL_COLLECTORS("parallel-collectors (virtual threads)") {
        @Override
        public Trial open(int workers) {
            Jdk21Peers peers = Jdk21Peers.load();
            return Trial.of(
                    n -> peers.parallelOnVirtualThreads(n, i -> (long) SleepFanout.sleepUnchecked(i)), () -> {});
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
