package dev.fanout.contract;

import static dev.fanout.contract.FutureFixtures.SHORT;
import static dev.fanout.contract.FutureFixtures.cancelled;
import static dev.fanout.contract.FutureFixtures.failed;
import static dev.fanout.contract.FutureFixtures.identities;
import static dev.fanout.contract.FutureFixtures.succeeded;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.DoneAndNotDone;
import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.ReturnWhen;
import dev.fanout.ThreadPool;
import dev.fanout.contract.FutureFixtures.Blocked;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A port of CPython's {@code Lib/test/test_concurrent_futures/test_wait.py} ({@code WaitTests} and
 * {@code ThreadPoolWaitTests}) to Fanout's {@link ThreadPool} with five workers, as CPython's {@code ExecutorMixin}.
 * CPython's events become latches, released in {@code finally}; {@code divmod(x, 0)} becomes an integer division by
 * zero; the module-level futures become fresh promises in the same states.
 *
 * <p>One deliberate difference: CPython's {@code CANCELLED_FUTURE} (cancelled, waiters not yet told) counts as not
 * done for {@code wait}, while API.md says a cancelled Fanout future is done at once. The ports that use it assert
 * Fanout's behaviour and say so.
 *
 * <p>Not ported:
 *
 * <ul>
 *   <li>The process-pool variants ({@code ProcessPoolForkWaitTest}, {@code ProcessPoolForkserverWaitTest},
 *       {@code ProcessPoolSpawnWaitTest}), which {@code create_executor_tests} builds from {@code WaitTests}: Fanout
 *       has no process pool.
 *   <li>The {@code sys.setswitchinterval(1e-6)} of {@code test_pending_calls_race}: it makes the GIL switch threads
 *       more often, a CPython interpreter internal; the race itself is ported.
 * </ul>
 */
@Timeout(30)
class CPythonWaitTest {
    private static final int WORKER_COUNT = 5;

    private static int mul(int x, int y) {
        return x * y;
    }

    private static int waitAndRaise(CountDownLatch e) throws Exception {
        e.await();
        throw new Exception("this is an exception");
    }

    /** Ports {@code WaitTests.test_20369} (bpo-20369: a future passed twice counts once). */
    @Test
    void test20369() {
        try (ThreadPool executor = new ThreadPool(WORKER_COUNT)) {
            Future<Integer> future = executor.submit(() -> mul(1, 2));

            DoneAndNotDone<Integer> dn = Futures.wait(List.of(future, future), ReturnWhen.ALL_COMPLETED);

            assertThat(identities(dn.done())).isEqualTo(identities(future));
            assertThat(dn.notDone()).isEmpty();
        }
    }

    /**
     * Ports {@code WaitTests.test_first_completed}. In CPython {@code CANCELLED_FUTURE} ends up in {@code not_done};
     * in Fanout a cancelled future is done, so it is waited on separately and lands in {@code done}.
     */
    @Test
    void testFirstCompleted() {
        CountDownLatch event = new CountDownLatch(1);
        try (ThreadPool executor = new ThreadPool(WORKER_COUNT)) {
            try {
                Future<Integer> future1 = executor.submit(() -> mul(21, 2));
                Future<Void> future2 = executor.submit(() -> event.await());

                DoneAndNotDone<Object> dn = Futures.wait(List.of(future1, future2), ReturnWhen.FIRST_COMPLETED);

                assertThat(identities(dn.done())).isEqualTo(identities(future1));
                assertThat(identities(dn.notDone())).isEqualTo(identities(future2));

                Future<Object> cancelledFuture = cancelled();
                DoneAndNotDone<Object> withCancelled =
                        Futures.wait(List.of(cancelledFuture, future2), ReturnWhen.FIRST_COMPLETED);
                assertThat(identities(withCancelled.done())).isEqualTo(identities(cancelledFuture));
                assertThat(identities(withCancelled.notDone())).isEqualTo(identities(future2));
            } finally {
                event.countDown();
            }
        }
    }

    /** Ports {@code WaitTests.test_first_completed_some_already_completed}. */
    @Test
    void testFirstCompletedSomeAlreadyCompleted() {
        CountDownLatch event = new CountDownLatch(1);
        try (ThreadPool executor = new ThreadPool(WORKER_COUNT)) {
            try {
                Future<Void> future1 = executor.submit(() -> event.await());
                Future<Object> cancelledAndNotified = cancelled();
                Future<Object> successful = succeeded(42);

                DoneAndNotDone<Object> dn =
                        Futures.wait(List.of(cancelledAndNotified, successful, future1), ReturnWhen.FIRST_COMPLETED);

                assertThat(identities(dn.done())).isEqualTo(identities(cancelledAndNotified, successful));
                assertThat(identities(dn.notDone())).isEqualTo(identities(future1));
            } finally {
                event.countDown();
            }
        }
    }

    /** Ports {@code WaitTests.test_first_exception}. */
    @Test
    void testFirstException() {
        CountDownLatch event1 = new CountDownLatch(1);
        CountDownLatch event2 = new CountDownLatch(1);
        try (ThreadPool executor = new ThreadPool(WORKER_COUNT)) {
            try {
                Future<Integer> future1 = executor.submit(() -> mul(2, 21));
                Future<Integer> future2 = executor.submit(() -> waitAndRaise(event1));
                Future<Void> future3 = executor.submit(() -> event2.await());
                // Ensure that future1 is completed before future2 finishes.
                Blocked<Void> t = Blocked.start("wait_for_future1", () -> {
                    future1.result();
                    event1.countDown();
                    return null;
                });

                DoneAndNotDone<Object> dn =
                        Futures.wait(List.of(future1, future2, future3), ReturnWhen.FIRST_EXCEPTION);

                assertThat(identities(dn.done())).isEqualTo(identities(future1, future2));
                assertThat(identities(dn.notDone())).isEqualTo(identities(future3));
                assertThat(t.join().thrown()).isNull();
            } finally {
                event1.countDown();
                event2.countDown();
            }
        }
    }

    /**
     * Ports {@code WaitTests.test_first_exception_some_already_complete}. CPython leaves {@code CANCELLED_FUTURE} in
     * {@code pending}; a cancelled Fanout future is done, so it is in {@code finished}.
     */
    @Test
    void testFirstExceptionSomeAlreadyComplete() {
        CountDownLatch event = new CountDownLatch(1);
        int zero = 0;
        try (ThreadPool executor = new ThreadPool(WORKER_COUNT)) {
            try {
                Future<Integer> future1 = executor.submit(() -> 21 / zero);
                Future<Void> future2 = executor.submit(() -> event.await());
                Future<Object> successful = succeeded(42);
                Future<Object> cancelledFuture = cancelled();
                Future<Object> cancelledAndNotified = cancelled();

                DoneAndNotDone<Object> dn = Futures.wait(
                        List.of(successful, cancelledFuture, cancelledAndNotified, future1, future2),
                        ReturnWhen.FIRST_EXCEPTION);

                assertThat(identities(dn.done()))
                        .isEqualTo(identities(successful, cancelledFuture, cancelledAndNotified, future1));
                assertThat(identities(dn.notDone())).isEqualTo(identities(future2));
                assertThat(future1.exception()).isInstanceOf(ArithmeticException.class);
            } finally {
                event.countDown();
            }
        }
    }

    /** Ports {@code WaitTests.test_first_exception_one_already_failed}. */
    @Test
    void testFirstExceptionOneAlreadyFailed() {
        CountDownLatch event = new CountDownLatch(1);
        try (ThreadPool executor = new ThreadPool(WORKER_COUNT)) {
            try {
                Future<Void> future1 = executor.submit(() -> event.await());
                Future<Object> exceptionFuture = failed(new IOException());

                DoneAndNotDone<Object> dn = Futures.wait(List.of(exceptionFuture, future1), ReturnWhen.FIRST_EXCEPTION);

                assertThat(identities(dn.done())).isEqualTo(identities(exceptionFuture));
                assertThat(identities(dn.notDone())).isEqualTo(identities(future1));
            } finally {
                event.countDown();
            }
        }
    }

    /** Ports {@code WaitTests.test_all_completed}. */
    @Test
    void testAllCompleted() {
        int zero = 0;
        try (ThreadPool executor = new ThreadPool(WORKER_COUNT)) {
            Future<Integer> future1 = executor.submit(() -> 2 / zero);
            Future<Integer> future2 = executor.submit(() -> mul(2, 21));
            List<Future<Object>> already = List.of(succeeded(42), cancelled(), failed(new IOException()));
            List<Future<?>> fs = new ArrayList<>(already);
            fs.add(future1);
            fs.add(future2);

            DoneAndNotDone<Object> dn = Futures.wait(fs, ReturnWhen.ALL_COMPLETED);

            assertThat(identities(dn.done())).isEqualTo(identities(fs));
            assertThat(dn.notDone()).isEmpty();
        }
    }

    /** Ports {@code WaitTests.test_timeout}. */
    @Test
    void testTimeout() {
        CountDownLatch event = new CountDownLatch(1);
        try (ThreadPool executor = new ThreadPool(WORKER_COUNT)) {
            try {
                Future<Void> future = executor.submit(() -> event.await());
                Future<Object> cancelledAndNotified = cancelled();
                Future<Object> exceptionFuture = failed(new IOException());
                Future<Object> successful = succeeded(42);

                DoneAndNotDone<Object> dn = Futures.wait(
                        List.of(cancelledAndNotified, exceptionFuture, successful, future),
                        SHORT,
                        ReturnWhen.ALL_COMPLETED);

                assertThat(identities(dn.done()))
                        .isEqualTo(identities(cancelledAndNotified, exceptionFuture, successful));
                assertThat(identities(dn.notDone())).isEqualTo(identities(future));
            } finally {
                event.countDown();
            }
        }
    }

    /** Ports {@code ThreadPoolWaitTests.test_pending_calls_race} (bpo-14406: a race when waiting on all futures). */
    @Test
    void testPendingCallsRace() {
        CountDownLatch event = new CountDownLatch(1);
        try (ThreadPool executor = new ThreadPool(WORKER_COUNT)) {
            try {
                List<Future<Void>> fs = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    fs.add(executor.submit(() -> event.await()));
                }
                event.countDown();

                DoneAndNotDone<Void> dn = Futures.wait(fs, ReturnWhen.ALL_COMPLETED);

                assertThat(dn.done()).hasSize(100);
                assertThat(dn.notDone()).isEmpty();
            } finally {
                event.countDown();
            }
        }
    }
}
