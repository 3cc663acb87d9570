package dev.fanout.contract;

import static dev.fanout.contract.PoolTestSupport.concurrentSet;
import static dev.fanout.contract.PoolTestSupport.liveThreads;
import static dev.fanout.contract.PoolTestSupport.runJava;
import static dev.fanout.contract.PoolTestSupport.uniquePrefix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.fanout.Future;
import dev.fanout.MapResults;
import dev.fanout.ThreadPool;
import dev.fanout.contract.PoolTestSupport.ChildResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A port of CPython's {@code Lib/test/test_concurrent_futures/test_shutdown.py} for the thread pool
 * ({@code ExecutorShutdownTest} as {@code ThreadPoolShutdownTest} runs it, {@code worker_count = 5}). The cases that
 * run a Python interpreter with {@code assert_python_ok} run a child JVM on {@link UnclosedPoolMain}; sleeps of a
 * second there are cut to 100-300 ms. Python joins {@code executor._threads}; this port joins the worker threads its
 * tasks ran on, or the live threads named with the pool's prefix.
 *
 * <p>Not ported:
 *
 * <ul>
 *   <li>{@code ProcessPoolShutdownTest} ({@code test_processes_terminate}, its {@code test_context_manager_shutdown},
 *       {@code test_del_shutdown} and {@code test_shutdown_no_wait}, {@code test_shutdown_gh_132969_case_1/2}):
 *       process-pool only (processes, call queue, manager thread, {@code max_tasks_per_child}).
 *   <li>{@code test_hang_gh94440} runs under {@code signal.alarm}; here JUnit's {@code @Timeout} and
 *       {@code assertTimeoutPreemptively} play that part, nothing else differs.
 * </ul>
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CPythonShutdownTest {
    private static final int WORKER_COUNT = 5;
    private static final Duration CHILD_LIMIT = Duration.ofSeconds(30);

    /** {@code test_run_after_shutdown}: CPython raises {@code RuntimeError}, Fanout the JDK's rejection. */
    @Test
    void testRunAfterShutdown() {
        try (ThreadPool executor = new ThreadPool(WORKER_COUNT)) {
            executor.shutdown();
            assertThatThrownBy(() -> executor.submit(() -> (int) Math.pow(2, 5)))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessage("cannot schedule new futures after shutdown");
        }
    }

    /** {@code test_interpreter_shutdown}: a task left running when main ends still finishes; nothing on stderr. */
    @Test
    void testInterpreterShutdown() throws Exception {
        ChildResult child = runJava(UnclosedPoolMain.class, CHILD_LIMIT, "one-task");
        assertThat(child.stderr()).isEmpty();
        assertThat(child.exitCode()).isZero();
        assertThat(child.stdout().strip()).isEqualTo("apple");
    }

    /**
     * {@code test_submit_after_interpreter_shutdown}: a submit from an exit hook, once the pools are shut down for the
     * exit, is rejected with "cannot schedule new futures after ...". Java runs shutdown hooks concurrently, so the
     * child's hook first waits for the pool to be shut down (CPython's atexit order guarantees that).
     */
    @Test
    void testSubmitAfterInterpreterShutdown() throws Exception {
        ChildResult child = runJava(UnclosedPoolMain.class, CHILD_LIMIT, "submit-in-exit-hook");
        assertThat(child.exitCode()).isZero();
        assertThat(child.stdout().strip()).startsWith("rejected: cannot schedule new futures after");
    }

    /** {@code test_hang_issue12364}: 50 short tasks, then shutdown; every result is there. */
    @Test
    void testHangIssue12364() {
        List<Future<Void>> fs = new ArrayList<>();
        try (ThreadPool executor = new ThreadPool(WORKER_COUNT)) {
            for (int i = 0; i < 50; i++) {
                fs.add(executor.submit(() -> Thread.sleep(10)));
            }
            executor.shutdown();
        }
        for (Future<Void> f : fs) {
            assertThat(f.result(Duration.ZERO)).isNull();
        }
    }

    /**
     * {@code test_cancel_futures}: shutdown with {@code cancelFutures} cancels many of 50 queued sleeps; the others
     * finish without an exception.
     */
    @Test
    void testCancelFutures() {
        List<Future<Void>> fs = new ArrayList<>();
        try (ThreadPool executor = new ThreadPool(WORKER_COUNT)) {
            for (int i = 0; i < 50; i++) {
                fs.add(executor.submit(() -> Thread.sleep(100)));
            }
            executor.shutdown(true, true);
        }
        // the exact number cannot be guaranteed, but with five workers most of the fifty were still queued
        List<Future<Void>> cancelled = fs.stream().filter(Future::isCancelled).collect(Collectors.toList());
        assertThat(cancelled).hasSizeGreaterThan(20);
        List<Future<Void>> others = fs.stream().filter(f -> !f.isCancelled()).collect(Collectors.toList());
        for (Future<Void> f : others) {
            assertThat(f.isDone()).isTrue();
            assertThat(f.exception()).isNull();
        }
        assertThat(others).isNotEmpty();
    }

    /** {@code test_hang_gh83386}: {@code shutdown(wait=False)} then main returns; the running task still prints. */
    @Test
    void testHangGh83386() throws Exception {
        ChildResult child = runJava(UnclosedPoolMain.class, CHILD_LIMIT, "shutdown-no-wait");
        assertThat(child.stderr()).isEmpty();
        assertThat(child.exitCode()).isZero();
        assertThat(child.stdout().strip()).isEqualTo("apple");
    }

    /** {@code test_hang_gh94440}: a task submitted and at once cancelled right before {@code shutdown()}. */
    @Test
    void testHangGh94440() {
        ThreadPool executor = new ThreadPool(1);
        try (executor) {
            executor.submit(() -> 0).result();
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                executor.submit(() -> 0).cancel();
                executor.shutdown(true, false);
            });
        }
    }

    /** {@code test_threads_terminate}: three blocked tasks start three threads, which end after shutdown. */
    @Test
    void testThreadsTerminate() throws Exception {
        String prefix = uniquePrefix("terminate");
        Semaphore sem = new Semaphore(0);
        Set<Thread> threads;
        try (ThreadPool executor = ThreadPool.builder()
                .maxWorkers(WORKER_COUNT)
                .threadNamePrefix(prefix)
                .build()) {
            try {
                for (int i = 0; i < 3; i++) {
                    executor.submit(() -> sem.tryAcquire(20, TimeUnit.SECONDS));
                }
                threads = liveThreads(prefix);
                assertThat(threads).hasSize(3);
            } finally {
                sem.release(3);
            }
            executor.shutdown();
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(t.isAlive()).as("%s ended", t.getName()).isFalse();
        }
    }

    /** {@code test_context_manager_shutdown}: map inside try-with-resources; after it, the workers have ended. */
    @Test
    void testContextManagerShutdown() throws Exception {
        Set<Thread> threads = concurrentSet();
        try (ThreadPool e = new ThreadPool(WORKER_COUNT)) {
            assertThat(e.map(
                                    x -> {
                                        threads.add(Thread.currentThread());
                                        return Math.abs(x);
                                    },
                                    range(-5, 5))
                            .toList())
                    .containsExactly(5, 4, 3, 2, 1, 0, 1, 2, 3, 4);
        }
        assertAllEnd(threads);
    }

    /**
     * {@code test_del_shutdown}: a pool that becomes unreachable (Python: {@code del executor}) is shut down without
     * waiting; its workers end, and the results of a map made before are all there. Python's reference counting
     * frees the pool at once; the JVM needs a collection, hence {@code System.gc()} in a polling loop.
     */
    @Test
    void testDelShutdown() {
        String prefix = uniquePrefix("dropped");
        MapResults<Integer> res = mapOnAPoolThatIsThenDropped(prefix);
        Set<Thread> threads = liveThreads(prefix);
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .alias("the dropped pool's workers end")
                .until(() -> {
                    System.gc();
                    return !threads.isEmpty() && threads.stream().noneMatch(Thread::isAlive);
                });
        // the results were all computed before the pool was shut down
        assertThat(res.toList()).containsExactly(5, 4, 3, 2, 1, 0, 1, 2, 3, 4);
    }

    private static MapResults<Integer> mapOnAPoolThatIsThenDropped(String prefix) {
        ThreadPool executor = ThreadPool.builder()
                .maxWorkers(WORKER_COUNT)
                .threadNamePrefix(prefix)
                .build();
        return executor.map(Math::abs, range(-5, 5)); // the pool itself is dropped here, never shut down
    }

    /** {@code test_shutdown_no_wait}: after {@code shutdown(wait=False)} the workers end and the map's results are all there. */
    @Test
    void testShutdownNoWait() throws Exception {
        String prefix = uniquePrefix("no-wait");
        MapResults<Integer> res;
        try (ThreadPool executor = ThreadPool.builder()
                .maxWorkers(WORKER_COUNT)
                .threadNamePrefix(prefix)
                .build()) {
            res = executor.map(Math::abs, range(-5, 5));
            Set<Thread> threads = liveThreads(prefix);
            assertThat(threads).isNotEmpty();
            executor.shutdown(false, false);
            assertAllEnd(threads);
        }
        assertThat(res.toList()).containsExactly(5, 4, 3, 2, 1, 0, 1, 2, 3, 4);
    }

    /** {@code test_thread_names_assigned}: {@code SpecialPool_[0-4]}. */
    @Test
    void testThreadNamesAssigned() throws Exception {
        Set<Thread> threads = concurrentSet();
        try (ThreadPool executor = ThreadPool.builder()
                .maxWorkers(WORKER_COUNT)
                .threadNamePrefix("SpecialPool")
                .build()) {
            executor.map(
                            x -> {
                                threads.add(Thread.currentThread());
                                return Math.abs(x);
                            },
                            range(-5, 5))
                    .toList();
        }
        assertThat(threads).isNotEmpty().allSatisfy(t -> assertThat(t.getName()).matches("^SpecialPool_[0-4]$"));
        assertAllEnd(threads);
    }

    /** {@code test_thread_names_default}: a sane, unique default name, {@code ThreadPool-K_[0-4]}. */
    @Test
    void testThreadNamesDefault() throws Exception {
        Set<Thread> threads = concurrentSet();
        try (ThreadPool executor = new ThreadPool(WORKER_COUNT)) {
            executor.map(
                            x -> {
                                threads.add(Thread.currentThread());
                                return Math.abs(x);
                            },
                            range(-5, 5))
                    .toList();
        }
        assertThat(threads).isNotEmpty().allSatisfy(t -> assertThat(t.getName()).matches("ThreadPool-\\d+_[0-4]$"));
        assertAllEnd(threads);
    }

    /**
     * {@code test_cancel_futures_wait_false}: {@code shutdown(wait=False, cancel_futures=True)} then main returns; the
     * task printed "apple" or was cancelled before it started (gh-116682), and nothing went to stderr.
     */
    @Test
    void testCancelFuturesWaitFalse() throws Exception {
        ChildResult child = runJava(UnclosedPoolMain.class, CHILD_LIMIT, "cancel-no-wait");
        assertThat(child.stderr()).isEmpty();
        assertThat(child.exitCode()).isZero();
        assertThat(child.stdout().strip()).isIn("apple", "");
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().collect(Collectors.toList());
    }

    private static void assertAllEnd(Set<Thread> threads) throws InterruptedException {
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(t.isAlive()).as("%s ended", t.getName()).isFalse();
        }
    }
}
