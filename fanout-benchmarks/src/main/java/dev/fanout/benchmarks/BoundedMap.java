package dev.fanout.benchmarks;

import dev.fanout.MapOptions;
import dev.fanout.MapResults;
import dev.fanout.ThreadPool;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.StreamSupport;

/**
 * Scenario (e): an ordered map of a trivial function over a lazy input of {@code n} items, too many to hold, in a
 * small heap. Run by {@link HeapProbe} in a JVM of its own, which reports the peak heap.
 */
enum BoundedMap implements Contender {
    FANOUT("Fanout bufferSize") {
        @Override
        public Trial open(int workers) {
            return fanout(workers, MapOptions.defaults().bufferSize(bufferSize(workers)));
        }
    },
    FANOUT_CHUNKED("Fanout chunkSize, bufferSize 4 per worker") {
        @Override
        public Trial open(int workers) {
            return fanout(
                    workers,
                    MapOptions.defaults().bufferSize(bufferSize(workers)).chunkSize(ChunkedMap.chunkSize));
        }
    },
    THREAD_POOL_EXECUTOR("ThreadPoolExecutor, submit all") {
        @Override
        public Trial open(int workers) {
            ExecutorService pool = Pools.fixed(workers);
            return Pools.trial(pool, n -> {
                ArrayDeque<Future<Long>> fs = new ArrayDeque<>();
                for (Integer item : Work.lazyRange(n)) {
                    fs.add(pool.submit(() -> (long) item));
                }
                long sum = 0;
                for (Future<Long> f; (f = fs.poll()) != null; ) {
                    sum += f.get();
                }
                return sum;
            });
        }
    },
    PARALLEL_STREAM("parallel stream over an Iterator") {
        @Override
        public Trial open(int workers) {
            ForkJoinPool pool = Pools.forkJoin(workers);
            return Pools.trial(pool, n -> {
                Iterable<Integer> items = Work.lazyRange(n);
                AtomicLong sum = new AtomicLong();
                pool.submit(() -> StreamSupport.stream(items.spliterator(), true)
                                .map(i -> (long) i)
                                .forEachOrdered(sum::addAndGet))
                        .join();
                return sum.get();
            });
        }
    },
    PARALLEL_COLLECTORS("parallel-collectors parallelToOrderedStream") {
        @Override
        public Trial open(int workers) {
            Jdk21Peers peers = Jdk21Peers.load();
            ExecutorService pool = Pools.fixed(workers);
            return Pools.trial(
                    pool, n -> peers.parallelToOrderedStream(Work.lazyRange(n), i -> (long) i, pool, workers));
        }
    };

    private final String label;

    BoundedMap(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** The bound on tasks in flight; 0 means Python 3.14's {@code buffersize} in the baseline script. */
    static volatile int bufferSize;

    /** The bound in force: {@link #bufferSize}, or four tasks per worker as the baseline script has it. */
    static int bufferSize(int workers) {
        return bufferSize > 0 ? bufferSize : workers * 4;
    }

    private static Trial fanout(int workers, MapOptions options) {
        ThreadPool pool = Pools.fanout(workers);
        return Pools.trial(pool, n -> {
            long sum = 0;
            try (MapResults<Long> results = pool.map(i -> (long) i, Work.lazyRange(n), options)) {
                Iterator<Long> it = results.iterator();
                while (it.hasNext()) {
                    sum += it.next();
                }
            }
            return sum;
        });
    }
}
