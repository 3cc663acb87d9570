package dev.fanout.contract;

import static dev.fanout.contract.FutureFixtures.cancelled;
import static dev.fanout.contract.FutureFixtures.failed;
import static dev.fanout.contract.FutureFixtures.identities;
import static dev.fanout.contract.FutureFixtures.pending;
import static dev.fanout.contract.FutureFixtures.running;
import static dev.fanout.contract.FutureFixtures.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.fanout.Future;
import dev.fanout.FutureTimeoutException;
import dev.fanout.Futures;
import dev.fanout.Promise;
import dev.fanout.ThreadPool;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A port of CPython's {@code Lib/test/test_concurrent_futures/test_as_completed.py} ({@code AsCompletedTests}) to
 * Fanout's {@link ThreadPool} with five workers. Where CPython submits {@code time.sleep} to get a task that outlives
 * the test's timeout, the port submits a task blocked on a latch, released in {@code finally}.
 *
 * <p>Not ported:
 *
 * <ul>
 *   <li>The interpreter-pool and process-pool variants that {@code create_executor_tests} builds from
 *       {@code AsCompletedTests}: Fanout has only the thread pool here.
 *   <li>The "arbitrary iterables" half of {@code test_duplicate_futures} (bpo-31641, {@code itertools.repeat}):
 *       {@code asCompleted} takes a {@code Collection} by API.md, so the port passes a list with the same future three
 *       times.
 * </ul>
 */
@Timeout(30)
class CPythonAsCompletedTest {
    private static final int WORKER_COUNT = 5;

    private static int mul(int x, int y) {
        return x * y;
    }

    /** Ports {@code AsCompletedTests.test_no_timeout}. */
    @Test
    void testNoTimeout() {
        try (ThreadPool executor = new ThreadPool(WORKER_COUNT)) {
            Future<Integer> future1 = executor.submit(() -> mul(2, 21));
            Future<Integer> future2 = executor.submit(() -> mul(7, 6));
            List<Future<Integer>> fs = List.of(cancelled(), failed(new IOException()), succeeded(42), future1, future2);

            Set<Object> completed = identities();
            for (Future<Integer> f : Futures.asCompleted(fs)) {
                completed.add(f);
            }

            assertThat(completed).isEqualTo(identities(fs));
        }
    }

    /** Ports {@code AsCompletedTests.test_future_times_out}: as_completed timing out before its last future. */
    @Test
    void testFutureTimesOut() {
        List<Future<Object>> alreadyCompleted = List.of(cancelled(), failed(new IOException()), succeeded(42));
        Duration shortTimeout = Duration.ofMillis(100);

        for (Duration timeout : List.of(Duration.ZERO, shortTimeout)) {
            CountDownLatch release = new CountDownLatch(1);
            try (ThreadPool executor = new ThreadPool(WORKER_COUNT)) {
                try {
                    Future<Void> future = executor.submit(() -> release.await());
                    List<Future<?>> fs = new ArrayList<>(alreadyCompleted);
                    fs.add(future);
                    Set<Object> completedFutures = identities();

                    try {
                        for (Future<Object> f : Futures.<Object>asCompleted(fs, timeout)) {
                            completedFutures.add(f);
                        }
                        fail("as_completed did not time out with timeout %s", timeout);
                    } catch (FutureTimeoutException expected) {
                        // as in CPython: the timeout ends the loop
                    }

                    // Check that `future` wasn't completed.
                    assertThat(completedFutures).as("timeout %s", timeout).isEqualTo(identities(alreadyCompleted));
                } finally {
                    release.countDown();
                }
            }
        }
    }

    /** Ports {@code AsCompletedTests.test_duplicate_futures} (bpo-20367: no duplicates, no exceptions). */
    @Test
    void testDuplicateFutures() {
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPool executor = new ThreadPool(WORKER_COUNT)) {
            try {
                Future<Void> future1 = executor.submit(() -> release.await());
                Iterable<Future<Void>> asCompleted = Futures.asCompleted(Collections.nCopies(3, future1));
                release.countDown();

                List<Future<Void>> completed = new ArrayList<>();
                asCompleted.forEach(completed::add);

                assertThat(completed).hasSize(1);
            } finally {
                release.countDown();
            }
        }
    }

    /**
     * Ports {@code AsCompletedTests.test_free_reference_yielded_future} (bpo-14406: the iteration must not keep
     * references to the futures it has yielded). Where CPython checks a weakref after {@code gc_collect()}, the port
     * asks for garbage collection until the weak reference clears.
     *
     * <p>Regression: Fanout's iteration used to hold every pending future it was given until it ended, so the second
     * loop here failed.
     */
    @Test
    void testFreeReferenceYieldedFuture() {
        List<Promise<String>> futuresList = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            futuresList.add(new Promise<>());
        }
        futuresList.add(cancelled());
        futuresList.add(succeeded("42"));

        Iterator<Future<String>> timed =
                Futures.asCompleted(futuresList, Duration.ZERO).iterator();
        assertThatThrownBy(() -> {
                    while (timed.hasNext()) {
                        assertCollectedOnceDropped(futuresList, timed.next());
                    }
                })
                .isInstanceOf(FutureTimeoutException.class);
        assertThat(futuresList).hasSize(8);

        futuresList.get(0).setResult("test");
        Iterator<Future<String>> it = Futures.asCompleted(futuresList).iterator();
        while (it.hasNext()) {
            assertCollectedOnceDropped(futuresList, it.next());
            if (!futuresList.isEmpty()) {
                futuresList.get(0).setResult("test");
            }
        }
        assertThat(futuresList).isEmpty();
    }

    /** Removes {@code future} from the list, drops it, and checks that nothing else keeps it alive. */
    private static void assertCollectedOnceDropped(List<Promise<String>> futuresList, Future<String> future) {
        assertThat(futuresList.remove(future)).isTrue();
        WeakReference<Future<String>> wr = new WeakReference<>(future);
        future = null; // the last strong reference the test holds
        FutureFixtures.eventually()
                .pollInterval(Duration.ofMillis(20))
                .atMost(Duration.ofSeconds(10))
                .until(() -> {
                    System.gc();
                    return wr.get() == null;
                });
    }

    /** Ports {@code AsCompletedTests.test_correct_timeout_exception_msg}. */
    @Test
    void testCorrectTimeoutExceptionMsg() {
        List<Future<Object>> futuresList = List.of(cancelled(), pending(), running(), succeeded(42));

        assertThatThrownBy(() -> Futures.asCompleted(futuresList, Duration.ZERO).forEach(f -> {}))
                .isInstanceOf(FutureTimeoutException.class)
                .hasMessage("2 (of 4) futures unfinished");
    }
}
