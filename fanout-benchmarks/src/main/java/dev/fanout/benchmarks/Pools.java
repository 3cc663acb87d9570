package dev.fanout.benchmarks;

import com.google.common.util.concurrent.ListeningExecutorService;
import com.google.common.util.concurrent.MoreExecutors;
import dev.fanout.ThreadPool;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/** The executors under test, each built with the same number of workers. */
final class Pools {
    private Pools() {}

    static ThreadPool fanout(int workers) {
        return new ThreadPool(workers);
    }

    /** {@code Executors.newFixedThreadPool}: a {@link java.util.concurrent.ThreadPoolExecutor}. */
    static ExecutorService fixed(int workers) {
        return Executors.newFixedThreadPool(workers);
    }

    static ForkJoinPool forkJoin(int workers) {
        return new ForkJoinPool(workers);
    }

    static ListeningExecutorService guava(int workers) {
        return MoreExecutors.listeningDecorator(Executors.newFixedThreadPool(workers));
    }

    /** A trial of {@code workload} on {@code pool}, which it closes with {@link ThreadPool#close()}. */
    static Contender.Trial trial(ThreadPool pool, Contender.Workload workload) {
        return Contender.Trial.of(workload, pool::close);
    }

    /** A trial of {@code workload} on {@code pool}, which it closes with {@link #close(ExecutorService)}. */
    static Contender.Trial trial(ExecutorService pool, Contender.Workload workload) {
        return Contender.Trial.of(workload, () -> close(pool));
    }

    /** Shuts {@code executor} down and waits for its threads, so that the next trial starts on a quiet machine. */
    static void close(ExecutorService executor) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("executor did not terminate: " + executor);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while closing " + executor, e);
        }
    }
}
