package dev.fanout.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fanout.DoneAndNotDone;
import dev.fanout.Future;
import dev.fanout.FutureTimeoutException;
import dev.fanout.Futures;
import dev.fanout.MapOptions;
import dev.fanout.MapResults;
import dev.fanout.ReturnWhen;
import dev.fanout.ThreadPool;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Randomised stress over real pools: in each round, two producers submit tasks that return, throw an unchecked
 * exception, a checked one or an {@link Error}; a canceller cancels at random; a waiter calls {@code Futures.wait} in
 * every mode, {@code asCompleted} with and without a timeout, {@code result} with a timeout and a {@code map} with
 * {@code bufferSize}; and a shutdown, with or without {@code wait} and {@code cancelFutures}, lands somewhere in the
 * middle of the submits. Then it checks that nothing was lost:
 *
 * <ul>
 *   <li>every accepted task ended in exactly one state, and cancelled + finished = submitted;
 *   <li>a task ran exactly once if it finished and never if it was cancelled, and its result or exception (the very
 *       instance) is what {@code result()} gives;
 *   <li>every callback ran exactly once;
 *   <li>every wait returned what its mode promises, and asCompleted handed out each future once;
 *   <li>no worker thread is alive after {@code shutdown(true, …)}.
 * </ul>
 *
 * <p>At scale 1 (every build) it checks {@value #ROUNDS} rounds of {@value #TASKS_PER_ROUND} tasks; {@code -Pstress}
 * (scale 100) checks over a million. A failing round names the seed that chose its operations:
 * {@code -Dfanout.stress.seed=N} replays the same choices (thread timing, of course, differs).
 */
@Tag("stress")
class RandomisedStressTest {
    static final int ROUNDS = 30;
    static final int TASKS_PER_ROUND = 500;

    /** What every round added up, for the figures. */
    private final AtomicLong submitted = new AtomicLong();

    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong finished = new AtomicLong();
    private final AtomicLong callbacks = new AtomicLong();
    private final AtomicLong waits = new AtomicLong();
    private final AtomicLong asCompletedYields = new AtomicLong();
    private final AtomicLong mapResults = new AtomicLong();
    private final AtomicLong shutdowns = new AtomicLong();
    private final AtomicLong threw = new AtomicLong();

    @Test
    @Timeout(3600)
    void randomInterleavingsLoseNothing() throws Exception {
        long seed = Long.getLong("fanout.stress.seed", System.nanoTime());
        SplittableRandom seeds = new SplittableRandom(seed);
        int rounds = Scale.times(ROUNDS);
        for (int r = 0; r < rounds; r++) {
            long roundSeed = seeds.nextLong();
            try {
                round(new SplittableRandom(roundSeed));
            } catch (Throwable t) {
                throw new AssertionError("round " + r + " of the run with -Dfanout.stress.seed=" + seed + " failed", t);
            }
        }
        assertThat(submitted.get() + rejected.get()).isEqualTo((long) rounds * TASKS_PER_ROUND);
        Figures.record(
                "randomised stress",
                rounds + " rounds: " + (submitted.get() + rejected.get()) + " submits (" + submitted.get()
                        + " accepted, " + rejected.get() + " rejected after shutdown), " + finished.get()
                        + " finished (" + threw.get() + " of them threw an exception or an Error) + "
                        + cancelled.get() + " cancelled, " + callbacks.get() + " callbacks, "
                        + waits.get() + " waits, " + asCompletedYields.get() + " asCompleted yields, "
                        + mapResults.get() + " map results, " + shutdowns.get() + " shutdowns");
    }

    /** One task: what it does, and how often it ran. */
    private static final class Job {
        final int index;
        final int kind; // 0 returns, 1 throws unchecked, 2 throws checked, 3 throws an Error
        final RuntimeException unchecked;
        final IOException checked;
        final Error error;
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger callbackRuns = new AtomicInteger();
        volatile int callbacksAdded;

        Job(int index, int kind) {
            this.index = index;
            this.kind = kind;
            this.unchecked = kind == 1 ? new IllegalStateException("task " + index) : null;
            this.checked = kind == 2 ? new IOException("task " + index) : null;
            this.error = kind == 3 ? new StressError("task " + index) : null;
        }

        Integer call() throws IOException {
            runs.incrementAndGet();
            switch (kind) {
                case 1 -> throw unchecked;
                case 2 -> throw checked;
                case 3 -> throw error;
                default -> {
                    return index;
                }
            }
        }

        boolean fails() {
            return kind != 0;
        }
    }

    /** An Error a task throws on purpose. */
    static final class StressError extends Error {
        private static final long serialVersionUID = 1L;

        StressError(String message) {
            super(message);
        }
    }

    private void round(SplittableRandom rnd) throws Exception {
        int n = TASKS_PER_ROUND;
        Job[] jobs = new Job[n];
        for (int i = 0; i < n; i++) {
            jobs[i] = new Job(i, rnd.nextInt(10) < 7 ? 0 : 1 + rnd.nextInt(3));
        }
        AtomicReferenceArray<Future<Integer>> futures = new AtomicReferenceArray<>(n);
        boolean[] rejectedJobs = new boolean[n];
        RecordingFactory threads = new RecordingFactory();
        ThreadPool pool = ThreadPool.builder()
                .maxWorkers(1 + rnd.nextInt(4))
                .threadFactory(threads)
                .build();
        int shutdownAt = n / 2 + rnd.nextInt(n); // past n: the shutdown comes once the submits are over
        boolean shutdownWaits = rnd.nextBoolean();
        boolean shutdownCancels = rnd.nextBoolean();
        CountDownLatch reachedShutdownPoint = new CountDownLatch(1);
        AtomicInteger submits = new AtomicInteger();
        CountDownLatch producersDone = new CountDownLatch(2);
        CountDownLatch go = new CountDownLatch(1); // every helper starts at once
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        long waiterSeed = rnd.nextLong();
        long cancellerSeed = rnd.nextLong();
        long callbackSeed = rnd.nextLong();
        List<Thread> helpers = new ArrayList<>();
        try {
            for (int p = 0; p < 2; p++) {
                int first = p;
                SplittableRandom callbackRnd = new SplittableRandom(callbackSeed + p);
                helpers.add(thread("producer", failures, () -> {
                    try {
                        go.await();
                        for (int i = first; i < n; i += 2) {
                            Job job = jobs[i];
                            if (callbackRnd.nextInt(8) == 0) {
                                Thread.yield(); // let the other threads in between submits
                            }
                            if (submits.incrementAndGet() >= shutdownAt) {
                                reachedShutdownPoint.countDown();
                            }
                            Future<Integer> f;
                            try {
                                f = pool.submit(job::call);
                            } catch (RejectedExecutionException e) {
                                rejectedJobs[i] = true;
                                continue;
                            }
                            int adds = callbackRnd.nextInt(3);
                            job.callbacksAdded = adds;
                            for (int c = 0; c < adds; c++) {
                                f.addDoneCallback(done -> {
                                    if (!done.isDone()) {
                                        failures.add(new AssertionError("callback on a future not done: " + done));
                                    }
                                    job.callbackRuns.incrementAndGet();
                                });
                            }
                            futures.set(i, f);
                        }
                    } finally {
                        producersDone.countDown();
                        reachedShutdownPoint.countDown(); // the shutdown comes at the latest after the submits
                    }
                }));
            }
            helpers.add(thread("canceller", failures, () -> {
                SplittableRandom r = new SplittableRandom(cancellerSeed);
                go.await();
                while (producersDone.getCount() > 0) {
                    Future<Integer> f = futures.get(r.nextInt(n));
                    if (f != null && r.nextInt(4) == 0) {
                        boolean wasRunning = f.isRunning();
                        boolean ok = f.cancel();
                        if (ok && !f.isCancelled()) {
                            failures.add(new AssertionError("cancel() returned true but the future is " + f));
                        }
                        if (wasRunning && ok) {
                            // a running task cannot go back to pending, so it can never be cancelled
                            failures.add(new AssertionError("cancel() of a running future returned true: " + f));
                        }
                    }
                    Thread.yield();
                }
            }));
            helpers.add(thread("waiter", failures, () -> {
                go.await();
                waiter(new SplittableRandom(waiterSeed), pool, futures, jobs, submits);
            }));
            helpers.add(thread("shutdown", failures, () -> {
                go.await();
                reachedShutdownPoint.await();
                pool.shutdown(shutdownWaits, shutdownCancels);
                shutdowns.incrementAndGet();
            }));
            helpers.forEach(Thread::start);
            go.countDown();
            for (Thread t : helpers) {
                t.join(Duration.ofMinutes(2).toMillis());
                assertThat(t.isAlive())
                        .as("%s still running: a hang", t.getName())
                        .isFalse();
            }
        } finally {
            pool.shutdown(true, false);
            go.countDown();
            reachedShutdownPoint.countDown();
            for (Thread t : helpers) {
                t.interrupt();
            }
        }
        shutdowns.incrementAndGet();
        assertThat(failures).isEmpty();
        // No thread left running after shutdown(true, ...).
        for (Thread t : threads.made) {
            assertThat(t.isAlive())
                    .as("worker %s alive after shutdown(true, ...)", t.getName())
                    .isFalse();
        }
        int roundCancelled = 0;
        int roundFinished = 0;
        int roundRejected = 0;
        for (int i = 0; i < n; i++) {
            Job job = jobs[i];
            Future<Integer> f = futures.get(i);
            if (rejectedJobs[i]) {
                roundRejected++;
                assertThat(f).isNull();
                assertThat(job.runs.get()).isZero();
                continue;
            }
            assertThat(f).as("task %d neither rejected nor accepted", i).isNotNull();
            assertThat(f.isDone())
                    .as("task %d not done after shutdown(true, ...): %s", i, f)
                    .isTrue();
            assertThat(f.isRunning()).isFalse();
            assertThat(job.callbackRuns.get()).as("callbacks of task %d", i).isEqualTo(job.callbacksAdded);
            if (f.isCancelled()) {
                roundCancelled++;
                assertThat(job.runs.get()).as("cancelled task %d ran", i).isZero();
            } else {
                roundFinished++;
                assertThat(job.runs.get()).as("finished task %d ran", i).isEqualTo(1);
                checkOutcome(job, f);
                if (job.fails()) {
                    threw.incrementAndGet();
                }
            }
            callbacks.addAndGet(job.callbackRuns.get());
        }
        assertThat(roundCancelled + roundFinished).isEqualTo(n - roundRejected);
        submitted.addAndGet(n - roundRejected);
        rejected.addAndGet(roundRejected);
        cancelled.addAndGet(roundCancelled);
        finished.addAndGet(roundFinished);
    }

    private static void checkOutcome(Job job, Future<Integer> f) {
        switch (job.kind) {
            case 0 -> assertThat(f.result()).isEqualTo(job.index);
            case 1 -> {
                assertThat(f.exception()).isSameAs(job.unchecked);
                try {
                    f.result();
                    throw new AssertionError("result() of a failed task returned");
                } catch (IllegalStateException e) {
                    assertThat(e).isSameAs(job.unchecked);
                }
            }
            case 2 -> {
                assertThat(f.exception()).isSameAs(job.checked);
                try {
                    f.result();
                    throw new AssertionError("result() of a failed task returned");
                } catch (CompletionException e) {
                    assertThat(e.getCause()).isSameAs(job.checked);
                }
            }
            default -> {
                assertThat(f.exception()).isSameAs(job.error);
                try {
                    f.result();
                    throw new AssertionError("result() of a failed task returned");
                } catch (StressError e) {
                    assertThat(e).isSameAs(job.error);
                }
            }
        }
    }

    /** Waits in random ways on random subsets, checking what each mode promises, while the round goes on. */
    private void waiter(
            SplittableRandom rnd,
            ThreadPool pool,
            AtomicReferenceArray<Future<Integer>> futures,
            Job[] jobs,
            AtomicInteger submits) {
        IdentityHashMap<Future<Integer>, Job> jobOf = new IdentityHashMap<>();
        for (int step = 0; step < 12; step++) {
            List<Future<Integer>> some = new ArrayList<>();
            for (int k = 0; k < 1 + rnd.nextInt(20); k++) {
                int i = rnd.nextInt(Math.min(futures.length(), Math.max(1, submits.get()))); // submitted so far
                Future<Integer> f = futures.get(i);
                if (f != null) {
                    some.add(f);
                    some.add(f); // duplicates count once
                    jobOf.put(f, jobs[i]);
                }
            }
            int mode = rnd.nextInt(8);
            switch (mode) {
                case 0, 1, 2 -> {
                    ReturnWhen when = ReturnWhen.values()[mode];
                    DoneAndNotDone<Integer> dn = Futures.wait(some, when);
                    checkWait(dn, some, when, false, jobOf);
                }
                case 3 -> {
                    ReturnWhen when = ReturnWhen.values()[rnd.nextInt(3)];
                    Duration timeout = rnd.nextBoolean() ? Duration.ZERO : Duration.ofMillis(1);
                    DoneAndNotDone<Integer> dn = Futures.wait(some, timeout, when);
                    checkWait(dn, some, when, true, jobOf);
                }
                case 4 -> {
                    Set<Future<Integer>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
                    for (Future<Integer> f : Futures.asCompleted(some)) {
                        assertThat(f.isDone()).isTrue();
                        assertThat(seen.add(f))
                                .as("asCompleted handed out %s twice", f)
                                .isTrue();
                    }
                    assertThat(seen).hasSize(new HashSet<>(some).size());
                    asCompletedYields.addAndGet(seen.size());
                }
                case 5 -> {
                    Set<Future<Integer>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
                    try {
                        for (Future<Integer> f : Futures.asCompleted(some, Duration.ofMillis(rnd.nextInt(3)))) {
                            assertThat(f.isDone()).isTrue();
                            assertThat(seen.add(f)).isTrue();
                        }
                        assertThat(seen).hasSize(new HashSet<>(some).size());
                    } catch (FutureTimeoutException e) {
                        int unique = new HashSet<>(some).size();
                        assertThat(e).hasMessage((unique - seen.size()) + " (of " + unique + ") futures unfinished");
                    }
                    asCompletedYields.addAndGet(seen.size());
                }
                case 6 -> {
                    if (!some.isEmpty()) {
                        Future<Integer> f = some.get(0);
                        try {
                            f.result(Duration.ofMillis(rnd.nextInt(2)));
                            assertThat(f.isDone()).isTrue();
                        } catch (FutureTimeoutException e) {
                            // not done yet: fine
                        } catch (CancellationException e) {
                            assertThat(f.isCancelled()).isTrue();
                        } catch (RuntimeException | StressError e) {
                            assertThat(jobOf.get(f).fails()).isTrue();
                        }
                    }
                }
                default -> mapWithBuffer(rnd, pool);
            }
            waits.incrementAndGet();
        }
    }

    private static void checkWait(
            DoneAndNotDone<Integer> dn,
            List<Future<Integer>> some,
            ReturnWhen when,
            boolean timed,
            IdentityHashMap<Future<Integer>, Job> jobOf) {
        Set<Future<Integer>> unique = new HashSet<>(some);
        assertThat(dn.done().size() + dn.notDone().size()).isEqualTo(unique.size());
        dn.done().forEach(f -> assertThat(f.isDone()).isTrue());
        if (timed || unique.isEmpty()) {
            return;
        }
        switch (when) {
            case ALL_COMPLETED -> assertThat(dn.notDone()).isEmpty();
            case FIRST_COMPLETED -> assertThat(dn.done()).isNotEmpty();
            case FIRST_EXCEPTION -> {
                boolean anyFailed = dn.done().stream()
                        .anyMatch(f -> !f.isCancelled() && jobOf.get(f).fails());
                assertThat(anyFailed || dn.notDone().isEmpty())
                        .as("FIRST_EXCEPTION returned with no failure and %s not done", dn.notDone())
                        .isTrue();
            }
        }
    }

    /** A bounded map on the same pool: every result in order, or cancelled by the shutdown, or rejected after it. */
    private void mapWithBuffer(SplittableRandom rnd, ThreadPool pool) {
        int items = 1 + rnd.nextInt(40);
        int buffer = 1 + rnd.nextInt(8);
        boolean closeEarly = rnd.nextInt(4) == 0;
        int expected = 0;
        MapResults<Integer> results;
        try {
            results = pool.map(
                    x -> x * 2,
                    IntStream.range(0, items).boxed().toList(),
                    MapOptions.defaults().bufferSize(buffer));
        } catch (RejectedExecutionException afterShutdown) {
            assertThat(pool.isShutdown()).isTrue();
            return;
        }
        try {
            Iterator<Integer> it = results.iterator();
            while (it.hasNext()) {
                if (closeEarly && expected == items / 2) {
                    results.close();
                    assertThat(it.hasNext()).isFalse();
                    break;
                }
                try {
                    assertThat(it.next()).isEqualTo(expected * 2);
                    mapResults.incrementAndGet();
                } catch (CancellationException cancelledByShutdown) {
                    assertThat(pool.isShutdown()).isTrue();
                } catch (RejectedExecutionException moreAfterShutdown) {
                    // bufferSize submits as it goes: after the shutdown, the next submit is refused and the map ends
                    assertThat(pool.isShutdown()).isTrue();
                    assertThat(it.hasNext()).isFalse();
                    break;
                }
                expected++;
            }
        } finally {
            results.close();
        }
    }

    /**
     * After a map has been iterated to the end, the pool holds on to nothing of it: the items, the results and the
     * futures can all be collected while the pool lives on (as CPython's test_free_reference checks).
     */
    @Test
    @Timeout(120)
    void aFinishedMapLeavesNothingReachableFromThePool() {
        ThreadPool pool = new ThreadPool(3);
        try {
            List<WeakReference<Object>> refs = new ArrayList<>();
            runMap(pool, refs, Scale.times(200));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                System.gc();
                return refs.stream().allMatch(r -> r.get() == null);
            });
            assertThat(pool.isShutdown()).isFalse();
            Figures.record("weak references after map", refs.size() + " items and results collected");
        } finally {
            pool.shutdown(true, false);
        }
    }

    private static void runMap(ThreadPool pool, List<WeakReference<Object>> refs, int n) {
        List<Payload> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Payload p = new Payload(i);
            refs.add(new WeakReference<>(p));
            items.add(p);
        }
        int count = 0;
        try (MapResults<Payload> results = pool.map(
                p -> new Payload(p.value + 1), items, MapOptions.defaults().bufferSize(8))) {
            for (Payload result : results) {
                refs.add(new WeakReference<>(result));
                assertThat(result.value).isEqualTo(++count);
            }
        }
        assertThat(count).isEqualTo(n);
        items.clear();
    }

    /** An object big enough to notice and small enough to make by the hundred. */
    private static final class Payload {
        final int value;
        final byte[] ballast = new byte[1024];

        Payload(int value) {
            this.value = value;
        }
    }

    private static Thread thread(String name, List<Throwable> failures, ThrowingRunnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failures.add(e);
            }
        });
        t.setName("stress-" + name);
        t.setDaemon(true);
        return t;
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Remembers every thread the pool makes, to check they are all gone after shutdown(true, ...). */
    static final class RecordingFactory implements ThreadFactory {
        final List<Thread> made = new CopyOnWriteArrayList<>();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r);
            made.add(t);
            return t;
        }
    }
}
