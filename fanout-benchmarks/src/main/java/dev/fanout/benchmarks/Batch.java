package dev.fanout.benchmarks;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ListeningExecutorService;
import dev.fanout.MapResults;
import dev.fanout.Task;
import dev.fanout.ThreadPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * One batch of tasks as a user of each peer writes it: submit one task per item {@code 0..n-1}, then add the results
 * up. The scenarios differ only in the task, which they pass as {@code task}: {@code i -> () -> work(i)} builds the
 * task of item {@code i}, the same lambda the loop would otherwise hold. The {@code submit} overloads go by the pool's
 * type, so that each peer keeps its own call site and the future type its users see.
 *
 * <p>What each loop adds to the peer's own cost is one call of {@code task} per item; the sums unbox each result
 * once, as the loops did.
 */
final class Batch {
    private Batch() {}

    /** {@link ThreadPool#submit(Task)} for every item. */
    static <R> List<dev.fanout.Future<R>> submit(ThreadPool pool, int n, IntFunction<Task<R>> task) {
        List<dev.fanout.Future<R>> fs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fs.add(pool.submit(task.apply(i)));
        }
        return fs;
    }

    /** {@link ExecutorService#submit(Callable)} for every item. */
    static <R> List<Future<R>> submit(ExecutorService pool, int n, IntFunction<Callable<R>> task) {
        List<Future<R>> fs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fs.add(pool.submit(task.apply(i)));
        }
        return fs;
    }

    /** {@link ForkJoinPool#submit(Callable)} for every item. */
    static <R> List<ForkJoinTask<R>> submit(ForkJoinPool pool, int n, IntFunction<Callable<R>> task) {
        List<ForkJoinTask<R>> fs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fs.add(pool.submit(task.apply(i)));
        }
        return fs;
    }

    /** Guava's {@link ListeningExecutorService#submit(Callable)} for every item. */
    static <R> List<ListenableFuture<R>> submit(ListeningExecutorService pool, int n, IntFunction<Callable<R>> task) {
        List<ListenableFuture<R>> fs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fs.add(pool.submit(task.apply(i)));
        }
        return fs;
    }

    /** {@code CompletableFuture.supplyAsync(task, pool)} for every item. */
    static <R> List<CompletableFuture<R>> supplyAsync(ExecutorService pool, int n, IntFunction<Supplier<R>> task) {
        List<CompletableFuture<R>> fs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fs.add(CompletableFuture.supplyAsync(task.apply(i), pool));
        }
        return fs;
    }

    /** The sum of {@link dev.fanout.Future#result()} over {@code fs}, in their order. */
    static long sumResults(Iterable<? extends dev.fanout.Future<? extends Number>> fs) {
        long sum = 0;
        for (dev.fanout.Future<? extends Number> f : fs) {
            sum += f.result().longValue();
        }
        return sum;
    }

    /** The sum of {@link Future#get()} over {@code fs}, in their order. */
    static long sumGets(Iterable<? extends Future<? extends Number>> fs) throws Exception {
        long sum = 0;
        for (Future<? extends Number> f : fs) {
            sum += f.get().longValue();
        }
        return sum;
    }

    /** The sum of {@link CompletableFuture#join()} over {@code fs}, in their order. */
    static long sumJoins(List<? extends CompletableFuture<? extends Number>> fs) {
        long sum = 0;
        for (CompletableFuture<? extends Number> f : fs) {
            sum += f.join().longValue();
        }
        return sum;
    }

    /** The sum of {@link ForkJoinTask#join()} over {@code fs}, in their order. */
    static long sumTaskJoins(List<? extends ForkJoinTask<? extends Number>> fs) {
        long sum = 0;
        for (ForkJoinTask<? extends Number> f : fs) {
            sum += f.join().longValue();
        }
        return sum;
    }

    /** The sum of a Fanout {@code map}'s results, read in input order; closes {@code results}. */
    static long sum(MapResults<? extends Number> results) {
        long sum = 0;
        try (results) {
            for (Number r : results) {
                sum += r.longValue();
            }
        }
        return sum;
    }
}
