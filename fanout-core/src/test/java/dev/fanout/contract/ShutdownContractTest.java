package dev.fanout.contract;

import static dev.fanout.contract.PoolTestSupport.await;
import static dev.fanout.contract.PoolTestSupport.inNewThread;
import static dev.fanout.contract.PoolTestSupport.runJava;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.fanout.Future;
import dev.fanout.FutureTimeoutException;
import dev.fanout.ThreadPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * API.md, {@code Executor.shutdown}/{@code close} and the last bullet of {@code ThreadPool}: what shutting down waits
 * for, what it cancels, and that a program that never shuts its pool down still finishes its tasks and exits.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ShutdownContractTest {
    /** Long enough that a call which should block is seen blocking; short enough to keep the suite quick. */
    private static final Duration BLOCKED = Duration.ofMillis(200);

    @Test
    void shutdownWaitsForRunningAndQueuedTasks() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        List<Future<Integer>> fs = new ArrayList<>();
        try (ThreadPool pool = new ThreadPool(1)) {
            CompletableFuture<Void> shutdown;
            try {
                fs.add(pool.submit(() -> {
                    started.countDown();
                    await(release);
                    return finished.incrementAndGet();
                }));
                for (int i = 0; i < 5; i++) {
                    fs.add(pool.submit(finished::incrementAndGet));
                }
                await(started);
                shutdown = inNewThread("shutdown", pool::shutdown);
                assertBlocked(shutdown);
                assertThat(pool.isShutdown()).isTrue();
                assertThat(finished).hasValue(0);
            } finally {
                release.countDown();
            }
            shutdown.get(10, TimeUnit.SECONDS);
            // when shutdown() returns, every task has run, the queued ones too
            assertThat(finished).hasValue(6);
            assertThat(fs).allSatisfy(f -> assertThat(f.isDone()).isTrue());
        }
        assertThat(fs.stream().map(Future::result)).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void shutdownNoWaitCancelFuturesCancelsEveryQueuedTaskBeforeReturningAndDoesNotWait() throws Exception {
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ranQueued = new AtomicInteger();
        try (ThreadPool pool = new ThreadPool(2)) {
            List<Future<String>> running = new ArrayList<>();
            List<Future<Integer>> queued = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    running.add(pool.submit(() -> {
                        started.countDown();
                        await(release);
                        return "ran";
                    }));
                }
                for (int i = 0; i < 20; i++) {
                    queued.add(pool.submit(ranQueued::incrementAndGet));
                }
                await(started);

                assertTimeoutPreemptively(Duration.ofSeconds(10), () -> pool.shutdown(false, true));

                // returned while the running tasks still run; everything queued is cancelled already
                assertThat(running).allSatisfy(f -> assertThat(f.isRunning()).isTrue());
                assertThat(queued).allSatisfy(f -> assertThat(f.isCancelled()).isTrue());
                assertThat(pool.isShutdown()).isTrue();
            } finally {
                release.countDown();
            }
            for (Future<String> f : running) {
                assertThat(f.result()).isEqualTo("ran");
            }
        }
        assertThat(ranQueued).hasValue(0);
    }

    @Test
    void shutdownWaitCancelFuturesCancelsQueuedTasksAndWaitsForRunningOnes() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean runningFinished = new AtomicBoolean();
        try (ThreadPool pool = new ThreadPool(1)) {
            Future<Void> running;
            List<Future<Void>> queued = new ArrayList<>();
            CompletableFuture<Void> shutdown;
            try {
                running = pool.submit(() -> {
                    started.countDown();
                    await(release);
                    runningFinished.set(true);
                });
                for (int i = 0; i < 5; i++) {
                    queued.add(pool.submit(() -> {}));
                }
                await(started);
                shutdown = inNewThread("shutdown", () -> pool.shutdown(true, true));
                assertBlocked(shutdown);
                assertThat(queued).allSatisfy(f -> assertThat(f.isCancelled()).isTrue());
            } finally {
                release.countDown();
            }
            shutdown.get(10, TimeUnit.SECONDS);
            assertThat(runningFinished).isTrue();
            assertThat(running.isDone()).isTrue();
            assertThat(running.isCancelled()).isFalse();
        }
    }

    @Test
    void shutdownTwiceOrMoreIsSafe() throws Exception {
        try (ThreadPool pool = new ThreadPool(2)) {
            Future<Integer> f = pool.submit(() -> 1);
            pool.shutdown();
            pool.shutdown();
            pool.shutdown(false, true);
            pool.shutdown(true, true);
            closeExplicitly(pool);
            assertThat(pool.isShutdown()).isTrue();
            assertThat(f.result()).isEqualTo(1);
        } // and close() once more
    }

    private static void closeExplicitly(AutoCloseable resource) throws Exception {
        resource.close();
    }

    @Test
    void isShutdownTurnsTrueAtShutdown() {
        try (ThreadPool pool = new ThreadPool(2)) {
            assertThat(pool.isShutdown()).isFalse();
            pool.submit(() -> 1).result();
            assertThat(pool.isShutdown()).isFalse();
            pool.shutdown(false, false);
            assertThat(pool.isShutdown()).isTrue();
        }
        ThreadPool unused = new ThreadPool(1);
        unused.close();
        assertThat(unused.isShutdown()).isTrue();
    }

    @Test
    void closeViaTryWithResourcesWaitsForAllTasks() {
        AtomicInteger finished = new AtomicInteger();
        List<Future<Integer>> fs = new ArrayList<>();
        try (ThreadPool pool = new ThreadPool(2)) {
            for (int i = 0; i < 10; i++) {
                fs.add(pool.submit(() -> {
                    Thread.sleep(10); // simulated work, so that tasks are still queued at close()
                    return finished.incrementAndGet();
                }));
            }
        }
        assertThat(finished).hasValue(10);
        assertThat(fs).allSatisfy(f -> assertThat(f.isDone()).isTrue());
        assertThat(fs).noneSatisfy(f -> assertThat(f.isCancelled()).isTrue());
    }

    @Test
    void shutdownWithWaitFromInsideATaskDoesNotDeadlock() throws Exception {
        CountDownLatch otherStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPool pool = new ThreadPool(2)) {
            Future<Void> other;
            Future<Boolean> shutter;
            try {
                other = pool.submit(() -> {
                    otherStarted.countDown();
                    await(release);
                });
                await(otherStarted);
                shutter = pool.submit(() -> {
                    pool.shutdown(); // waits for the other worker, never for its own
                    return other.isDone();
                });
                // the shutting task waits for the other one to finish
                assertThatThrownBy(() -> shutter.result(BLOCKED)).isInstanceOf(FutureTimeoutException.class);
            } finally {
                release.countDown();
            }
            assertThat(shutter.result(Duration.ofSeconds(10))).isTrue();
            assertThat(pool.isShutdown()).isTrue();
            assertThatThrownBy(() -> pool.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
        }
    }

    @Test
    void shutdownWithWaitFromTheOnlyWorkerDoesNotDeadlock() {
        try (ThreadPool pool = new ThreadPool(1)) {
            Future<String> f = pool.submit(() -> {
                pool.shutdown(true, false);
                return "shut down from inside";
            });
            assertThat(f.result(Duration.ofSeconds(10))).isEqualTo("shut down from inside");
        }
    }

    @Test
    void shutdownCancelFuturesWakesThreadsWaitingOnTheCancelledFutures() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPool pool = new ThreadPool(1)) {
            try {
                pool.submit(() -> {
                    started.countDown();
                    await(release);
                });
                Future<String> queued = pool.submit(() -> "never");
                await(started);
                CountDownLatch waiting = new CountDownLatch(1);
                CompletableFuture<Void> waiter = inNewThread("waiter", () -> {
                    waiting.countDown();
                    queued.result();
                });
                await(waiting);
                assertBlocked(waiter);

                pool.shutdown(false, true);

                // woken at once, while the running task still holds the only worker
                Throwable woken = waiter.handle((ok, e) -> e).get(10, TimeUnit.SECONDS);
                assertThat(woken).isInstanceOf(CancellationException.class);
                assertThat(queued.isCancelled()).isTrue();
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void aProgramWhoseMainReturnsWithoutShutdownRunsEveryTaskThenExits() throws Exception {
        PoolTestSupport.ChildResult child = runJava(UnclosedPoolMain.class, Duration.ofSeconds(30), "never-shut-down");

        assertThat(child.stderr()).isEmpty();
        assertThat(child.exitCode()).isZero();
        assertThat(child.lines())
                .containsExactlyInAnyOrder("main returns", "task 0", "task 1", "task 2", "task 3", "task 4");
        assertThat(child.lines().get(0))
                .as("main returned before the tasks finished")
                .isEqualTo("main returns");
    }

    /** Asserts that {@code call} is still blocked a moment later. */
    private static void assertBlocked(CompletableFuture<Void> call) {
        assertThatThrownBy(() -> call.get(BLOCKED.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(TimeoutException.class);
    }
}
