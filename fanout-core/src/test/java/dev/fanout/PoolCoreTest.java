package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fanout.testing.LogCapture;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ThreadPool.Core}, white-box. First its thread-per-task mode, on platform threads: {@code virtualThreads()} is
 * the only public way into that mode and needs JDK 21, so on JDK 17 (where CI also runs, and where the mutation run
 * runs) {@code VirtualThreadsTest} skips it; the mode's logic (a thread per task up to maxWorkers, the queue behind
 * them, threads that end once it is empty, the room of a bounded queue) does not depend on the threads being virtual,
 * so it is checked here with platform threads on every JDK. Then what the exit hook relies on, in both modes: the
 * register of live cores, and telling a worker that called {@code System.exit} from one that did not (the exit itself
 * is checked in child JVMs, by {@code ShutdownContractTest} and {@code FaultInjectionTest}).
 */
@Timeout(60)
class PoolCoreTest {
    private static final Duration LONG = Duration.ofSeconds(30);
    /** How long a test waits for something that must happen at once; a mutant that never does it fails after this. */
    private static final Duration SOON = Duration.ofSeconds(10);

    private final CountDownLatch release = new CountDownLatch(1);
    private final List<ThreadPool.Core> cores = new ArrayList<>();

    @AfterEach
    void shutDown() {
        release.countDown();
        cores.forEach(c -> c.shutdown(true, false));
    }

    /** Records the threads it makes, in order. */
    private static final class Recording implements ThreadFactory {
        final List<Thread> made = new CopyOnWriteArrayList<>();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r);
            made.add(t);
            return t;
        }
    }

    private ThreadPool.Core threadPerTask(int maxWorkers, ThreadFactory factory, int maxPending) {
        ThreadPool.Core core = new ThreadPool.Core(
                maxWorkers, "per-task", null, factory, maxPending, ThreadPool.WhenFull.REJECT, true);
        cores.add(core);
        return core;
    }

    @Test
    void eachTaskStartsAThreadUpToMaxWorkersAndTheThreadsRunTheQueueThenEnd() throws Exception {
        Recording threads = new Recording();
        ThreadPool.Core core = threadPerTask(2, threads, 0);
        CountDownLatch bothRunning = new CountDownLatch(2);
        List<Future<String>> blocked = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            blocked.add(core.submit(() -> {
                bothRunning.countDown();
                release.await();
                return Thread.currentThread().getName();
            }));
        }
        assertThat(bothRunning.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(isLive(core))
                .as("registered for the exit hook while its threads run")
                .isTrue();
        List<Future<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            queued.add(core.submit(() -> n));
        }
        assertThat(threads.made).as("no third thread beyond maxWorkers").hasSize(2);
        assertThat(queued).noneMatch(Future::isDone);

        release.countDown();
        assertThat(queued).extracting(f -> f.result(LONG)).containsExactly(0, 1, 2, 3, 4);
        assertThat(blocked).extracting(f -> f.result(LONG)).containsExactlyInAnyOrder("per-task_0", "per-task_1");
        await().atMost(SOON).until(() -> threads.made.stream().noneMatch(Thread::isAlive));
        await().atMost(SOON).until(() -> !isLive(core));

        // The ended threads left the count: the next task gets a thread of its own again, the third ever made.
        assertThat(core.submit(() -> Thread.currentThread().getName()).result(SOON))
                .isEqualTo("per-task_2");
        assertThat(threads.made).hasSize(3);
    }

    /**
     * A bounded queue counts only tasks that wait: a task that got a thread at once gives its place back at once, and
     * a queued one when a thread takes it.
     */
    @Test
    void onlyTasksThatWaitHoldAPlaceInABoundedQueue() throws Exception {
        ThreadPool.Core core = threadPerTask(1, Thread::new, 1);
        CountDownLatch running = new CountDownLatch(1);
        Future<Integer> first = core.submit(() -> {
            running.countDown();
            release.await();
            return 1;
        });
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        Future<Integer> waiting = core.submit(() -> 2); // the running task holds no place: there is room for this one
        assertThatThrownBy(() -> core.submit(() -> 3))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageStartingWith("queue full: 1 tasks already wait");
        release.countDown();
        assertThat(first.result(LONG)).isEqualTo(1);
        assertThat(waiting.result(LONG)).isEqualTo(2);
        // The queued task gave its place back when the thread took it: the queue is empty and has room again.
        assertThat(core.submit(() -> 4).result(SOON)).isEqualTo(4);
    }

    @Test
    void aFactoryThatReturnsNullRefusesTheTaskWithTheReason() {
        ThreadPool.Core core = threadPerTask(2, r -> null, 0);
        assertThatThrownBy(() -> core.submit(() -> 1))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessage("cannot start a worker thread for per-task")
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the thread factory returned null");
    }

    /** With a thread running, a factory that fails queues the task for that thread instead of refusing it. */
    @Test
    void aFactoryThatFailsWhileAThreadRunsQueuesTheTask() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ThreadFactory onlyOnce = r -> {
            if (calls.getAndIncrement() > 0) {
                throw new IllegalStateException("no more threads");
            }
            return new Thread(r);
        };
        ThreadPool.Core core = threadPerTask(2, onlyOnce, 0);
        CountDownLatch running = new CountDownLatch(1);
        core.submit(() -> {
            running.countDown();
            release.await();
            return 1;
        });
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        Future<Integer> queued = core.submit(() -> 2);
        assertThat(calls).hasValue(2);
        assertThat(queued.isDone()).isFalse();
        release.countDown();
        assertThat(queued.result(SOON)).isEqualTo(2);
    }

    /**
     * Something that escapes a task's completion, outside the task (here a log handler that throws while the failure
     * of a callback is logged), ends the thread, which first hands the queue on: the queued task gets a thread of its
     * own and runs, and the thread's uncaught-exception handler gets what escaped.
     */
    @Test
    void aThreadKilledOutsideItsTaskHandsTheQueueOn() throws Exception {
        IllegalStateException handlerFailure = new IllegalStateException("the log handler broke");
        Recording threads = new Recording();
        Logger fanoutLog = Logger.getLogger("dev.fanout");
        Handler throwing = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (threads.made.contains(Thread.currentThread())) { // leave other tests' threads alone
                    throw handlerFailure;
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        ThreadFactory factory = r -> {
            Thread t = threads.newThread(r);
            t.setUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
            return t;
        };
        ThreadPool.Core core = threadPerTask(1, factory, 1);
        CountDownLatch running = new CountDownLatch(1);
        Future<Integer> first = core.submit(() -> {
            running.countDown();
            release.await();
            return 1;
        });
        first.addDoneCallback(f -> {
            throw new IllegalArgumentException("callback failed");
        });
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        Future<Integer> queued = core.submit(() -> 2);
        fanoutLog.addHandler(throwing);
        fanoutLog.setUseParentHandlers(false);
        try {
            release.countDown();
            assertThat(first.result(LONG)).isEqualTo(1);
            assertThat(queued.result(SOON)).isEqualTo(2);
            await().atMost(SOON).until(() -> threads.made.stream().noneMatch(Thread::isAlive));
        } finally {
            fanoutLog.removeHandler(throwing);
            fanoutLog.setUseParentHandlers(true);
        }
        assertThat(uncaught).containsExactly(handlerFailure);
        assertThat(threads.made).extracting(Thread::getName).containsExactly("per-task_0", "per-task_1");
        // The queued task gave its place back when the new thread took it: there is room again.
        assertThat(core.submit(() -> 3).result(SOON)).isEqualTo(3);
    }

    /** The pooled mode registers with the exit hook while a worker lives, and leaves once the last one has ended. */
    @Test
    void aPooledCoreIsLiveFromItsFirstWorkerToTheEndOfItsLast() throws Exception {
        ThreadPool.Core core = new ThreadPool.Core(2, "pooled", null, Thread::new, 0, ThreadPool.WhenFull.BLOCK, false);
        cores.add(core);
        assertThat(isLive(core)).isFalse();
        assertThat(core.submit(() -> 1).result(LONG)).isEqualTo(1);
        assertThat(isLive(core)).isTrue();
        core.shutdown(true, false);
        assertThat(isLive(core)).as("its workers have ended").isFalse();
    }

    /** Whether the exit hook would wait for {@code core}: it is in {@code Core.LIVE}. */
    private static boolean isLive(ThreadPool.Core core) throws ReflectiveOperationException {
        Field live = ThreadPool.Core.class.getDeclaredField("LIVE");
        live.setAccessible(true);
        return ((Set<?>) live.get(null)).contains(core);
    }

    /** The exit hook waits for every worker that is not itself exiting the JVM: a running or parked one is not. */
    @Test
    void aWorkerNotCallingExitIsNotTakenForOneThatIs() throws Exception {
        assertThat(ThreadPool.Core.isExitingTheJvm(Thread.currentThread())).isFalse();
        Thread parked = new Thread(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        parked.start();
        try {
            await().atMost(LONG).until(() -> parked.getState() == Thread.State.WAITING);
            assertThat(ThreadPool.Core.isExitingTheJvm(parked)).isFalse();
        } finally {
            release.countDown();
            parked.join();
        }
    }

    /**
     * Once its only worker has started, a pool's submit takes no lock: it checks the state before and after its add.
     * Racing the worker's initializer as it fails, each submit is refused as broken, or its future fails as broken;
     * none is left pending (the worker that would run it is gone).
     */
    @Test
    void aSubmitWithoutTheLockRacingAFailingInitializerIsNeverLeftPending() throws Exception {
        int rounds = 1_000; // with the check after the add blind to the broken state, this many failed 3 runs in 4
        try (LogCapture logs = LogCapture.started()) {
            for (int round = 0; round < rounds; round++) {
                CountDownLatch failNow = new CountDownLatch(1);
                ThreadPool racing = ThreadPool.builder()
                        .maxWorkers(1)
                        .initializer(() -> {
                            failNow.await();
                            throw new IllegalStateException("initializer failed on purpose");
                        })
                        .build();
                List<Future<Integer>> accepted = new ArrayList<>();
                accepted.add(racing.submit(() -> 1)); // starts the only worker: later submits take no lock
                failNow.countDown();
                int refused = 0;
                for (int i = 0; i < 50; i++) {
                    try {
                        accepted.add(racing.submit(() -> 2));
                    } catch (BrokenThreadPoolException e) {
                        refused++;
                    }
                }
                for (Future<Integer> f : accepted) {
                    assertThat(f.exception(LONG))
                            .as("round %d: %s", round, f)
                            .isInstanceOf(BrokenThreadPoolException.class);
                }
                assertThat(accepted.size() + refused).isEqualTo(51);
                racing.shutdown(true, false);
            }
            assertThat(logs.records()).hasSize(rounds); // one failed initializer a round, each logged once
        }
    }
}
