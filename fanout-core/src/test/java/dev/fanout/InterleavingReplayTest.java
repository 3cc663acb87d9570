package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Deterministic replays of the narrowest race windows, the ones the stress tests ({@link PromiseRaceTest},
 * {@link WaitRaceTest}, {@link ShutdownRaceTest}) reach only by luck: a few nanoseconds between reading a future's
 * state and acting on it. On a machine whose cores are busy, two threads seldom run at the same instant and a window
 * that narrow is hit only by a preemption landing inside it; here each interleaving is forced instead.
 *
 * <p>The hook: {@link Promise#addDoneCallback}, {@code Promise.addListener}, {@link Futures#wait} and
 * {@link AsCompleted} all decide through the overridable {@link Promise#isDone()}. {@link SteppedPromise} completes
 * itself inside a chosen call of {@code isDone()}, after reading "not done" and before returning it, exactly as if
 * another thread had completed the future between the caller's check and its next step.
 *
 * <p>Windows replayed, with the transitions on each side:
 *
 * <ul>
 *   <li>{@code addDoneCallback}: the check says PENDING, the future goes FINISHED and its stack DONE, the push fails:
 *       the callback runs at once on the adding thread, exactly once, after the callbacks added before it.
 *   <li>{@code Futures.wait}, each {@link ReturnWhen}: the future finishes (a) between the wait's first look and the
 *       installation of its listener, and (b) between the listener's own check and its push. Either way the wait
 *       counts the completion and returns at once; it never parks for a wake-up that already happened.
 *   <li>{@code asCompleted} and {@link AsCompleted#add}: the same two windows; the future is handed out once.
 *   <li>{@link AsCompleted#add} from another thread while the consumer is parked in {@code next()}: a future that
 *       is done already is handed out at once (it waited for some other future to complete before the fix in
 *       {@code AsCompleted.add}).
 *   <li>{@code map} with a progress listener on a pool with a bounded queue: the caller, holding the map's monitor,
 *       waits for room to submit while the worker runs the progress callback of the task it just finished; the
 *       callback must not wait for that monitor (it did, and both threads waited forever, before the fix in
 *       {@code MapRun}).
 *   <li>{@link ThreadPool}: a task queued while its worker is started but has not taken anything yet (held back by
 *       the thread factory), then {@code shutdown(false, true)}: the task is cancelled and never runs, the shutdown
 *       does not wait for the held worker, and the worker, once let go, takes the wake-up and ends.
 * </ul>
 */
class InterleavingReplayTest {

    /** A promise that runs one step inside a chosen call of {@link #isDone()}, after reading the state. */
    private static final class SteppedPromise<T> extends Promise<T> {
        private int callsLeft;
        private Runnable step;
        private int calls;

        /** Runs {@code step} inside the {@code n}-th call of {@code isDone()} from now (1: the next). */
        SteppedPromise<T> inIsDoneCall(int n, Runnable step) {
            this.callsLeft = n;
            this.step = step;
            return this;
        }

        @Override
        public boolean isDone() {
            boolean done = super.isDone();
            calls++;
            if (step != null && --callsLeft == 0) {
                Runnable s = step;
                step = null;
                s.run();
            }
            return done;
        }

        /** Whether the step ran, so that a replay cannot pass without replaying anything. */
        boolean stepped() {
            return step == null && calls > 0;
        }
    }

    private static void complete(Promise<String> p, ReturnWhen returnWhen) {
        if (returnWhen == ReturnWhen.FIRST_EXCEPTION) {
            p.setException(new IllegalStateException("boom"));
        } else {
            p.setResult("value");
        }
    }

    // ---- addDoneCallback -----------------------------------------------------------------------------------------

    @Test
    void aCallbackAddedWhileTheFutureCompletesRunsOnceAtOnceAfterTheEarlierOnes() {
        SteppedPromise<String> p = new SteppedPromise<>();
        List<String> log = new ArrayList<>();
        p.addDoneCallback(f -> log.add("first " + f.result()));
        p.inIsDoneCall(1, () -> p.setResult("value"));

        p.addDoneCallback(f -> log.add("second " + f.result()));

        assertThat(p.stepped()).isTrue();
        assertThat(log).containsExactly("first value", "second value");
        assertThat(Internals.linkedNodes(p)).isEqualTo(-1);
    }

    @Test
    void aCallbackAddedWhileTheFutureIsCancelledRunsOnceAtOnce() {
        SteppedPromise<String> p = new SteppedPromise<>();
        AtomicInteger runs = new AtomicInteger();
        p.inIsDoneCall(1, () -> assertThat(p.cancel()).isTrue());

        p.addDoneCallback(f -> {
            assertThat(f.isCancelled()).isTrue();
            runs.incrementAndGet();
        });

        assertThat(p.stepped()).isTrue();
        assertThat(runs).hasValue(1);
    }

    // ---- Futures.wait --------------------------------------------------------------------------------------------

    /** The future completes inside the wait's first look at it: the listener's own check then sees it done. */
    @ParameterizedTest
    @EnumSource(ReturnWhen.class)
    void waitCountsAFutureThatCompletesAfterItsFirstLook(ReturnWhen returnWhen) {
        SteppedPromise<String> p = new SteppedPromise<>();
        Promise<String> pending = new Promise<>();
        p.inIsDoneCall(1, () -> complete(p, returnWhen));
        List<Future<String>> fs = returnWhen == ReturnWhen.ALL_COMPLETED ? List.of(p) : List.of(p, pending);

        DoneAndNotDone<String> dn =
                assertTimeoutPreemptively(Duration.ofSeconds(Race.STUCK_SECONDS), () -> Futures.wait(fs, returnWhen));

        assertThat(p.stepped()).isTrue();
        assertThat(dn.done()).containsExactly(p);
        assertThat(Internals.liveNodes(pending))
                .as("listener left on the pending future")
                .isZero();
    }

    /** The future completes inside the listener's own check, so that the listener's push finds the stack DONE. */
    @ParameterizedTest
    @EnumSource(ReturnWhen.class)
    void waitCountsAFutureThatCompletesAsItsListenerIsPushed(ReturnWhen returnWhen) {
        SteppedPromise<String> p = new SteppedPromise<>();
        Promise<String> pending = new Promise<>();
        p.inIsDoneCall(2, () -> complete(p, returnWhen)); // 1: the first look; 2: addListener's check
        List<Future<String>> fs = returnWhen == ReturnWhen.ALL_COMPLETED ? List.of(p) : List.of(p, pending);

        DoneAndNotDone<String> dn =
                assertTimeoutPreemptively(Duration.ofSeconds(Race.STUCK_SECONDS), () -> Futures.wait(fs, returnWhen));

        assertThat(p.stepped()).isTrue();
        assertThat(dn.done()).containsExactly(p);
        assertThat(Internals.liveNodes(pending))
                .as("listener left on the pending future")
                .isZero();
    }

    @Test
    void aTimedWaitCountsAFutureThatCompletesAsItsListenerIsPushed() {
        SteppedPromise<String> p = new SteppedPromise<>();
        p.inIsDoneCall(2, () -> p.setResult("value"));

        DoneAndNotDone<String> dn = assertTimeoutPreemptively(
                Duration.ofSeconds(Race.STUCK_SECONDS), () -> Futures.wait(List.of(p), Race.NEVER));

        assertThat(p.stepped()).isTrue();
        assertThat(dn.notDone()).isEmpty();
    }

    // ---- asCompleted ---------------------------------------------------------------------------------------------

    @Test
    void asCompletedHandsOutOnceAFutureThatCompletesAfterItsFirstLook() {
        SteppedPromise<String> p = new SteppedPromise<>();
        p.inIsDoneCall(1, () -> p.setResult("value"));

        List<Future<String>> yielded = assertTimeoutPreemptively(
                Duration.ofSeconds(Race.STUCK_SECONDS), () -> drain(Futures.asCompleted(List.of(p))));

        assertThat(p.stepped()).isTrue();
        assertThat(yielded).containsExactly(p);
    }

    @Test
    void asCompletedHandsOutOnceAFutureThatCompletesAsItsListenerIsPushed() {
        SteppedPromise<String> p = new SteppedPromise<>();
        p.inIsDoneCall(2, () -> p.setResult("value")); // 1: the first look; 2: addListener's check

        List<Future<String>> yielded = assertTimeoutPreemptively(
                Duration.ofSeconds(Race.STUCK_SECONDS), () -> drain(Futures.asCompleted(List.of(p))));

        assertThat(p.stepped()).isTrue();
        assertThat(yielded).containsExactly(p);
    }

    @Test
    void anAddedFutureThatCompletesAsItsListenerIsPushedIsHandedOutOnce() {
        Promise<String> first = new Promise<>();
        first.setResult("first");
        SteppedPromise<String> p = new SteppedPromise<>();
        p.inIsDoneCall(2, () -> p.cancel()); // 1: add's look; 2: addListener's check
        AsCompleted<String> ac = Futures.asCompleted(List.of(first));
        ac.add(p).add(p);

        List<Future<String>> yielded =
                assertTimeoutPreemptively(Duration.ofSeconds(Race.STUCK_SECONDS), () -> drain(ac));

        assertThat(p.stepped()).isTrue();
        assertThat(yielded).containsExactly(first, p);
    }

    /**
     * A future that is done already, added from another thread while the consumer is parked in {@code next()}
     * waiting for the others: it is handed out at once, not after some other future happens to complete.
     */
    @Test
    @Timeout(60)
    void aDoneFutureAddedWhileTheConsumerWaitsInNextIsHandedOutAtOnce() throws Exception {
        Promise<String> keeper = new Promise<>();
        Promise<String> done = new Promise<>();
        done.setResult("done");
        AsCompleted<String> ac = Futures.asCompleted(List.of(keeper));
        Iterator<Future<String>> it = ac.iterator();
        CompletableFuture<Future<String>> next = new CompletableFuture<>();
        Thread consumer = new Thread(
                () -> {
                    try {
                        next.complete(it.next());
                    } catch (Throwable t) {
                        next.completeExceptionally(t);
                    }
                },
                "consumer");
        consumer.setDaemon(true);
        consumer.start();
        try {
            await().atMost(Duration.ofSeconds(Race.STUCK_SECONDS))
                    .until(() -> consumer.getState() == Thread.State.WAITING);

            ac.add(done);

            assertThat(next.get(Race.STUCK_SECONDS, TimeUnit.SECONDS))
                    .as("handed out while the keeper is still pending")
                    .isSameAs(done);
            assertThat(keeper.isDone()).isFalse();
        } finally {
            keeper.setResult("keeper"); // lets a consumer stuck in next() go
        }
        assertThat(it.next()).isSameAs(keeper);
        assertThat(it.hasNext()).isFalse();
    }

    private static List<Future<String>> drain(Iterable<Future<String>> futures) {
        List<Future<String>> yielded = new ArrayList<>();
        futures.forEach(yielded::add);
        return yielded;
    }

    // ---- map's progress callback against a caller blocked for room in a bounded queue ---------------------------

    /**
     * The caller of {@code map} submits while holding the map's monitor, and on a pool with a bounded queue that
     * waits for a worker to take a task; the worker first runs the progress callback of the task it just finished.
     * That callback must not need the map's monitor, or neither thread ever moves again.
     */
    @Test
    @Timeout(60)
    void aProgressCallbackOnTheWorkerDoesNotWaitForACallerBlockedOnAFullQueue() throws Exception {
        CountDownLatch firstTask = new CountDownLatch(1);
        List<String> reports = new ArrayList<>();
        MapOptions options = MapOptions.defaults().progress((done, total) -> {
            synchronized (reports) {
                reports.add(done + "/" + total);
            }
        });
        List<Integer> items = List.of(0, 1, 2, 3, 4);
        try (ThreadPool pool = ThreadPool.builder().maxWorkers(1).maxPending(1).build()) {
            CompletableFuture<List<Integer>> results = new CompletableFuture<>();
            Thread caller = new Thread(
                    () -> {
                        try {
                            results.complete(pool.map(
                                            (Integer i) -> {
                                                if (i == 0 && !firstTask.await(Race.STUCK_SECONDS, TimeUnit.SECONDS)) {
                                                    throw new IllegalStateException("never let go");
                                                }
                                                return i * 10;
                                            },
                                            items,
                                            options)
                                    .toList());
                        } catch (Throwable t) {
                            results.completeExceptionally(t);
                        }
                    },
                    "map-caller");
            caller.setDaemon(true);
            caller.start();
            try {
                // Task 0 runs and holds the only worker, task 1 fills the queue, and the call waits to submit task 2.
                await().atMost(Duration.ofSeconds(Race.STUCK_SECONDS))
                        .until(() -> caller.getState() == Thread.State.WAITING);
                firstTask.countDown(); // task 0 finishes: its progress callback runs on the worker

                assertThat(results.get(Race.STUCK_SECONDS, TimeUnit.SECONDS)).containsExactly(0, 10, 20, 30, 40);
            } finally {
                firstTask.countDown();
                // Should the two be deadlocked, interrupting the caller's wait for room is the only way out; without
                // it the pool's close, and the JVM's exit after it, would wait forever.
                caller.interrupt();
                caller.join(TimeUnit.SECONDS.toMillis(Race.STUCK_SECONDS));
            }
        }
        synchronized (reports) {
            assertThat(reports).last().isEqualTo("5/5");
        }
    }

    // ---- ThreadPool: a task queued while its worker starts -------------------------------------------------------

    @Test
    @Timeout(60)
    void aTaskQueuedWhileItsWorkerStartsIsCancelledByShutdownAndNeverRuns() throws Exception {
        CountDownLatch letWorkersGo = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        ThreadPool pool = ThreadPool.builder()
                .maxWorkers(1)
                .threadFactory(r -> new Thread(() -> {
                    try {
                        if (letWorkersGo.await(Race.STUCK_SECONDS, TimeUnit.SECONDS)) {
                            r.run();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }))
                .build();
        try {
            Future<Integer> task = pool.submit(() -> ran.incrementAndGet());
            assertThat(task.isRunning()).isFalse();

            pool.shutdown(false, true); // returns although the worker has not even started its loop

            assertThat(task.isCancelled()).isTrue();
            letWorkersGo.countDown();
            pool.close();
            assertThat(ran).hasValue(0);
        } finally {
            letWorkersGo.countDown();
            pool.close();
        }
    }
}
