package dev.fanout.contract;

import static dev.fanout.contract.PoolTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.FutureTimeoutException;
import dev.fanout.MapOptions;
import dev.fanout.MapResults;
import dev.fanout.TaskFunction;
import dev.fanout.ThreadPool;
import dev.fanout.contract.PoolTestSupport.CountingIterable;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** API.md, {@code Executor.map} and "Map semantics": order, eagerness, zipping, options, failures, buffering. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MapContractTest {

    // ---- order and eagerness -----------------------------------------------------------------------------------

    @Test
    void resultsComeInInputOrderWhateverOrderTasksFinishIn() {
        int n = 5;
        List<CountDownLatch> done =
                IntStream.range(0, n).mapToObj(i -> new CountDownLatch(1)).collect(Collectors.toList());
        List<Integer> finishOrder = new CopyOnWriteArrayList<>();
        try (ThreadPool pool = new ThreadPool(n)) {
            // task i finishes only after task i + 1: the last item finishes first
            List<String> results = pool.map(
                            i -> {
                                if (i < n - 1) {
                                    await(done.get(i + 1));
                                }
                                finishOrder.add(i);
                                done.get(i).countDown();
                                return "r" + i;
                            },
                            List.of(0, 1, 2, 3, 4))
                    .toList();
            assertThat(results).containsExactly("r0", "r1", "r2", "r3", "r4");
        }
        assertThat(finishOrder).containsExactly(4, 3, 2, 1, 0);
    }

    @Test
    void everyTaskRunsBeforeAnyResultIsRead() throws Exception {
        CountDownLatch allRan = new CountDownLatch(10);
        try (ThreadPool pool = new ThreadPool(4)) {
            MapResults<Integer> results = pool.map(
                    i -> {
                        allRan.countDown();
                        return i;
                    },
                    IntStream.range(0, 10).boxed().collect(Collectors.toList()));
            assertThat(allRan.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(results.toList()).hasSize(10);
        }
    }

    @Test
    void everyTaskRunsEvenIfTheResultsAreNeverIterated() {
        AtomicInteger ran = new AtomicInteger();
        CountingIterable input = new CountingIterable(100);
        try (ThreadPool pool = new ThreadPool(4)) {
            pool.map(i -> ran.incrementAndGet(), input);
            assertThat(input.read).as("the whole input is read by the call").hasValue(100);
        }
        assertThat(ran).hasValue(100);
    }

    @Test
    void nullItemsArePassedToTheFunction() {
        try (ThreadPool pool = new ThreadPool(2)) {
            assertThat(pool.map(String::valueOf, Arrays.asList("a", null, "c")).toList())
                    .containsExactly("a", "null", "c");
        }
    }

    @Test
    void anEmptyInputGivesNoResults() {
        try (ThreadPool pool = new ThreadPool(2)) {
            assertThat(pool.map(String::valueOf, List.of()).toList()).isEmpty();
            assertThat(pool.map(
                                    String::valueOf,
                                    List.of(),
                                    MapOptions.defaults().bufferSize(2))
                            .toList())
                    .isEmpty();
            Iterator<String> it = pool.map(String::valueOf, List.of()).iterator();
            assertThat(it.hasNext()).isFalse();
            assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
        }
    }

    // ---- two inputs ----------------------------------------------------------------------------------------------

    @Test
    void twoInputsAreZippedAndStopAtTheShorterWhenTheFirstIsShorter() {
        CountingIterable as = new CountingIterable(3);
        CountingIterable bs = new CountingIterable(10);
        try (ThreadPool pool = new ThreadPool(2)) {
            assertThat(pool.map((a, b) -> a * 100 + b, as, bs).toList()).containsExactly(0, 101, 202);
        }
        assertThat(as.read).hasValue(3);
        assertThat(bs.read.get()).as("items read from the longer input").isBetween(3, 4);
    }

    @Test
    void twoInputsAreZippedAndStopAtTheShorterWhenTheSecondIsShorter() {
        CountingIterable as = new CountingIterable(10);
        CountingIterable bs = new CountingIterable(3);
        try (ThreadPool pool = new ThreadPool(2)) {
            assertThat(pool.map((a, b) -> a + "-" + b, as, bs).toList()).containsExactly("0-0", "1-1", "2-2");
        }
        assertThat(bs.read).hasValue(3);
        assertThat(as.read.get()).as("items read from the longer input").isBetween(3, 4);
    }

    @Test
    void anEndlessSecondInputIsFine() {
        CountingIterable endless = CountingIterable.endless();
        try (ThreadPool pool = new ThreadPool(2)) {
            assertThat(pool.map((a, b) -> a + b, List.of("a", "b", "c"), endless)
                            .toList())
                    .containsExactly("a0", "b1", "c2");
        }
        assertThat(endless.read.get()).isBetween(3, 4);
    }

    @Test
    void anEndlessFirstInputWithAFiniteSecondIsFineToo() {
        CountingIterable endless = CountingIterable.endless();
        try (ThreadPool pool = new ThreadPool(2)) {
            assertThat(pool.map((a, b) -> a + b, endless, List.of("a", "b")).toList())
                    .containsExactly("0a", "1b");
        }
        assertThat(endless.read.get()).isBetween(2, 3);
    }

    @Test
    void twoInputsWithOptions() {
        try (ThreadPool pool = new ThreadPool(2)) {
            MapOptions options =
                    MapOptions.defaults().bufferSize(2).chunkSize(3).timeout(Duration.ofSeconds(10));
            assertThat(pool.map(
                                    (a, b) -> a * b,
                                    CountingIterable.endless(),
                                    IntStream.range(0, 10).boxed().collect(Collectors.toList()),
                                    options)
                            .toList())
                    .containsExactly(0, 1, 4, 9, 16, 25, 36, 49, 64, 81);
        }
    }

    // ---- MapOptions ----------------------------------------------------------------------------------------------

    @Test
    void mapOptionsDefaults() {
        MapOptions d = MapOptions.defaults();
        assertThat(d.timeout()).isEmpty();
        assertThat(d.bufferSize()).isEmpty();
        assertThat(d.chunkSize()).isEqualTo(1);
    }

    @Test
    void mapOptionsWithersReturnNewInstancesAndLeaveTheOriginalAlone() {
        MapOptions d = MapOptions.defaults();
        MapOptions timed = d.timeout(Duration.ofSeconds(5));
        MapOptions buffered = timed.bufferSize(8);
        MapOptions chunked = buffered.chunkSize(3);

        assertThat(d.timeout()).isEmpty();
        assertThat(d.bufferSize()).isEmpty();
        assertThat(d.chunkSize()).isEqualTo(1);
        assertThat(timed).isNotSameAs(d);
        assertThat(timed.timeout()).contains(Duration.ofSeconds(5));
        assertThat(timed.bufferSize()).isEmpty();
        assertThat(buffered.timeout()).contains(Duration.ofSeconds(5));
        assertThat(buffered.bufferSize()).hasValue(8);
        assertThat(buffered.chunkSize()).isEqualTo(1);
        assertThat(chunked.timeout()).contains(Duration.ofSeconds(5));
        assertThat(chunked.bufferSize()).hasValue(8);
        assertThat(chunked.chunkSize()).isEqualTo(3);
        assertThat(MapOptions.defaults()).isEqualTo(d);
        assertThat(d.timeout(Duration.ZERO).timeout()).contains(Duration.ZERO);
    }

    @Test
    void mapOptionsRejectBadValues() {
        MapOptions d = MapOptions.defaults();
        for (int bad : new int[] {0, -1, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> d.bufferSize(bad)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> d.chunkSize(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> d.timeout(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.timeout(null)).isInstanceOf(NullPointerException.class);
        assertThat(d).isEqualTo(MapOptions.defaults());
    }

    @Test
    void mapRejectsNullArguments() {
        TaskFunction<Integer, Integer> id = x -> x;
        try (ThreadPool pool = new ThreadPool(1)) {
            assertThatThrownBy(() -> pool.map((TaskFunction<Integer, Integer>) null, List.of(1)))
                    .isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> pool.map(id, null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> pool.map(id, List.of(1), null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> pool.map((a, b) -> a, List.of(1), null)).isInstanceOf(NullPointerException.class);
        }
    }

    // ---- timeout -----------------------------------------------------------------------------------------------

    @Test
    void theTimeoutCountsFromTheMapCallNotFromEachStep() throws Exception {
        Duration timeout = Duration.ofMillis(1500);
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPool pool = new ThreadPool(2)) {
            try {
                long start = System.nanoTime();
                MapResults<Integer> results = pool.map(
                        i -> {
                            if (i == 1) {
                                await(release);
                            }
                            return i;
                        },
                        List.of(0, 1),
                        MapOptions.defaults().timeout(timeout));
                Iterator<Integer> it = results.iterator();
                assertThat(it.next()).isZero();
                // the consumer dawdles past the time limit; counted from the call, nothing is left to wait for
                Awaitility.await()
                        .atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(10))
                        .until(() -> System.nanoTime() - start > timeout.toNanos());
                long stepStart = System.nanoTime();
                assertThatThrownBy(it::next).isInstanceOf(FutureTimeoutException.class);
                long step = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stepStart);
                assertThat(step)
                        .as("the step threw at once; counted per step it would wait %s", timeout)
                        .isLessThan(timeout.toMillis() * 3 / 4);
                assertThat(it.hasNext()).isFalse();
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void theTimeoutIsNotThrownBeforeItExpires() {
        Duration timeout = Duration.ofMillis(300);
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPool pool = new ThreadPool(1)) {
            try {
                long start = System.nanoTime();
                Iterator<Integer> it = pool.map(
                                i -> {
                                    await(release);
                                    return i;
                                },
                                List.of(0),
                                MapOptions.defaults().timeout(timeout))
                        .iterator();
                assertThatThrownBy(it::next).isInstanceOf(FutureTimeoutException.class);
                assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(timeout.toNanos());
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void onTimeoutTheAwaitedAndEveryRemainingTaskIsCancelledAndTheIterationEnds() throws Exception {
        List<Integer> ran = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPool pool = new ThreadPool(1)) {
            try {
                pool.submit(() -> {
                    started.countDown();
                    await(release); // holds the only worker
                });
                await(started);
                MapResults<Integer> results = pool.map(
                        i -> {
                            ran.add(i);
                            return i;
                        },
                        List.of(1, 2, 3, 4),
                        MapOptions.defaults().timeout(Duration.ofMillis(50)));
                Iterator<Integer> it = results.iterator();
                assertThatThrownBy(it::next).isInstanceOf(FutureTimeoutException.class);
                assertThat(it.hasNext()).isFalse();
                assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
            } finally {
                release.countDown();
            }
        }
        assertThat(ran).as("no task of the map ran after the timeout").isEmpty();
    }

    @Test
    void aZeroTimeoutDoesNotWait() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPool pool = new ThreadPool(1)) {
            // results that are ready are handed out
            MapResults<Integer> ready =
                    pool.map(i -> i * 2, List.of(1, 2, 3), MapOptions.defaults().timeout(Duration.ZERO));
            pool.submit(() -> null).result(); // one worker, first in first out: the map's tasks are done now
            assertThat(ready.toList()).containsExactly(2, 4, 6);
            try {
                MapResults<Integer> notReady = pool.map(
                        i -> {
                            await(release);
                            return i;
                        },
                        List.of(1, 2),
                        MapOptions.defaults().timeout(Duration.ZERO));
                assertThatThrownBy(() -> notReady.iterator().next()).isInstanceOf(FutureTimeoutException.class);
            } finally {
                release.countDown();
            }
        }
    }

    // ---- a task that throws ------------------------------------------------------------------------------------

    @ParameterizedTest(name = "chunkSize {0}")
    @ValueSource(ints = {1, 2, 3})
    void aTaskThatThrowsFailsOnlyItsOwnStep(int chunkSize) {
        IllegalStateException unchecked = new IllegalStateException("unchecked");
        IOException checked = new IOException("checked");
        TaskError error = new TaskError();
        Map<Integer, Throwable> throwing = Map.of(1, unchecked, 3, checked, 5, error);
        try (ThreadPool pool = new ThreadPool(2)) {
            List<Object> outcomes = outcomes(pool.map(
                    i -> {
                        Throwable t = throwing.get(i);
                        if (t instanceof Exception e) {
                            throw e;
                        }
                        if (t instanceof Error e) {
                            throw e;
                        }
                        return "ok" + i;
                    },
                    List.of(0, 1, 2, 3, 4, 5, 6),
                    MapOptions.defaults().chunkSize(chunkSize)));

            assertThat(outcomes).hasSize(7);
            assertThat(outcomes.get(0)).isEqualTo("ok0");
            assertThat(outcomes.get(1)).as("the very instance").isSameAs(unchecked);
            assertThat(outcomes.get(2)).isEqualTo("ok2");
            assertThat(outcomes.get(3)).isInstanceOf(CompletionException.class);
            assertThat(((Throwable) outcomes.get(3)).getCause()).isSameAs(checked);
            assertThat(outcomes.get(4)).isEqualTo("ok4");
            assertThat(outcomes.get(5)).isSameAs(error);
            assertThat(outcomes.get(6)).isEqualTo("ok6");
        }
    }

    @ParameterizedTest(name = "timeout {0}")
    @ValueSource(booleans = {false, true})
    void aTaskThatThrowsFutureTimeoutExceptionIsNotTheMapTimeout(boolean timed) {
        FutureTimeoutException fromTask = new FutureTimeoutException("the task's own");
        MapOptions options = timed ? MapOptions.defaults().timeout(Duration.ofSeconds(20)) : MapOptions.defaults();
        try (ThreadPool pool = new ThreadPool(2)) {
            List<Object> outcomes = outcomes(pool.map(
                    i -> {
                        if (i == 1) {
                            throw fromTask;
                        }
                        return i;
                    },
                    List.of(0, 1, 2, 3),
                    options));
            assertThat(outcomes).containsExactly(0, fromTask, 2, 3);
        }
    }

    // ---- close -------------------------------------------------------------------------------------------------

    @Test
    void closeCancelsWhatIsLeftAndEndsTheIteration() throws Exception {
        List<Integer> ran = new CopyOnWriteArrayList<>();
        CountDownLatch secondStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPool pool = new ThreadPool(1)) {
            try {
                MapResults<Integer> results = pool.map(
                        i -> {
                            ran.add(i);
                            if (i == 1) {
                                secondStarted.countDown();
                                await(release);
                            }
                            return i;
                        },
                        List.of(0, 1, 2, 3, 4));
                Iterator<Integer> it = results.iterator();
                assertThat(it.next()).isZero();
                await(secondStarted);

                results.close();

                assertThat(it.hasNext()).isFalse();
                assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
                results.close(); // again: nothing happens
            } finally {
                release.countDown();
            }
        }
        assertThat(ran)
                .as("the running task finishes, the queued ones never start")
                .containsExactly(0, 1);
    }

    /** Regression: close() between two items of one chunk used to let the rest of that chunk out. */
    @Test
    void closeEndsTheIterationInTheMiddleOfAChunk() {
        try (ThreadPool pool = new ThreadPool(2)) {
            MapResults<Integer> results = pool.map(
                    i -> i, List.of(0, 1, 2, 3, 4, 5, 6), MapOptions.defaults().chunkSize(3));
            Iterator<Integer> it = results.iterator();
            assertThat(it.next()).isZero(); // items 1 and 2 are already computed, in the same chunk
            results.close();
            assertThat(it.hasNext()).isFalse();
            assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
        }
    }

    @Test
    void closeBeforeIteratingCancelsEveryTaskNotStarted() throws Exception {
        List<Integer> ran = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPool pool = new ThreadPool(1)) {
            try {
                pool.submit(() -> {
                    started.countDown();
                    await(release);
                });
                await(started);
                try (MapResults<Integer> results = pool.map(
                        i -> {
                            ran.add(i);
                            return i;
                        },
                        List.of(1, 2, 3))) {
                    assertThat(results).isNotNull();
                }
            } finally {
                release.countDown();
            }
        }
        assertThat(ran).isEmpty();
    }

    // ---- bufferSize --------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "bufferSize {0}")
    @ValueSource(ints = {1, 2, 5})
    void aBufferedMapReadsTheInputAtMostBufferSizeAheadOfTheConsumer(int bufferSize) {
        CountingIterable input = new CountingIterable(20);
        try (ThreadPool pool = new ThreadPool(3)) {
            MapResults<Integer> results =
                    pool.map(i -> i * 10, input, MapOptions.defaults().bufferSize(bufferSize));
            assertThat(input.read)
                    .as("the call submits the first bufferSize tasks")
                    .hasValue(bufferSize);
            int consumed = 0;
            for (int r : results) {
                assertThat(r).isEqualTo(consumed * 10);
                consumed++;
                // each step let exactly one more item in (Python 3.14 submits it before waiting)
                assertThat(input.read).hasValue(Math.min(20, bufferSize + consumed));
            }
            assertThat(consumed).isEqualTo(20);
        }
    }

    @Test
    void aBufferedMapReadsNoFurtherWhileTheConsumerWaits() throws Exception {
        CountingIterable input = CountingIterable.endless();
        AtomicInteger ran = new AtomicInteger();
        try (ThreadPool pool = new ThreadPool(4)) {
            try (MapResults<Integer> results = pool.map(
                    i -> {
                        ran.incrementAndGet();
                        return i;
                    },
                    input,
                    MapOptions.defaults().bufferSize(3))) {
                Iterator<Integer> it = results.iterator();
                assertThat(it.next()).isZero();
                // the buffered tasks all finish; nothing more is read until the consumer asks
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == 4);
                assertThat(input.read).hasValue(4);
                assertThat(ran).hasValue(4);
            }
        }
    }

    @Test
    void anEndlessIterableWorksWithABuffer() {
        CountingIterable endless = CountingIterable.endless();
        try (ThreadPool pool = new ThreadPool(4)) {
            List<String> first;
            try (MapResults<String> results =
                    pool.map(i -> "n" + i, endless, MapOptions.defaults().bufferSize(4))) {
                first = new ArrayList<>();
                Iterator<String> it = results.iterator();
                while (first.size() < 100) {
                    first.add(it.next());
                }
            }
            assertThat(first).hasSize(100).startsWith("n0", "n1", "n2").endsWith("n99");
            assertThat(endless.read).hasValue(104);
        }
    }

    // ---- chunkSize ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "chunkSize {0}")
    @ValueSource(ints = {1, 2, 3, 5, 22, 23, 100})
    void chunkingGivesIdenticalResultsItemByItem(int chunkSize) {
        int n = 23;
        Map<Integer, Throwable> throwing = new HashMap<>();
        for (int i = 0; i < n; i++) {
            if (i % 4 == 1) {
                throwing.put(i, new IllegalArgumentException("item " + i));
            } else if (i % 7 == 3) {
                throwing.put(i, new IOException("item " + i));
            }
        }
        AtomicInteger calls = new AtomicInteger();
        TaskFunction<Integer, String> fn = i -> {
            calls.incrementAndGet();
            Throwable t = throwing.get(i);
            if (t instanceof Exception e) {
                throw e;
            }
            return "v" + i;
        };
        List<Integer> input = IntStream.range(0, n).boxed().collect(Collectors.toList());
        try (ThreadPool pool = new ThreadPool(3)) {
            List<Object> chunked =
                    outcomes(pool.map(fn, input, MapOptions.defaults().chunkSize(chunkSize)));
            assertThat(calls).as("fn runs once per item").hasValue(n);
            assertThat(chunked).hasSize(n);
            for (int i = 0; i < n; i++) {
                Throwable t = throwing.get(i);
                if (t == null) {
                    assertThat(chunked.get(i)).isEqualTo("v" + i);
                } else if (t instanceof RuntimeException) {
                    assertThat(chunked.get(i)).isSameAs(t);
                } else {
                    assertThat(chunked.get(i)).isInstanceOf(CompletionException.class);
                    assertThat(((Throwable) chunked.get(i)).getCause()).isSameAs(t);
                }
            }
        }
    }

    @Test
    void chunksGoToWorkersAsOneTask() {
        List<String> threadPerItem = new CopyOnWriteArrayList<>(Collections.nCopies(6, ""));
        try (ThreadPool pool = new ThreadPool(1)) {
            List<Integer> results = pool.map(
                            i -> {
                                threadPerItem.set(i, Thread.currentThread().getName());
                                return i;
                            },
                            List.of(0, 1, 2, 3, 4, 5),
                            MapOptions.defaults().chunkSize(3))
                    .toList();
            assertThat(results).containsExactly(0, 1, 2, 3, 4, 5);
        }
        assertThat(threadPerItem).doesNotContain("");
    }

    @ParameterizedTest(name = "bufferSize {0}")
    @ValueSource(ints = {1, 3})
    void chunkSizeAndBufferSizeTogether(int bufferSize) {
        int chunkSize = 4;
        CountingIterable endless = CountingIterable.endless();
        try (ThreadPool pool = new ThreadPool(2)) {
            try (MapResults<Integer> results = pool.map(
                    i -> {
                        if (i % 10 == 9) {
                            throw new IllegalStateException("item " + i);
                        }
                        return -i;
                    },
                    endless,
                    MapOptions.defaults().bufferSize(bufferSize).chunkSize(chunkSize))) {
                // the bound counts tasks, that is chunks
                assertThat(endless.read).hasValue(bufferSize * chunkSize);
                Iterator<Integer> it = results.iterator();
                for (int consumed = 0; consumed < 50; consumed++) {
                    if (consumed % 10 == 9) {
                        int item = consumed;
                        assertThatThrownBy(it::next).hasMessage("item " + item);
                    } else {
                        assertThat(it.next()).isEqualTo(-consumed);
                    }
                    assertThat(endless.read.get() - (consumed + 1))
                            .as("items read ahead of the consumer")
                            .isLessThanOrEqualTo((bufferSize + 1) * chunkSize);
                }
            }
        }
    }

    // ---- stream, toList, once only --------------------------------------------------------------------------------

    @Test
    void streamGivesTheResultsInOrderAndClosingItClosesTheResults() throws Exception {
        List<Integer> ran = new CopyOnWriteArrayList<>();
        CountDownLatch oneStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPool pool = new ThreadPool(1)) {
            assertThat(pool.map(i -> i + 1, List.of(1, 2, 3)).stream().collect(Collectors.toList()))
                    .containsExactly(2, 3, 4);
            try {
                MapResults<Integer> results = pool.map(
                        i -> {
                            ran.add(i);
                            if (i == 1) {
                                oneStarted.countDown();
                                await(release);
                            }
                            return i;
                        },
                        List.of(0, 1, 2, 3));
                try (Stream<Integer> s = results.stream()) {
                    assertThat(s.limit(1).collect(Collectors.toList())).containsExactly(0);
                    await(oneStarted);
                }
            } finally {
                release.countDown();
            }
        }
        assertThat(ran).as("closing the stream cancelled the tasks not started").containsExactly(0, 1);
    }

    @Test
    void toListCollectsInOrderAndThrowsAtTheFirstFailureAfterCancellingTheRest() {
        List<Integer> ran = new CopyOnWriteArrayList<>();
        IllegalStateException failure = new IllegalStateException("item 1");
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPool pool = new ThreadPool(1)) {
            assertThat(pool.map(i -> i * i, List.of(1, 2, 3)).toList()).containsExactly(1, 4, 9);
            try {
                // one worker: item 2 holds it, so item 3 is still queued when item 1's failure is seen
                MapResults<Integer> results = pool.map(
                        i -> {
                            ran.add(i);
                            if (i == 1) {
                                throw failure;
                            }
                            if (i == 2) {
                                await(release);
                            }
                            return i;
                        },
                        List.of(0, 1, 2, 3));
                assertThatThrownBy(results::toList).isSameAs(failure);
            } finally {
                release.countDown();
            }
        }
        assertThat(ran).startsWith(0, 1).doesNotContain(3);
    }

    @Test
    void theResultsCanBeIteratedOnlyOnce() {
        try (ThreadPool pool = new ThreadPool(2)) {
            MapResults<Integer> a = pool.map(i -> i, List.of(1, 2));
            a.iterator();
            assertThatThrownBy(a::iterator).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(a::stream).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(a::toList).isInstanceOf(IllegalStateException.class);

            MapResults<Integer> b = pool.map(i -> i, List.of(1, 2));
            assertThat(b.stream().count()).isEqualTo(2);
            assertThatThrownBy(b::iterator).isInstanceOf(IllegalStateException.class);

            MapResults<Integer> c = pool.map(i -> i, List.of(1, 2));
            int sum = 0;
            for (int x : c) {
                sum += x;
            }
            assertThat(sum).isEqualTo(3);
            assertThatThrownBy(() -> {
                        for (int x : c) {
                            throw new AssertionError("second iteration gave " + x);
                        }
                    })
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    // ---- memory ------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "chunkSize {0}")
    @ValueSource(ints = {1, 4})
    void resultsAreNotKeptAliveOnceHandedOut(int chunkSize) {
        try (ThreadPool pool = new ThreadPool(2)) {
            Iterator<Payload> it = pool.map(
                            i -> new Payload(i),
                            List.of(0, 1, 2, 3, 4, 5, 6, 7),
                            MapOptions.defaults().chunkSize(chunkSize))
                    .iterator();
            for (int i = 0; i < 8; i++) {
                WeakReference<Payload> ref = takeWeakly(it, i);
                Awaitility.await()
                        .atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> {
                            System.gc();
                            return ref.get() == null;
                        });
            }
        }
    }

    /** Takes the next result and keeps only a weak reference to it, in a frame of its own. */
    private static WeakReference<Payload> takeWeakly(Iterator<Payload> it, int expected) {
        Payload p = it.next();
        assertThat(p.item).isEqualTo(expected);
        return new WeakReference<>(p);
    }

    // ---- shut down ---------------------------------------------------------------------------------------------

    @Test
    void mapOnAShutDownPoolIsRejected() {
        try (ThreadPool pool = new ThreadPool(2)) {
            pool.shutdown();
            assertThatThrownBy(() -> pool.map(i -> i, List.of(1, 2)))
                    .isExactlyInstanceOf(RejectedExecutionException.class)
                    .hasMessage("cannot schedule new futures after shutdown");
            assertThatThrownBy(() -> pool.map((a, b) -> a, List.of(1), List.of(2)))
                    .isInstanceOf(RejectedExecutionException.class);
            assertThatThrownBy(() -> pool.map(
                            i -> i, List.of(1, 2), MapOptions.defaults().bufferSize(1)))
                    .isInstanceOf(RejectedExecutionException.class);
            assertThatThrownBy(() -> pool.map(
                            i -> i, List.of(1, 2), MapOptions.defaults().chunkSize(2)))
                    .isInstanceOf(RejectedExecutionException.class);
        }
    }

    @Test
    void aShutdownWithCancelFuturesMidMapMakesTheCancelledStepsThrowCancellation() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPool pool = new ThreadPool(1)) {
            MapResults<Integer> results;
            try {
                results = pool.map(
                        i -> {
                            if (i == 0) {
                                started.countDown();
                                await(release);
                            }
                            return i;
                        },
                        List.of(0, 1, 2));
                await(started);
                pool.shutdown(false, true);
            } finally {
                release.countDown();
            }
            List<Object> outcomes = outcomes(results);
            assertThat(outcomes.get(0)).isEqualTo(0);
            assertThat(outcomes.subList(1, outcomes.size()))
                    .allSatisfy(o -> assertThat(o).isInstanceOf(CancellationException.class));
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** Every step's outcome: the value, or what the step threw. */
    static List<Object> outcomes(Iterable<?> results) {
        List<Object> out = new ArrayList<>();
        Iterator<?> it = results.iterator();
        while (it.hasNext()) {
            try {
                out.add(it.next());
            } catch (RuntimeException | Error e) {
                out.add(e);
            }
        }
        return out;
    }

    /** A result object whose collection the memory test watches. */
    static final class Payload {
        final int item;
        final byte[] weight = new byte[1024];

        Payload(int item) {
            this.item = item;
        }
    }

    /** An Error a task throws on purpose. */
    static final class TaskError extends Error {
        private static final long serialVersionUID = 1L;

        TaskError() {
            super("thrown by a task");
        }
    }
}
