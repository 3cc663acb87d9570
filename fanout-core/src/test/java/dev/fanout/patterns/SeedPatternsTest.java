package dev.fanout.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fanout.DoneAndNotDone;
import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.MapResults;
import dev.fanout.ReturnWhen;
import dev.fanout.ThreadPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The six usage patterns of the seed tutorial ({@code threadpoolexecutor-usage-patterns.txt}), each written as a
 * Fanout user writes it and asserting the ordering the tutorial demonstrates.
 *
 * <p>The tutorial's tasks sleep a random time; here each task waits at a gate of its own ({@link Gates}) and the test
 * opens the gates in a chosen permutation, each once the previous task has finished (and its callbacks have run,
 * where that matters), so that the completion order is exactly the permutation and every assertion on order is
 * deterministic. The permutations are the orders the tutorial's sample runs printed. No test sleeps: a gate is a
 * latch, and "the main thread is blocked in the pool" is observed as its thread state.
 *
 * <p>Every pool is closed by try-with-resources, and every gate is opened when the test ends, pass or fail, before its
 * pool is closed (a task waits at most {@value #STUCK_SECONDS} s at a gate, so a failing test cannot hang the JVM's
 * exit).
 */
@Timeout(120)
class SeedPatternsTest {
    private static final long STUCK_SECONDS = 30;
    private static final int TASKS = 10;
    private static final List<Integer> INPUT_ORDER =
            IntStream.range(0, TASKS).boxed().toList();

    // The completion orders of the tutorial's sample runs.
    private static final List<Integer> AS_COMPLETED_ORDER = List.of(5, 9, 6, 1, 0, 7, 3, 8, 4, 2);
    private static final List<Integer> CALLBACK_ORDER = List.of(8, 0, 7, 1, 4, 6, 5, 3, 2, 9);
    private static final List<Integer> TWO_CALLBACKS_ORDER = List.of(3, 9, 7, 2, 0, 5, 1, 8, 4, 6);
    private static final List<Integer> WAIT_ORDER = List.of(3, 9, 0, 8, 4, 6, 2, 1, 5, 7);
    private static final List<Integer> CONTEXT_MANAGER_ORDER = List.of(1, 2, 8, 4, 5, 3, 9, 0, 7, 6);
    private static final List<Integer> SHUTDOWN_ORDER = List.of(3, 5, 2, 6, 8, 9, 7, 1, 4, 0);

    // ---- 1. map and wait -----------------------------------------------------------------------------------------

    @Test
    void mapHandsOutResultsInInputOrderWhateverOrderTheTasksFinishIn() throws Exception {
        try (ThreadPool pool = new ThreadPool(TASKS);
                Gates gates = new Gates(TASKS)) {
            MapResults<Integer> results = pool.map(gates::pass, INPUT_ORDER);
            gates.awaitStarted();
            CompletableFuture<Void> releaser = inBackground(() -> gates.openInOrder(AS_COMPLETED_ORDER));

            List<Integer> seen = new ArrayList<>();
            for (int r : results) {
                seen.add(r);
            }

            join(releaser);
            assertThat(gates.finishOrder()).containsExactlyElementsOf(AS_COMPLETED_ORDER);
            assertThat(seen).containsExactlyElementsOf(INPUT_ORDER);
        }
    }

    @Test
    void mapOverTwoInputsZipsThemAndHandsOutResultsInInputOrder() throws Exception {
        try (ThreadPool pool = new ThreadPool(3);
                Gates gates = new Gates(3)) {
            MapResults<String> results = pool.map(
                    (String a, String b) -> {
                        gates.pass(Integer.parseInt(a) - 1);
                        return "('" + a + "', '" + b + "')";
                    },
                    List.of("1", "2", "3"),
                    List.of("a", "b", "c"));
            gates.awaitStarted();
            CompletableFuture<Void> releaser = inBackground(() -> gates.openInOrder(List.of(2, 1, 0)));

            assertThat(results.toList()).containsExactly("('1', 'a')", "('2', 'b')", "('3', 'c')");

            join(releaser);
            assertThat(gates.finishOrder()).containsExactly(2, 1, 0);
        }
    }

    @Test
    void mapOverTwoInputsStopsAtTheShorterEvenIfTheOtherIsEndless() {
        AtomicInteger readFromEndless = new AtomicInteger();
        Iterable<String> endless = () -> Stream.generate(() -> {
                    readFromEndless.incrementAndGet();
                    return "x";
                })
                .iterator();
        try (ThreadPool pool = new ThreadPool(3)) {
            assertThat(pool.map((String a, String b) -> a + b, List.of("1", "2", "3"), endless)
                            .toList())
                    .containsExactly("1x", "2x", "3x");
            assertThat(readFromEndless).as("items read from the endless input").hasValueLessThanOrEqualTo(4);
            assertThat(pool.map((String a, String b) -> a + b, List.of("1", "2", "3", "4"), List.of("a", "b"))
                            .toList())
                    .containsExactly("1a", "2b");
        }
    }

    @Test
    void mapRunsEveryTaskEvenIfNobodyIteratesTheResults() throws Exception {
        int tasks = 5;
        List<Integer> finishOrder;
        try (ThreadPool pool = new ThreadPool(tasks);
                Gates gates = new Gates(tasks)) {
            pool.map(gates::pass, INPUT_ORDER.subList(0, tasks)); // the results are never looked at

            gates.awaitStarted(); // every task was submitted by the call itself, and runs
            gates.openInOrder(List.of(0, 2, 1, 3, 4));
            finishOrder = gates.finishOrder();
        }
        assertThat(finishOrder).containsExactly(0, 2, 1, 3, 4);
    }

    // ---- 2. submit and use as completed --------------------------------------------------------------------------

    @Test
    void asCompletedHandsOutFuturesInTheOrderTheyComplete() throws Exception {
        try (ThreadPool pool = new ThreadPool(TASKS);
                Gates gates = new Gates(TASKS)) {
            List<Future<Integer>> fs = submitAll(pool, gates);
            gates.awaitStarted();

            Iterator<Future<Integer>> completed = Futures.asCompleted(fs).iterator();
            List<Integer> results = new ArrayList<>();
            for (int next : AS_COMPLETED_ORDER) {
                gates.open(next); // only this task can complete now: next() must hand out its future
                Future<Integer> f = completed.next();
                assertThat(f)
                        .as("future handed out after task %d was let go", next)
                        .isSameAs(fs.get(next));
                results.add(f.result());
            }

            assertThat(completed.hasNext()).isFalse();
            assertThat(results).containsExactlyElementsOf(AS_COMPLETED_ORDER);
        }
    }

    // ---- 3. submit and use sequentially --------------------------------------------------------------------------

    @Test
    void iteratingTheFuturesGivesResultsInSubmissionOrderWhateverOrderTheTasksFinishIn() throws Exception {
        try (ThreadPool pool = new ThreadPool(TASKS);
                Gates gates = new Gates(TASKS)) {
            List<Future<Integer>> fs = submitAll(pool, gates);
            gates.awaitStarted();
            CompletableFuture<Void> releaser = inBackground(() -> gates.openInOrder(AS_COMPLETED_ORDER));

            List<Integer> results = new ArrayList<>();
            for (Future<Integer> f : fs) {
                results.add(f.result());
            }

            join(releaser);
            assertThat(gates.finishOrder()).containsExactlyElementsOf(AS_COMPLETED_ORDER);
            assertThat(results).containsExactlyElementsOf(INPUT_ORDER);
        }
    }

    // ---- 4. submit and use a callback ----------------------------------------------------------------------------

    @Test
    void aCallbackPerFutureRunsOnTheWorkerInCompletionOrder() throws Exception {
        Queue<String> printed = new ConcurrentLinkedQueue<>();
        Queue<String> callbackThreads = new ConcurrentLinkedQueue<>();
        CountDownLatch[] calledBack = latches(TASKS);
        try (ThreadPool pool = ThreadPool.builder()
                        .maxWorkers(TASKS)
                        .threadNamePrefix("callbacks")
                        .build();
                Gates gates = new Gates(TASKS)) {
            List<Future<Integer>> fs = submitAll(pool, gates);
            for (Future<Integer> future : fs) {
                future.addDoneCallback(f -> {
                    printed.add(String.valueOf(f.result()));
                    callbackThreads.add(Thread.currentThread().getName());
                    calledBack[f.result()].countDown();
                });
            }
            gates.awaitStarted();

            gates.openInOrder(CALLBACK_ORDER, i -> awaitLatch(calledBack[i], "callback of task " + i));
        }
        assertThat(printed).containsExactlyElementsOf(strings(CALLBACK_ORDER));
        assertThat(callbackThreads).hasSize(TASKS).allMatch(name -> name.startsWith("callbacks_"));
    }

    @Test
    void twoCallbacksPerFutureRunInTheOrderAddedOneFutureAfterTheOther() throws Exception {
        Queue<String> printed = new ConcurrentLinkedQueue<>();
        CountDownLatch[] calledBack = latches(TASKS);
        try (ThreadPool pool = new ThreadPool(TASKS);
                Gates gates = new Gates(TASKS)) {
            List<Future<Integer>> fs = submitAll(pool, gates);
            for (Future<Integer> future : fs) {
                future.addDoneCallback(f -> printed.add("Callback 1: " + f.result()));
                future.addDoneCallback(f -> {
                    printed.add("Callback 2: " + f.result());
                    calledBack[f.result()].countDown();
                });
            }
            gates.awaitStarted();

            gates.openInOrder(TWO_CALLBACKS_ORDER, i -> awaitLatch(calledBack[i], "callbacks of task " + i));
        }
        List<String> expected = new ArrayList<>();
        for (int i : TWO_CALLBACKS_ORDER) {
            expected.add("Callback 1: " + i);
            expected.add("Callback 2: " + i);
        }
        assertThat(printed).containsExactlyElementsOf(expected);
    }

    // ---- 5. submit and wait for all ------------------------------------------------------------------------------

    @Test
    void futuresWaitReturnsOnceEveryTaskIsDone() throws Exception {
        try (ThreadPool pool = new ThreadPool(TASKS);
                Gates gates = new Gates(TASKS)) {
            List<Future<Integer>> fs = submitAll(pool, gates);
            gates.awaitStarted();
            AtomicBoolean waitReturned = new AtomicBoolean();
            CompletableFuture<Void> releaser = inBackground(() -> {
                gates.openInOrder(WAIT_ORDER.subList(0, TASKS - 1));
                assertThat(waitReturned)
                        .as("wait returned with a task unfinished")
                        .isFalse();
                gates.open(WAIT_ORDER.get(TASKS - 1));
            });

            DoneAndNotDone<Integer> dn = Futures.wait(fs);
            waitReturned.set(true);

            assertThat(dn.notDone()).isEmpty();
            assertThat(dn.done()).containsExactlyInAnyOrderElementsOf(fs);
            assertThat(gates.finishOrder()).containsExactlyElementsOf(WAIT_ORDER);
            join(releaser);
        }
    }

    @Test
    void closingThePoolWithTryWithResourcesWaitsForEveryTask() throws Exception {
        Thread main = Thread.currentThread();
        List<Future<Integer>> fs;
        CompletableFuture<Void> releaser;
        try (Gates gates = new Gates(TASKS)) {
            try (ThreadPool pool = new ThreadPool(TASKS)) {
                fs = submitAll(pool, gates);
                gates.awaitStarted();
                releaser = inBackground(() -> {
                    awaitBlocked(main); // in close(): only now let the tasks finish
                    gates.openInOrder(CONTEXT_MANAGER_ORDER);
                });
            } // close() = shutdown(true, false)

            assertThat(fs).allMatch(Future::isDone);
            assertThat(gates.finishOrder()).containsExactlyElementsOf(CONTEXT_MANAGER_ORDER);
            join(releaser);
        }
    }

    @Test
    void anExplicitShutdownWaitsForEveryTask() throws Exception {
        Thread main = Thread.currentThread();
        try (Gates gates = new Gates(TASKS);
                ThreadPool pool = new ThreadPool(TASKS)) {
            List<Future<Integer>> fs = submitAll(pool, gates);
            gates.awaitStarted();
            CompletableFuture<Void> releaser = inBackground(() -> {
                awaitBlocked(main); // in shutdown(): only now let the tasks finish
                gates.openInOrder(SHUTDOWN_ORDER);
            });

            pool.shutdown();

            assertThat(fs).allMatch(Future::isDone);
            assertThat(gates.finishOrder()).containsExactlyElementsOf(SHUTDOWN_ORDER);
            assertThat(pool.isShutdown()).isTrue();
            join(releaser);
        }
    }

    // ---- 6. submit and wait for first ----------------------------------------------------------------------------

    @Test
    void waitForTheFirstThenShutDownWithoutWaitingCancellingWhatHasNotStarted() throws Exception {
        int workers = 3;
        Thread main = Thread.currentThread();
        try (ThreadPool pool = new ThreadPool(workers);
                Gates gates = new Gates(TASKS, workers)) {
            List<Future<Integer>> fs = submitAll(pool, gates);
            gates.awaitStarted();
            assertThat(fs.subList(0, workers)).allMatch(Future::isRunning);
            assertThat(fs.subList(workers, TASKS)).noneMatch(f -> f.isRunning() || f.isDone());
            CompletableFuture<Void> releaser = inBackground(() -> {
                awaitBlocked(main); // in wait()
                gates.open(1);
            });

            DoneAndNotDone<Integer> dn = Futures.wait(fs, ReturnWhen.FIRST_COMPLETED);

            join(releaser);
            assertThat(dn.done()).containsExactly(fs.get(1));
            assertThat(dn.notDone()).hasSize(TASKS - 1).doesNotContain(fs.get(1));
            assertThat(dn.done().iterator().next().result()).isEqualTo(1);
            // The worker that ran task 1 takes the next task in the queue, task 3; wait for it, so that exactly the
            // tasks 4 to 9 are still queued when the pool shuts down.
            gates.awaitStarted(workers);
            List<Future<Integer>> running = List.of(fs.get(0), fs.get(2), fs.get(workers));
            List<Future<Integer>> queued = fs.subList(workers + 1, TASKS);
            assertThat(running).allMatch(Future::isRunning);
            assertThat(queued).noneMatch(f -> f.isRunning() || f.isDone());

            pool.shutdown(false, true); // wait=False, cancel_futures=True

            assertThat(pool.isShutdown()).isTrue();
            assertThat(running)
                    .as("shutdown(false, true) did not wait for the running tasks")
                    .allMatch(Future::isRunning);
            assertThat(queued)
                    .as("queued tasks, cancelled by shutdown(false, true)")
                    .allMatch(Future::isCancelled);
            assertThatThrownBy(() -> pool.submit(() -> -1))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessage("cannot schedule new futures after shutdown");

            // The tasks already running go on in the background and finish normally.
            gates.openInOrder(List.of(2, workers, 0));
            assertThat(running).extracting(Future::result).containsExactly(0, 2, workers);
            assertThat(gates.finishOrder()).containsExactly(1, 2, workers, 0);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static List<Future<Integer>> submitAll(ThreadPool pool, Gates gates) {
        return IntStream.range(0, TASKS)
                .mapToObj(i -> pool.submit(() -> gates.pass(i)))
                .toList();
    }

    /** Waits until {@code thread} is blocked (parked or joining), as the main thread is inside a wait or a close. */
    private static void awaitBlocked(Thread thread) {
        await().atMost(Duration.ofSeconds(STUCK_SECONDS)).until(() -> thread.getState() == Thread.State.WAITING);
    }

    private static void awaitLatch(CountDownLatch latch, String what) throws InterruptedException {
        assertThat(latch.await(STUCK_SECONDS, TimeUnit.SECONDS)).as(what).isTrue();
    }

    private static CountDownLatch[] latches(int n) {
        CountDownLatch[] latches = new CountDownLatch[n];
        for (int i = 0; i < n; i++) {
            latches[i] = new CountDownLatch(1);
        }
        return latches;
    }

    private static List<String> strings(List<Integer> ints) {
        return ints.stream().map(String::valueOf).toList();
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    @FunctionalInterface
    private interface AfterOpening {
        void await(int task) throws Exception;
    }

    /** Runs {@code step} on a thread of its own; {@link #join} rethrows what it threw. */
    private static CompletableFuture<Void> inBackground(Step step) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try {
                        step.run();
                        done.complete(null);
                    } catch (Throwable e) {
                        done.completeExceptionally(e);
                    }
                },
                "gate-opener");
        t.setDaemon(true);
        t.start();
        return done;
    }

    private static void join(CompletableFuture<Void> background) throws Exception {
        background.get(STUCK_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * One gate per task: task {@code i} ({@link #pass}) tells that it started, waits until gate {@code i} opens, then
     * records that it finished. The test opens the gates; {@link #close()} opens them all.
     */
    private static final class Gates implements AutoCloseable {
        private final CountDownLatch[] gates;
        private final CountDownLatch[] finished;
        private final CountDownLatch[] startedOne;
        private final CountDownLatch started;
        private final Queue<Integer> finishOrder = new ConcurrentLinkedQueue<>();

        /** Gates for {@code tasks} tasks, all of which start at once. */
        Gates(int tasks) {
            this(tasks, tasks);
        }

        /** Gates for {@code tasks} tasks, of which {@code starts} start at once (the others wait in the queue). */
        Gates(int tasks, int starts) {
            gates = latches(tasks);
            finished = latches(tasks);
            startedOne = latches(tasks);
            started = new CountDownLatch(starts);
        }

        /** The task body: waits at gate {@code i}, returns {@code i}. */
        int pass(int i) throws InterruptedException {
            startedOne[i].countDown();
            started.countDown();
            if (!gates[i].await(STUCK_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("gate " + i + " never opened");
            }
            finishOrder.add(i);
            finished[i].countDown();
            return i;
        }

        /** Waits until as many tasks have started as the gates were made for. */
        void awaitStarted() throws InterruptedException {
            awaitLatch(started, "tasks started");
        }

        /** Waits until task {@code i} has started. */
        void awaitStarted(int i) throws InterruptedException {
            awaitLatch(startedOne[i], "task " + i + " started");
        }

        void open(int i) {
            gates[i].countDown();
        }

        /** Opens the gates in {@code order}, each once the task before has finished. */
        void openInOrder(List<Integer> order) throws Exception {
            openInOrder(order, i -> {});
        }

        /** Opens the gates in {@code order}, each once the task before has finished and {@code after} returned. */
        void openInOrder(List<Integer> order, AfterOpening after) throws Exception {
            for (int i : order) {
                open(i);
                awaitLatch(finished[i], "task " + i + " finished");
                after.await(i);
            }
        }

        List<Integer> finishOrder() {
            return List.copyOf(finishOrder);
        }

        @Override
        public void close() {
            for (CountDownLatch gate : gates) {
                gate.countDown();
            }
        }
    }
}
