package dev.fanout.contract;

import static dev.fanout.contract.PoolTestSupport.await;
import static dev.fanout.contract.PoolTestSupport.awaitIdle;
import static dev.fanout.contract.PoolTestSupport.liveThreads;
import static dev.fanout.contract.PoolTestSupport.uniquePrefix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.Future;
import dev.fanout.FutureTimeoutException;
import dev.fanout.MapOptions;
import dev.fanout.MapResults;
import dev.fanout.ThreadPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A port of CPython's {@code Lib/test/test_concurrent_futures/test_thread_pool.py} ({@code ThreadPoolExecutorTest};
 * its inherited {@code ExecutorTest} cases are in {@link CPythonExecutorTest}). Python reads {@code executor._threads}
 * and {@code executor._max_workers}; this port counts the live threads named with the pool's prefix and calls
 * {@link ThreadPool#maxWorkers()}.
 *
 * <p>Not ported:
 *
 * <ul>
 *   <li>{@code test_hang_global_shutdown_lock} (bpo-45021) and {@code test_process_fork_from_a_threadpool}
 *       (bpo-43944): both are about {@code os.fork()} of a process that has thread-pool threads, and the
 *       {@code ProcessPoolExecutor}; the JVM cannot fork itself, so there is no Java equivalent.
 * </ul>
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CPythonThreadPoolTest {
    private static final int WORKER_COUNT = 5;

    /** {@code test_map_submits_without_iteration} (issue 11777). */
    @Test
    void testMapSubmitsWithoutIteration() {
        List<Integer> finished = new CopyOnWriteArrayList<>();
        try (ThreadPool executor = new ThreadPool(WORKER_COUNT)) {
            executor.map(finished::add, range(10));
            executor.shutdown();
        }
        assertThat(finished).containsExactlyInAnyOrderElementsOf(range(10));
    }

    /** {@code test_default_workers}: {@code min(32, cpus + 4)}. */
    @Test
    void testDefaultWorkers() {
        try (ThreadPool executor = new ThreadPool()) {
            int expected = Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
            assertThat(executor.maxWorkers()).isEqualTo(expected);
        }
    }

    /** {@code test_saturation}: 15 times more blocked tasks than workers start exactly {@code maxWorkers} threads. */
    @Test
    void testSaturation() throws Exception {
        String prefix = uniquePrefix("saturation");
        Semaphore sem = new Semaphore(0);
        List<Future<Void>> fs = new ArrayList<>();
        try (ThreadPool executor =
                ThreadPool.builder().maxWorkers(4).threadNamePrefix(prefix).build()) {
            try {
                for (int i = 0; i < 15 * executor.maxWorkers(); i++) {
                    fs.add(executor.submit(() -> {
                        if (!sem.tryAcquire(20, TimeUnit.SECONDS)) {
                            throw new AssertionError("semaphore never released");
                        }
                    }));
                }
                assertThat(liveThreads(prefix)).hasSize(executor.maxWorkers());
            } finally {
                sem.release(15 * 4);
            }
            executor.shutdown();
        }
        fs.forEach(Future::result);
    }

    /**
     * {@code test_idle_thread_reuse}: three tasks in a row, each awaited, use one thread. CPython marks this test
     * flaky without the GIL (gh-117344): {@code result()} returns a moment before the worker is back at its queue.
     * This port waits until the worker is parked on its empty queue, the meaning of "idle", before the next submit.
     */
    @Test
    void testIdleThreadReuse() {
        String prefix = uniquePrefix("idle-reuse");
        try (ThreadPool executor = ThreadPool.builder().threadNamePrefix(prefix).build()) {
            Thread worker = executor.submit(() -> Thread.currentThread()).result();
            awaitIdle(worker);
            assertThat(executor.submit(() -> 21 * 2).result()).isEqualTo(42);
            awaitIdle(worker);
            assertThat(executor.submit(() -> 6 * 7).result()).isEqualTo(42);
            awaitIdle(worker);
            assertThat(executor.submit(() -> 3 * 14).result()).isEqualTo(42);
            assertThat(liveThreads(prefix)).hasSize(1);
            executor.shutdown();
        }
    }

    /**
     * {@code test_executor_map_current_future_cancel}: with the only worker busy, {@code map(..., timeout=0)} times
     * out at the first step; the awaited task and the remaining one are both cancelled and never start.
     */
    @Test
    void testExecutorMapCurrentFutureCancel() throws Exception {
        CountDownLatch stopEvent = new CountDownLatch(1);
        List<String> log = new CopyOnWriteArrayList<>();
        try (ThreadPool pool = new ThreadPool(1)) {
            // submit work to saturate the pool
            Future<Void> fut = pool.submit(() -> logAndWait(log, stopEvent, "first"));
            try (MapResults<Void> gen = pool.map(
                    ident -> {
                        logAndWait(log, stopEvent, ident);
                        return null;
                    },
                    List.of("second", "third"),
                    MapOptions.defaults().timeout(Duration.ZERO))) {
                assertThatThrownBy(() -> gen.iterator().next()).isInstanceOf(FutureTimeoutException.class);
            } finally {
                stopEvent.countDown();
            }
            fut.result();
        }
        // 'second' is cancelled by the timeout; 'third' because it remained among the futures
        assertThat(log).containsExactly("ident='first' started", "ident='first' stopped");
    }

    private static void logAndWait(List<String> log, CountDownLatch stopEvent, String ident)
            throws InterruptedException {
        log.add("ident='" + ident + "' started");
        try {
            await(stopEvent);
        } finally {
            log.add("ident='" + ident + "' stopped");
        }
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().collect(Collectors.toList());
    }
}
