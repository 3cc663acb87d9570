package dev.fanout.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.BrokenThreadPoolException;
import dev.fanout.Future;
import dev.fanout.Promise;
import dev.fanout.ThreadPool;
import dev.fanout.testing.LogCapture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults injected into the pool, one per test, each with its documented outcome (in the test's Javadoc, and in
 * RELIABILITY.md) asserted. What every test also checks: nothing hangs (each test has a time limit, and every wait in
 * it is bounded), the pool keeps running the tasks it accepted, and {@code shutdown(true, false)} returns.
 */
@Tag("faults")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FaultInjectionTest {
    private static final Duration LONG = Duration.ofSeconds(30);

    private final List<ThreadPool> pools = new ArrayList<>();
    private final List<CountDownLatch> gates = new ArrayList<>();

    @RegisterExtension
    final LogCapture log = new LogCapture();

    @AfterEach
    void releaseEverything() {
        gates.forEach(CountDownLatch::countDown);
        pools.forEach(p -> p.shutdown(true, false));
    }

    private ThreadPool pool(ThreadPool.Builder builder) {
        ThreadPool p = builder.build();
        pools.add(p);
        return p;
    }

    private CountDownLatch gate() {
        CountDownLatch g = new CountDownLatch(1);
        gates.add(g);
        return g;
    }

    private static int recurse(int depth) {
        return depth == Integer.MAX_VALUE ? depth : recurse(depth + 1) + 1;
    }

    /**
     * A task that overflows its stack: its future fails with that very {@link StackOverflowError} ({@code result()}
     * rethrows it), and the same worker goes on to run the next task.
     */
    @Test
    void aStackOverflowFailsItsOwnFutureOnly() {
        ThreadPool pool = pool(ThreadPool.builder().maxWorkers(1));
        Future<Integer> overflow = pool.submit(() -> recurse(0));
        Future<String> next = pool.submit(() -> Thread.currentThread().getName());

        assertThat(overflow.exception(LONG)).isInstanceOf(StackOverflowError.class);
        assertThatThrownBy(overflow::result).isSameAs(overflow.exception());
        assertThat(next.result(LONG)).endsWith("_0"); // the one worker survived
    }

    /**
     * A task that throws {@link OutOfMemoryError} (simulated: thrown, not provoked): its future fails with that very
     * error, and the worker survives. The pool does not treat it as fatal: like Python, it reports it to whoever reads
     * the future.
     */
    @Test
    void aSimulatedOutOfMemoryErrorFailsItsOwnFutureOnly() {
        ThreadPool pool = pool(ThreadPool.builder().maxWorkers(1));
        OutOfMemoryError oom = new OutOfMemoryError("simulated");
        Future<Object> failing = pool.submit(() -> {
            throw oom;
        });
        Future<Integer> next = pool.submit(() -> 42);

        assertThatThrownBy(() -> failing.result(LONG)).isSameAs(oom);
        assertThat(failing.isCancelled()).isFalse();
        assertThat(next.result(LONG)).isEqualTo(42);
    }

    /**
     * A worker interrupted from outside while idle: nothing happens to it (an idle worker has nothing to stop), and
     * the next task it runs starts with its interrupt flag cleared.
     */
    @Test
    void anIdleWorkerInterruptedFromOutsideKeepsServing() throws Exception {
        AtomicReference<Thread> worker = new AtomicReference<>();
        ThreadPool pool = pool(ThreadPool.builder().maxWorkers(1).threadFactory(r -> {
            Thread t = new Thread(r);
            worker.set(t);
            return t;
        }));
        pool.submit(() -> 1).result(LONG);
        org.awaitility.Awaitility.await().until(() -> worker.get().getState() == Thread.State.WAITING);

        worker.get().interrupt();
        Future<Boolean> next = pool.submit(() -> Thread.currentThread().isInterrupted());

        assertThat(next.result(LONG)).isFalse();
        assertThat(worker.get().isAlive()).isTrue();
    }

    /**
     * A worker interrupted from outside while it runs a task: the interrupt is the task's business (the pool never
     * interrupts, and never swallows an interrupt meant for a task), so a task blocked in {@code sleep} fails with
     * {@link InterruptedException} wrapped in {@link CompletionException}; the worker then clears the flag and runs
     * the next task normally.
     */
    @Test
    void aRunningTaskInterruptedFromOutsideFailsAndTheWorkerGoesOn() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Thread> runner = new AtomicReference<>();
        ThreadPool pool = pool(ThreadPool.builder().maxWorkers(1));
        CountDownLatch never = gate();
        Future<Object> sleeper = pool.submit(() -> {
            runner.set(Thread.currentThread());
            started.countDown();
            never.await(); // blocks until interrupted
            return "not interrupted";
        });
        Future<Boolean> next = pool.submit(() -> Thread.currentThread().isInterrupted());
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

        runner.get().interrupt();

        assertThatThrownBy(() -> sleeper.result(LONG))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(next.result(LONG)).isFalse();
    }

    /**
     * An initializer that fails only in the third worker: the pool is broken from then on. The tasks already
     * running on the first two workers finish normally; the tasks still queued fail with
     * {@link BrokenThreadPoolException} whose cause is the initializer's exception; every later {@code submit} throws
     * it; {@code shutdown(true, false)} returns and every worker is gone.
     */
    @Test
    void anInitializerFailingInTheThirdWorkerBreaksThePoolCleanly() throws Exception {
        AtomicInteger inits = new AtomicInteger();
        IllegalStateException initFailure = new IllegalStateException("third worker cannot start");
        List<Thread> made = new CopyOnWriteArrayList<>();
        ThreadPool pool = pool(ThreadPool.builder()
                .maxWorkers(3)
                .threadFactory(r -> {
                    Thread t = new Thread(r);
                    made.add(t);
                    return t;
                })
                .initializer(() -> {
                    if (inits.incrementAndGet() == 3) {
                        throw initFailure;
                    }
                }));
        CountDownLatch release = gate();
        CountDownLatch twoRunning = new CountDownLatch(2);
        Future<String> first = pool.submit(() -> {
            twoRunning.countDown();
            release.await();
            return "first";
        });
        Future<String> second = pool.submit(() -> {
            twoRunning.countDown();
            release.await();
            return "second";
        });
        assertThat(twoRunning.await(30, TimeUnit.SECONDS)).isTrue();

        Future<String> queued = pool.submit(() -> "never runs"); // starts the third worker, whose initializer fails

        assertThatThrownBy(() -> queued.result(LONG))
                .isInstanceOf(BrokenThreadPoolException.class)
                .hasCause(initFailure);
        assertThatThrownBy(() -> pool.submit(() -> "later")).isInstanceOf(BrokenThreadPoolException.class);
        release.countDown();
        assertThat(first.result(LONG)).isEqualTo("first");
        assertThat(second.result(LONG)).isEqualTo("second");
        pool.shutdown(true, false);
        assertThat(made).hasSize(3).noneMatch(Thread::isAlive);
    }

    /**
     * Callbacks that throw (an exception, and an {@link Error}): each is logged at ERROR on {@code dev.fanout} with
     * {@code exception calling callback for}, the later callbacks still run, the future keeps its result, and the
     * worker that ran them goes on.
     */
    @Test
    void throwingCallbacksAreLoggedAndTheRestStillRun() {
        ThreadPool pool = pool(ThreadPool.builder().maxWorkers(1));
        CountDownLatch hold = gate();
        List<String> ran = new CopyOnWriteArrayList<>();
        Future<Integer> f = pool.submit(() -> {
            hold.await();
            return 1;
        });
        f.addDoneCallback(done -> {
            ran.add("first");
            throw new IllegalArgumentException("callback fails");
        });
        f.addDoneCallback(done -> {
            ran.add("second");
            throw new StackOverflowError("callback overflows");
        });
        f.addDoneCallback(done -> ran.add("third"));
        hold.countDown();

        assertThat(f.result(LONG)).isEqualTo(1);
        assertThat(pool.submit(() -> 2).result(LONG)).isEqualTo(2); // ran after every callback, on the same worker
        assertThat(ran).containsExactly("first", "second", "third");
        assertThat(log.records())
                .filteredOn(r -> r.getLevel() == Level.SEVERE)
                .extracting(r -> r.getThrown().getClass().getSimpleName())
                .containsExactly("IllegalArgumentException", "StackOverflowError");
        assertThat(log.records()).allMatch(r -> r.getMessage().contains("exception calling callback for"));
    }

    /**
     * A {@link ThreadFactory} that cannot make a thread, while the pool has no worker: {@code submit} throws
     * {@link RejectedExecutionException} whose cause is the factory's failure, and the task is not queued (it never
     * runs later). The pool stays usable: a later submit asks the factory again.
     */
    @Test
    void aThreadFactoryThatFailsRejectsTheSubmitAndThePoolRecovers() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        IllegalStateException noThread = new IllegalStateException("no threads today");
        ThreadPool pool = pool(ThreadPool.builder().maxWorkers(2).threadFactory(r -> {
            if (calls.incrementAndGet() == 1) {
                throw noThread;
            }
            return new Thread(r);
        }));

        assertThatThrownBy(() -> pool.submit(ran::incrementAndGet))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("cannot start a worker thread")
                .hasCause(noThread);
        assertThat(pool.submit(() -> "second try").result(LONG)).isEqualTo("second try");
        pool.shutdown(true, false);
        assertThat(ran.get()).isZero();
    }

    /**
     * A thread whose {@code start()} fails as the JVM's does when no native thread can be had
     * ({@code OutOfMemoryError: unable to create native thread}), and a factory that returns {@code null}: both are
     * treated as a factory that cannot make a thread, as above.
     */
    @Test
    void aThreadThatCannotStartOrANullThreadIsAFactoryFailure() {
        ThreadPool cannotStart = pool(ThreadPool.builder().maxWorkers(1).threadFactory(r -> new Thread(r) {
            @Override
            public synchronized void start() {
                throw new OutOfMemoryError("unable to create native thread: possibly out of memory");
            }
        }));
        assertThatThrownBy(() -> cannotStart.submit(() -> 1))
                .isInstanceOf(RejectedExecutionException.class)
                .hasCauseInstanceOf(OutOfMemoryError.class);

        ThreadPool nullThreads = pool(ThreadPool.builder().maxWorkers(1).threadFactory(r -> null));
        assertThatThrownBy(() -> nullThreads.submit(() -> 1))
                .isInstanceOf(RejectedExecutionException.class)
                .hasRootCauseMessage("the thread factory returned null");
    }

    /**
     * A factory that fails for the second worker while the first lives: {@code submit} succeeds, and the task waits for
     * the worker there is; nothing is lost, the pool just runs with fewer threads.
     */
    @Test
    void aFactoryFailingForALaterWorkerLeavesTheTaskToTheWorkersThereAre() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ThreadPool pool = pool(ThreadPool.builder().maxWorkers(3).threadFactory(r -> {
            if (calls.incrementAndGet() > 1) {
                throw new IllegalStateException("only one thread");
            }
            return new Thread(r);
        }));
        CountDownLatch hold = gate();
        CountDownLatch running = new CountDownLatch(1);
        Future<String> busy = pool.submit(() -> {
            running.countDown();
            hold.await();
            return "busy";
        });
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();

        Future<String> waiting = pool.submit(() -> "waited for the one worker");
        assertThat(waiting.isDone()).isFalse();
        hold.countDown();

        assertThat(busy.result(LONG)).isEqualTo("busy");
        assertThat(waiting.result(LONG)).isEqualTo("waited for the one worker");
    }

    /**
     * {@code submit} from inside a task: accepted, and run by the pool; with one worker the inner task runs after the
     * outer one returns (waiting for it inside the outer task would deadlock, as in Python — do not).
     */
    @Test
    void submitFromInsideATaskRuns() {
        ThreadPool pool = pool(ThreadPool.builder().maxWorkers(1));
        Future<Future<String>> outer = pool.submit(() -> pool.submit(() -> "inner"));

        assertThat(outer.result(LONG).result(LONG)).isEqualTo("inner");
    }

    /**
     * {@code submit} from a callback: while the pool runs, accepted; once the pool is shut down (here the callback is
     * run by {@code shutdown(cancelFutures=true)} cancelling its future), refused with
     * {@link RejectedExecutionException}, which the callback sees — if it lets it escape, it is logged like any
     * failing callback, and shutdown goes on.
     */
    @Test
    void submitFromACallbackRunsOrIsRefusedAfterShutdown() throws Exception {
        ThreadPool pool = pool(ThreadPool.builder().maxWorkers(1));
        AtomicReference<Future<String>> chained = new AtomicReference<>();
        pool.submit(() -> 1).addDoneCallback(done -> chained.set(pool.submit(() -> "chained")));
        org.awaitility.Awaitility.await().until(() -> chained.get() != null);
        assertThat(chained.get().result(LONG)).isEqualTo("chained");

        CountDownLatch hold = gate();
        CountDownLatch running = new CountDownLatch(1);
        pool.submit(() -> {
            running.countDown();
            hold.await();
            return 0;
        });
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        Future<Integer> queued = pool.submit(() -> 1);
        AtomicReference<Throwable> refused = new AtomicReference<>();
        queued.addDoneCallback(done -> {
            try {
                pool.submit(() -> "too late");
            } catch (RejectedExecutionException e) {
                refused.set(e);
                throw e;
            }
        });

        pool.shutdown(false, true);

        assertThat(queued.isCancelled()).isTrue();
        assertThat(refused.get()).hasMessage("cannot schedule new futures after shutdown");
        assertThat(log.records()).anyMatch(r -> r.getThrown() == refused.get());
        hold.countDown();
        pool.shutdown(true, false);
    }

    /**
     * {@code shutdown} from inside a task: {@code shutdown(true, false)} does not wait for the caller's own worker
     * (no self-deadlock), waits for the others, and the tasks still queued run; later submits are refused. With
     * {@code cancelFutures} the queued tasks are cancelled instead.
     */
    @Test
    void shutdownFromInsideATaskDoesNotWaitForItself() throws Exception {
        ThreadPool pool = pool(ThreadPool.builder().maxWorkers(2));
        CountDownLatch hold = gate();
        CountDownLatch otherRunning = new CountDownLatch(1);
        Future<String> other = pool.submit(() -> {
            otherRunning.countDown();
            hold.await();
            return "other";
        });
        assertThat(otherRunning.await(30, TimeUnit.SECONDS)).isTrue();
        Future<String> stopper = pool.submit(() -> {
            hold.countDown(); // lets the other worker finish, so that waiting for it ends
            pool.shutdown(true, false);
            return "stopped";
        });

        assertThat(stopper.result(LONG)).isEqualTo("stopped");
        assertThat(other.isDone()).isTrue(); // shutdown(wait=true) in the task waited for it
        assertThatThrownBy(() -> pool.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void shutdownWithCancelFromInsideATaskCancelsTheQueuedTasks() throws Exception {
        ThreadPool pool = pool(ThreadPool.builder().maxWorkers(1));
        CountDownLatch submitted = new CountDownLatch(1);
        Future<String> stopper = pool.submit(() -> {
            submitted.await();
            pool.shutdown(true, true);
            return "stopped";
        });
        Future<String> queued = pool.submit(() -> "never");
        submitted.countDown();

        assertThat(stopper.result(LONG)).isEqualTo("stopped");
        assertThat(queued.isCancelled()).isTrue();
        assertThatThrownBy(queued::result).isInstanceOf(CancellationException.class);
    }

    /**
     * Regression: a pool's future completed by hand through the {@link Promise} API while its task was still queued.
     * The worker's {@code setRunningOrNotifyCancel()} threw {@link IllegalStateException} out of the worker loop, the
     * worker died, and with it every later task: it was never replaced (the pool counted it as started), so with one
     * worker every later {@code result()} hung. Now the worker skips a task whose future is already done, as it skips
     * a cancelled one, and the future keeps the outcome set by hand.
     */
    @Test
    void aQueuedFutureCompletedByHandIsSkippedAndTheWorkerSurvives() {
        ThreadPool pool = pool(ThreadPool.builder().maxWorkers(1));
        CountDownLatch hold = gate();
        AtomicInteger ran = new AtomicInteger();
        pool.submit(() -> hold.await());
        Future<Integer> queued = pool.submit(ran::incrementAndGet);

        ((Promise<Integer>) queued).setResult(-1);
        hold.countDown();

        assertThat(pool.submit(() -> "after").result(LONG)).isEqualTo("after");
        assertThat(queued.result()).isEqualTo(-1);
        assertThat(ran.get()).isZero();
    }

    /**
     * Regression: a task that calls {@code System.exit}. The JVM ran the shutdown hooks on the exiting worker thread,
     * and the pool's exit hook waited for every worker — including that one, which waited for the hook: the JVM hung
     * for ever. Now the exit hook waits for every other worker (here a task still running finishes first) and skips
     * the one inside {@code Runtime.exit}, so the JVM exits with the task's status.
     */
    @Test
    void aTaskCallingSystemExitEndsTheJvm() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java, "-cp", System.getProperty("java.class.path"), ExitFromTaskMain.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            assertThat(child.waitFor(45, TimeUnit.SECONDS))
                    .as("the JVM hung after System.exit from a task")
                    .isTrue();
            assertThat(child.exitValue()).isEqualTo(3);
        } finally {
            child.destroyForcibly();
        }
    }
}
