package dev.fanout.benchmarks;

import com.pivovarit.collectors.ParallelCollectors;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** The JDK 21 peers; loaded by name from {@link Jdk21Peers#load()}. */
final class Jdk21PeersImpl implements Jdk21Peers {

    @Override
    public long parallelToStream(int n, Function<Integer, Long> fn, Executor executor, int parallelism) {
        return IntStream.range(0, n)
                .boxed()
                .collect(ParallelCollectors.parallelToStream(fn, executor, parallelism))
                .mapToLong(Long::longValue)
                .sum();
    }

    @Override
    public long parallelToOrderedStream(
            Iterable<Integer> items, Function<Integer, Long> fn, Executor executor, int parallelism) {
        Stream<Integer> input = StreamSupport.stream(items.spliterator(), false);
        return input.collect(ParallelCollectors.parallelToOrderedStream(fn, executor, parallelism))
                .mapToLong(Long::longValue)
                .sum();
    }

    @Override
    public long batchedOrderedStream(
            List<Integer> items, Function<Integer, Long> fn, Executor executor, int parallelism) {
        return items.stream()
                .collect(ParallelCollectors.Batching.parallelToOrderedStream(fn, executor, parallelism))
                .mapToLong(Long::longValue)
                .sum();
    }

    @Override
    public long parallelOnVirtualThreads(int n, Function<Integer, Long> fn) {
        return IntStream.range(0, n)
                .boxed()
                .collect(ParallelCollectors.parallel(fn))
                .join()
                .mapToLong(Long::longValue)
                .sum();
    }

    @Override
    public ExecutorService newVirtualThreadPerTaskExecutor() {
        return Executors.newVirtualThreadPerTaskExecutor();
    }
}
