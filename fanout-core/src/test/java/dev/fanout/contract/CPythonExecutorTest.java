package dev.fanout.contract;

import static dev.fanout.contract.MapContractTest.outcomes;
import static dev.fanout.contract.PoolTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.Future;
import dev.fanout.FutureTimeoutException;
import dev.fanout.MapOptions;
import dev.fanout.MapResults;
import dev.fanout.ThreadPool;
import dev.fanout.contract.PoolTestSupport.CountingIterable;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A port of CPython's {@code Lib/test/test_concurrent_futures/executor.py} ({@code ExecutorTest}, run there against
 * {@code ThreadPoolExecutor} with {@code worker_count = 5}, a fresh executor per test, shut down with {@code wait=True}
 * afterwards), rewritten for {@link ThreadPool}. Python's {@code divmod}, {@code pow} and {@code time.sleep} become small
 * Java functions; sleeps that stand for "a task that does not finish in time" become tasks blocked on a latch.
 *
 * <p>Not ported:
 *
 * <ul>
 *   <li>{@code test_submit_keyword}: Python's keyword arguments to {@code submit}, and the {@code TypeError} for a
 *       missing callable, have no Java equivalent; a Java task captures its arguments, and a missing task is a compile
 *       error.
 *   <li>{@code test_map_buffersize_type_validation}: {@code bufferSize} is an {@code int}; a string or float does not
 *       compile.
 *   <li>{@code test_map_buffersize_without_iterable}: Java's {@code map} takes one or two inputs, never none.
 * </ul>
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CPythonExecutorTest {
    private static final int WORKER_COUNT = 5;

    private static ThreadPool executor() {
        return new ThreadPool(WORKER_COUNT);
    }

    private static int[] divmod(int a, int b) {
        return new int[] {Math.floorDiv(a, b), Math.floorMod(a, b)};
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().collect(Collectors.toList());
    }

    /** {@code test_submit}. */
    @Test
    void testSubmit() {
        try (ThreadPool executor = executor()) {
            Future<Integer> future = executor.submit(() -> (int) Math.pow(2, 8));
            assertThat(future.result()).isEqualTo(256);
        }
    }

    /** {@code test_map}: two inputs, unchunked and with {@code chunksize=3}. */
    @Test
    void testMap() {
        List<Long> expected = range(10).stream().map(i -> (long) Math.pow(i, i)).collect(Collectors.toList());
        try (ThreadPool executor = executor()) {
            assertThat(executor.map((Integer a, Integer b) -> (long) Math.pow(a, b), range(10), range(10))
                            .toList())
                    .isEqualTo(expected);
            assertThat(executor.map(
                                    (Integer a, Integer b) -> (long) Math.pow(a, b),
                                    range(10),
                                    range(10),
                                    MapOptions.defaults().chunkSize(3))
                            .toList())
                    .isEqualTo(expected);
        }
    }

    /** {@code test_map_exception}: a failing step throws, and the iteration goes on (gh-108518), chunked or not. */
    @Test
    void testMapException() {
        try (ThreadPool executor = executor()) {
            Iterator<int[]> i = executor.map(CPythonExecutorTest::divmod, List.of(5, 5, 5, 5), List.of(2, 3, 0, 5))
                    .iterator();
            assertThat(i.next()).containsExactly(2, 1);
            assertThat(i.next()).containsExactly(1, 2);
            assertThatThrownBy(i::next).isInstanceOf(ArithmeticException.class);
            assertThat(i.next()).containsExactly(1, 0);
            assertThatThrownBy(i::next).isInstanceOf(NoSuchElementException.class);
            assertThatThrownBy(i::next).isInstanceOf(NoSuchElementException.class);

            i = executor.map(
                            CPythonExecutorTest::divmod,
                            List.of(5, 5, 5, 5),
                            List.of(2, 0, 3, 5),
                            MapOptions.defaults().chunkSize(3))
                    .iterator();
            assertThat(i.next()).containsExactly(2, 1);
            assertThatThrownBy(i::next).isInstanceOf(ArithmeticException.class);
            assertThat(i.next()).containsExactly(1, 2);
            assertThat(i.next()).containsExactly(1, 0);
            assertThatThrownBy(i::next).isInstanceOf(NoSuchElementException.class);
            assertThatThrownBy(i::next).isInstanceOf(NoSuchElementException.class);
        }
    }

    /**
     * {@code test_map_timeout_from_callable}: a {@link FutureTimeoutException} thrown by the function is that step's
     * failure, not the map's timeout, whether or not a timeout is set.
     */
    @Test
    void testMapTimeoutFromCallable() {
        try (ThreadPool executor = executor()) {
            for (MapOptions options :
                    List.of(MapOptions.defaults(), MapOptions.defaults().timeout(Duration.ofSeconds(20)))) {
                Iterator<Integer> i = executor.map(
                                x -> {
                                    if (x == 1) {
                                        throw new FutureTimeoutException("from the callable");
                                    }
                                    return x;
                                },
                                List.of(0, 1, 2, 3),
                                options)
                        .iterator();
                assertThat(i.next()).as("%s", options).isZero();
                assertThatThrownBy(i::next).isInstanceOf(FutureTimeoutException.class);
                assertThat(i.next()).as("%s", options).isEqualTo(2);
                assertThat(i.next()).isEqualTo(3);
                assertThatThrownBy(i::next).isInstanceOf(NoSuchElementException.class);
            }
        }
    }

    /**
     * {@code test_map_timeout}: {@code map(time.sleep, [0, 0, 6], timeout=5)}, with the 6-second sleep replaced by a
     * task that blocks until the test ends and the timeout cut to 300 ms.
     */
    @Test
    void testMapTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPool executor = executor()) {
            try {
                List<Object> results = new ArrayList<>();
                Iterator<Object> i = executor.map(
                                x -> {
                                    if (x == 6) {
                                        await(release);
                                    }
                                    return null;
                                },
                                List.of(0, 0, 6),
                                MapOptions.defaults().timeout(Duration.ofMillis(300)))
                        .iterator();
                assertThatThrownBy(() -> {
                            while (i.hasNext()) {
                                results.add(i.next());
                            }
                        })
                        .isInstanceOf(FutureTimeoutException.class);
                // gh-110097: on a loaded machine the first tasks may not have run within the timeout either
                assertThat(results).isIn(Collections.nCopies(2, null), Collections.nCopies(1, null), List.of());
                // the remaining calls are cancelled, so the iterator is exhausted
                assertThatThrownBy(i::next).isInstanceOf(NoSuchElementException.class);
                assertThatThrownBy(i::next).isInstanceOf(NoSuchElementException.class);
            } finally {
                release.countDown();
            }
        }
    }

    /** {@code test_map_close}: closing the results ends the iteration, chunked or not. */
    @Test
    void testMapClose() {
        try (ThreadPool executor = executor()) {
            for (MapOptions options :
                    List.of(MapOptions.defaults(), MapOptions.defaults().chunkSize(3))) {
                MapResults<int[]> results =
                        executor.map(CPythonExecutorTest::divmod, List.of(5, 5, 5, 5), List.of(2, 0, 3, 5), options);
                Iterator<int[]> i = results.iterator();
                assertThat(i.next()).containsExactly(2, 1);
                results.close();
                assertThatThrownBy(i::next).isInstanceOf(NoSuchElementException.class);
                assertThatThrownBy(i::next).isInstanceOf(NoSuchElementException.class);
            }
        }
    }

    /** {@code test_map_buffersize_value_validation}. */
    @Test
    void testMapBuffersizeValueValidation() {
        for (int buffersize : new int[] {0, -1}) {
            assertThatThrownBy(() -> MapOptions.defaults().bufferSize(buffersize))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("bufferSize");
        }
    }

    /** {@code test_map_buffersize}. */
    @Test
    void testMapBuffersize() {
        List<Integer> ints = range(4);
        try (ThreadPool executor = executor()) {
            for (int buffersize : new int[] {1, 2, ints.size(), ints.size() * 2}) {
                assertThat(executor.map(
                                        String::valueOf,
                                        ints,
                                        MapOptions.defaults().bufferSize(buffersize))
                                .toList())
                        .as("buffersize %d", buffersize)
                        .containsExactly("0", "1", "2", "3");
            }
        }
    }

    /** {@code test_map_buffersize_on_multiple_iterables}. */
    @Test
    void testMapBuffersizeOnMultipleIterables() {
        List<Integer> ints = range(4);
        try (ThreadPool executor = executor()) {
            for (int buffersize : new int[] {1, 2, ints.size(), ints.size() * 2}) {
                assertThat(executor.map(
                                        Integer::sum,
                                        ints,
                                        ints,
                                        MapOptions.defaults().bufferSize(buffersize))
                                .toList())
                        .as("buffersize %d", buffersize)
                        .containsExactly(0, 2, 4, 6);
            }
        }
    }

    /** {@code test_map_buffersize_on_infinite_iterable}: {@code itertools.count()} as the input. */
    @Test
    void testMapBuffersizeOnInfiniteIterable() {
        try (ThreadPool executor = executor()) {
            try (MapResults<String> res = executor.map(
                    String::valueOf,
                    CountingIterable.endless(),
                    MapOptions.defaults().bufferSize(2))) {
                Iterator<String> i = res.iterator();
                assertThat(i.next()).isEqualTo("0");
                assertThat(i.next()).isEqualTo("1");
                assertThat(i.next()).isEqualTo("2");
            }
        }
    }

    /** {@code test_map_buffersize_on_multiple_infinite_iterables}. */
    @Test
    void testMapBuffersizeOnMultipleInfiniteIterables() {
        try (ThreadPool executor = executor()) {
            try (MapResults<Integer> res = executor.map(
                    Integer::sum,
                    CountingIterable.endless(),
                    CountingIterable.endless(),
                    MapOptions.defaults().bufferSize(2))) {
                Iterator<Integer> i = res.iterator();
                assertThat(i.next()).isEqualTo(0);
                assertThat(i.next()).isEqualTo(2);
                assertThat(i.next()).isEqualTo(4);
            }
        }
    }

    /** {@code test_map_buffersize_on_empty_iterable}. */
    @Test
    void testMapBuffersizeOnEmptyIterable() {
        try (ThreadPool executor = executor()) {
            Iterator<String> res = executor.map(
                            String::valueOf, List.of(), MapOptions.defaults().bufferSize(2))
                    .iterator();
            assertThat(res.hasNext()).isFalse();
        }
    }

    /**
     * {@code test_map_buffersize_when_buffer_is_full}: without iterating, the call reads exactly {@code buffersize}
     * items from the input.
     */
    @Test
    void testMapBuffersizeWhenBufferIsFull() {
        CountingIterable ints = new CountingIterable(4);
        int buffersize = 2;
        try (ThreadPool executor = executor()) {
            executor.map(String::valueOf, ints, MapOptions.defaults().bufferSize(buffersize));
            executor.shutdown(); // wait for tasks to complete
        }
        assertThat(ints.read).as("should have fetched only buffersize elements").hasValue(buffersize);
    }

    /** {@code test_shutdown_race_issue12456}: shutdown right after a map with more tasks than workers. */
    @Test
    void testShutdownRaceIssue12456() {
        try (ThreadPool executor = executor()) {
            executor.map(String::valueOf, Collections.nCopies(WORKER_COUNT + 1, 2));
            executor.shutdown();
            assertThat(executor.isShutdown()).isTrue();
        }
    }

    /**
     * {@code test_no_stale_references} (issue 16284): the executor keeps no reference to what a task captured once the
     * task has run, even while the task's future is still reachable.
     */
    @Test
    void testNoStaleReferences() {
        try (ThreadPool executor = executor()) {
            AtomicReference<Future<Void>> future = new AtomicReference<>();
            WeakReference<Object> myObject = submitCapturing(executor, future);
            future.get().result();
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .alias("stale reference not collected")
                    .until(() -> {
                        System.gc();
                        return myObject.get() == null;
                    });
            assertThat(future.get().isDone()).isTrue();
        }
    }

    /** Submits a task that captures a fresh object and returns only a weak reference to it. */
    private static WeakReference<Object> submitCapturing(ThreadPool executor, AtomicReference<Future<Void>> future) {
        Object myObject = new Object();
        future.set(executor.submit(() -> {
            myObject.hashCode();
        }));
        return new WeakReference<>(myObject);
    }

    /** {@code test_max_workers_negative}. */
    @Test
    void testMaxWorkersNegative() {
        for (int number : new int[] {0, -1}) {
            assertThatThrownBy(() -> new ThreadPool(number))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxWorkers must be greater than 0");
        }
    }

    /** {@code test_free_reference} (issue 14406): the results iterator keeps no reference to a result handed out. */
    @Test
    void testFreeReference() {
        try (ThreadPool executor = executor()) {
            Iterator<Object> it = executor.map(x -> new Object(), range(10)).iterator();
            while (it.hasNext()) {
                WeakReference<Object> wr = new WeakReference<>(it.next());
                Awaitility.await()
                        .atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> {
                            System.gc();
                            return wr.get() == null;
                        });
            }
        }
    }

    /**
     * {@code test_swallows_falsey_exceptions} (gh-132063): an exception that looks like "nothing" is still reported.
     * Java has no truthiness; the nearest traps are an exception with no message, one whose {@code toString} is empty,
     * and one that claims to equal every other object.
     */
    @Test
    void testSwallowsFalseyExceptions() {
        List<RuntimeException> falsey = List.of(
                new IllegalStateException((String) null), new EmptyLookingException(), new EqualsAnythingException());
        try (ThreadPool executor = executor()) {
            for (RuntimeException e : falsey) {
                Future<Object> f = executor.submit(() -> {
                    throw e;
                });
                assertThatThrownBy(f::result).isSameAs(e);
                assertThat(f.exception()).isSameAs(e);
                assertThat(outcomes(executor.map(
                                x -> {
                                    throw e;
                                },
                                List.of(1))))
                        .singleElement()
                        .isSameAs(e);
            }
        }
    }

    /** An exception whose text is empty. */
    static final class EmptyLookingException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EmptyLookingException() {
            super("");
        }

        @Override
        public String toString() {
            return "";
        }
    }

    /** An exception that claims to equal everything, null aside. */
    static final class EqualsAnythingException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean equals(Object o) {
            return o != null;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
