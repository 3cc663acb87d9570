package dev.fanout.proof;

import dev.fanout.Future;
import dev.fanout.ThreadPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lincheck over the pool's {@code submit}, {@code shutdown(wait, cancelFutures)} and {@code cancel}.
 *
 * <p>The data-structure half ({@code @Operation}s, checked against {@link PoolSpec}) runs a pool whose thread factory
 * hands out threads that never start, so no task ever runs and every history is decided by the pool's lock alone:
 * a submit is either rejected or queued before the shutdown that follows it, and {@link #nothingLeftBehind()} checks
 * after every run that a {@code cancelFutures} shutdown left no future pending. Shutdown is deliberately not
 * modelled as atomic against {@code isDone()}: it cancels the drained futures after releasing its lock, and only
 * promises that they are cancelled when it returns.
 *
 * <p>Real workers racing cancel and shutdown are covered by {@code RandomisedStressTest}: Lincheck 3.7 cannot run a
 * real worker thread under its model checker (see {@link #modelChecking()}).
 */
@Tag("lincheck")
@Param(name = "tid", gen = ThreadIdGen.class)
public class PoolLincheckTest {
    private static final int THREADS = 3;
    /** Lincheck's thread ids: the main thread for the parts before and after, then one per parallel thread. */
    static final int THREAD_IDS = THREADS + 3;

    private final ThreadPool pool =
            ThreadPool.builder().maxWorkers(2).threadFactory(new NeverStarted()).build();
    private final List<List<Future<Integer>>> futures = new ArrayList<>();
    private final AtomicBoolean cancelledAll = new AtomicBoolean();

    public PoolLincheckTest() {
        for (int i = 0; i < THREAD_IDS; i++) {
            futures.add(new CopyOnWriteArrayList<>());
        }
    }

    @Operation
    public String submit(@Param(name = "tid") int tid) {
        try {
            futures.get(tid).add(pool.submit(() -> 1));
            return "queued";
        } catch (RejectedExecutionException e) {
            return "rejected";
        }
    }

    /** Cancels this thread's latest future. */
    @Operation
    public String cancelMine(@Param(name = "tid") int tid) {
        List<Future<Integer>> mine = futures.get(tid);
        return mine.isEmpty()
                ? "none"
                : String.valueOf(mine.get(mine.size() - 1).cancel());
    }

    @Operation
    public void shutdown(boolean cancelFutures) {
        pool.shutdown(true, cancelFutures);
        if (cancelFutures) {
            cancelledAll.set(true);
        }
    }

    @Validate
    public void nothingLeftBehind() {
        for (List<Future<Integer>> mine : futures) {
            for (Future<Integer> f : mine) {
                if (f.isRunning() || (f.isDone() && !f.isCancelled())) {
                    throw new AssertionError("a task ran although no worker ever started: " + f);
                }
                if (cancelledAll.get() && !f.isCancelled()) {
                    throw new AssertionError("shutdown(cancelFutures=true) returned and left " + f + " pending");
                }
            }
        }
    }

    /**
     * Initialises the pool's static state (the cleaner thread, the exit hook, the set of live pools) before Lincheck
     * runs: it snapshots and restores static fields between runs, and must not see a thread start that never ends.
     */
    @BeforeAll
    static void warmUp() {
        try (ThreadPool warm = new ThreadPool(1)) {
            warm.submit(() -> 1).result();
        }
        ThreadPool frozen =
                ThreadPool.builder().threadFactory(new NeverStarted()).build();
        frozen.submit(() -> 1).cancel();
        frozen.shutdown(true, true);
    }

    /**
     * Disabled: Lincheck 3.7's model checker fails inside itself on the pool (a NullPointerException in
     * {@code SnapshotTracker.restoreValues} while restoring the static state of {@code ThreadPool} between runs, and a
     * ConcurrentModificationException when a real worker thread is started under it), on JDK 17 and 25 alike. The
     * same scenarios run in {@link #stress()}, and real workers in {@code RandomisedStressTest}. Enable it again on a
     * Lincheck upgrade.
     */
    @Test
    @Timeout(600)
    @Disabled(
            "Lincheck 3.7 model checking crashes in SnapshotTracker.restoreValues on ThreadPool; stress() runs instead")
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(Scale.times(LincheckRuns.MODEL_ITERATIONS))
                .invocationsPerIteration(LincheckRuns.MODEL_INVOCATIONS)
                .threads(THREADS)
                .actorsPerThread(2)
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(PoolSpec.class)
                .check(getClass());
        LincheckRuns.record(
                "ThreadPool submit/cancel/shutdown model checking",
                Scale.times(LincheckRuns.MODEL_ITERATIONS),
                LincheckRuns.MODEL_INVOCATIONS);
    }

    @Test
    @Timeout(600)
    void stress() {
        new StressOptions()
                .iterations(Scale.times(LincheckRuns.STRESS_ITERATIONS))
                .invocationsPerIteration(LincheckRuns.STRESS_INVOCATIONS)
                .threads(THREADS)
                .actorsPerThread(2)
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(PoolSpec.class)
                .check(getClass());
        LincheckRuns.record(
                "ThreadPool submit/cancel/shutdown stress",
                Scale.times(LincheckRuns.STRESS_ITERATIONS),
                LincheckRuns.STRESS_INVOCATIONS);
    }

    /** Threads that never start: the pool queues and cancels, but nothing runs. */
    private static final class NeverStarted implements ThreadFactory {
        @Override
        public Thread newThread(Runnable r) {
            return new Thread(r) {
                @Override
                public synchronized void start() {
                    // never started: the queued tasks stay pending until cancelled
                }
            };
        }
    }
}
