package dev.fanout.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fanout.DoneAndNotDone;
import dev.fanout.Executor;
import dev.fanout.Future;
import dev.fanout.FutureTimeoutException;
import dev.fanout.Futures;
import dev.fanout.MapOptions;
import dev.fanout.MapResults;
import dev.fanout.ReturnWhen;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The contract of {@link Executor}, black-box, for every backend: submit, results and exceptions, cancel, callbacks,
 * wait and asCompleted, map with its options, shutdown and close. A backend's test extends this class and says how to
 * make its executors in {@link #newFactory()}; tests only its own backend has stay in that subclass.
 *
 * <p>Tasks are lambdas over the API's serializable functional interfaces that capture only strings and numbers, and
 * reach latches and counters by name through {@link Signals}: a backend that serializes tasks runs them as they are.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ExecutorContract {
    private ExecutorFactory factory;
    private Executor pool;
    private final List<String> openLatches = new ArrayList<>();

    /** Makes the factory of the backend under test; called once, before the first test of the class. */
    protected abstract ExecutorFactory newFactory();

    /** The factory of the backend under test. */
    protected final ExecutorFactory factory() {
        return factory;
    }

    /** The executor of the current test, new for each test and closed after it. */
    protected final Executor executor() {
        return pool;
    }

    @BeforeAll
    void openFactory() {
        factory = newFactory();
    }

    @AfterAll
    void closeFactory() {
        if (factory != null) { // null: newFactory() gave up, e.g. on an assumption about the JDK
            factory.close();
        }
    }

    @BeforeEach
    void newExecutor() {
        pool = factory.create();
    }

    @AfterEach
    void closeExecutor() {
        openLatches.forEach(l -> {
            while (Signals.remaining(l) > 0) {
                Signals.countDown(l); // never leave a task blocked, whatever the test did
            }
        });
        openLatches.clear();
        pool.close();
    }

    /** A latch of {@link Signals}, opened after the test if the test left it closed. */
    protected final String latch(int count) {
        String l = Signals.latch(count);
        openLatches.add(l);
        return l;
    }

    // ---- submit, result, exception -------------------------------------------------------------------------------

    @Test
    void submitReturnsTheTasksValue() {
        Future<String> f = pool.submit(() -> "hello " + 42);
        assertThat(f.result(Duration.ofSeconds(30))).isEqualTo("hello 42");
        assertThat(f.isDone()).isTrue();
        assertThat(f.isCancelled()).isFalse();
        assertThat(f.exception()).isNull();
    }

    @Test
    void aVoidTaskResolvesToNull() {
        String counter = Signals.counter();
        Future<Void> f = pool.submit(() -> {
            Signals.increment(counter);
        });
        assertThat(f.result()).isNull();
        assertThat(Signals.count(counter)).isEqualTo(1);
    }

    @Test
    void anUncheckedExceptionIsRethrownAsTheTaskThrewIt() {
        Future<Object> f = pool.submit(() -> {
            throw new IllegalStateException("boom");
        });
        Throwable thrown = catchThrowable(f::result);
        assertThat(thrown).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(f.exception()).isSameAs(thrown); // one instance (deserialized once, if need be), every time
    }

    @Test
    void aCheckedExceptionComesWrappedInCompletionException() {
        Future<Object> f = pool.submit(() -> {
            throw new IOException("disk");
        });
        assertThatThrownBy(f::result)
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(IOException.class)
                .hasMessage("disk");
        assertThat(f.exception()).isInstanceOf(IOException.class);
    }

    @Test
    void resultTimesOut() {
        String release = latch(1);
        Future<String> f = pool.submit(() -> {
            Signals.await(release);
            return "late";
        });
        assertThatThrownBy(() -> f.result(Duration.ofMillis(100))).isInstanceOf(FutureTimeoutException.class);
        Signals.countDown(release);
        assertThat(f.result()).isEqualTo("late");
    }

    // ---- cancel --------------------------------------------------------------------------------------------------

    @Test
    void cancelBeforeStartSucceedsAndTheTaskNeverRuns() {
        String started = latch(factory.concurrency());
        String release = latch(1);
        List<Future<Object>> blockers = new ArrayList<>();
        for (int i = 0; i < 5 * factory.concurrency(); i++) {
            blockers.add(pool.submit(() -> {
                Signals.countDown(started);
                Signals.await(release);
                return null;
            }));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Signals.remaining(started) == 0); // every thread busy
        String ran = Signals.counter();
        Future<String> queued = pool.submit(() -> {
            Signals.increment(ran);
            return "ran";
        });

        assertThat(queued.cancel()).isTrue();
        assertThat(queued.isCancelled()).isTrue();
        assertThat(queued.isDone()).isTrue();
        assertThat(queued.cancel()).isTrue(); // again: still cancelled
        assertThatThrownBy(queued::result).isInstanceOf(CancellationException.class);

        Signals.countDown(release);
        pool.shutdown(true, false); // every blocker done, and the cancelled task had every chance to run
        assertThat(Signals.count(ran)).isZero();
        assertThat(blockers).allMatch(Future::isDone);
    }

    @Test
    void cancelAfterStartFailsAndTheTaskFinishes() throws InterruptedException {
        String started = latch(1);
        String release = latch(1);
        Future<String> f = pool.submit(() -> {
            Signals.countDown(started);
            Signals.await(release);
            return "finished";
        });
        assertThat(Signals.await(started)).isTrue();
        assertThat(f.isRunning()).isTrue();
        assertThat(f.cancel()).isFalse();
        assertThat(f.isCancelled()).isFalse();
        Signals.countDown(release);
        assertThat(f.result()).isEqualTo("finished");
        assertThat(f.cancel()).isFalse(); // finished
    }

    // ---- callbacks -----------------------------------------------------------------------------------------------

    @Test
    void callbacksRunInTheOrderAddedOnceDone() {
        String release = latch(1);
        Future<Integer> f = pool.submit(() -> {
            Signals.await(release);
            return 7;
        });
        List<String> calls = new CopyOnWriteArrayList<>();
        f.addDoneCallback(done -> calls.add("first " + done.result()));
        f.addDoneCallback(done -> {
            throw new IllegalStateException("a failing callback is logged, not rethrown");
        });
        f.addDoneCallback(done -> calls.add("third " + Thread.currentThread().getName()));
        assertThat(calls).isEmpty();
        Signals.countDown(release);
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.size() == 2);
        assertThat(calls.get(0)).isEqualTo("first 7");
        assertThat(calls.get(1)).startsWith("third ");
        assertThat(calls.get(1).substring("third ".length())).matches(factory.completerThreadNames());

        List<String> late = new ArrayList<>();
        f.addDoneCallback(done -> late.add(Thread.currentThread().getName()));
        assertThat(late).containsExactly(Thread.currentThread().getName()); // already done: at once, here
    }

    // ---- wait and asCompleted ------------------------------------------------------------------------------------

    @Test
    void waitForAllAndForTheFirst() {
        String release = latch(1);
        Future<String> fast = pool.submit(() -> "fast");
        Future<String> slow = pool.submit(() -> {
            Signals.await(release);
            return "slow";
        });
        DoneAndNotDone<String> first = Futures.wait(List.of(fast, slow), ReturnWhen.FIRST_COMPLETED);
        assertThat(first.done()).contains(fast);
        assertThat(first.notDone()).containsExactly(slow);

        DoneAndNotDone<String> timedOut = Futures.wait(List.of(fast, slow), Duration.ofMillis(50));
        assertThat(timedOut.notDone()).containsExactly(slow);

        Signals.countDown(release);
        DoneAndNotDone<String> all = Futures.wait(List.of(fast, slow));
        assertThat(all.done()).containsExactlyInAnyOrder(fast, slow);
        assertThat(all.notDone()).isEmpty();
    }

    @Test
    void waitForTheFirstException() {
        String release = latch(1);
        Future<String> failing = pool.submit(() -> {
            throw new IllegalArgumentException("bad");
        });
        Future<String> slow = pool.submit(() -> {
            Signals.await(release);
            return "slow";
        });
        DoneAndNotDone<String> dn = Futures.wait(List.of(failing, slow), ReturnWhen.FIRST_EXCEPTION);
        assertThat(dn.done()).containsExactly(failing);
        Signals.countDown(release);
    }

    @Test
    void asCompletedHandsOutEachFutureAsItCompletes() {
        String release = latch(1);
        Future<String> slow = pool.submit(() -> {
            Signals.await(release);
            return "slow";
        });
        Future<String> fast = pool.submit(() -> "fast");
        List<String> order = new ArrayList<>();
        boolean released = false;
        for (Future<String> f : Futures.asCompleted(List.of(slow, fast, fast))) {
            order.add(f.result());
            if (!released) {
                Signals.countDown(release);
                released = true;
            }
        }
        assertThat(order).containsExactly("fast", "slow");
    }

    @Test
    void asCompletedTimesOut() {
        String release = latch(1);
        Future<String> slow = pool.submit(() -> {
            Signals.await(release);
            return "slow";
        });
        Iterator<Future<String>> it =
                Futures.asCompleted(List.of(slow), Duration.ofMillis(100)).iterator();
        assertThatThrownBy(it::next)
                .isInstanceOf(FutureTimeoutException.class)
                .hasMessage("1 (of 1) futures unfinished");
        Signals.countDown(release);
    }

    // ---- map -----------------------------------------------------------------------------------------------------

    @Test
    void mapGivesResultsInInputOrder() {
        List<Integer> items = IntStream.range(0, 500).boxed().toList();
        List<Integer> out = new ArrayList<>();
        for (int r : pool.map(i -> i * i, items)) {
            out.add(r);
        }
        assertThat(out).isEqualTo(items.stream().map(i -> i * i).toList());
    }

    @Test
    void mapOverTwoInputsStopsAtTheShorter() {
        Iterable<Integer> endless = () -> IntStream.iterate(0, i -> i + 1).iterator();
        List<String> out =
                pool.map((a, b) -> a + b, List.of("x", "y", "z"), endless).toList();
        assertThat(out).containsExactly("x0", "y1", "z2");
    }

    @Test
    void aFailingItemFailsOnlyItsOwnStep() {
        for (MapOptions options : List.of(
                MapOptions.defaults(),
                MapOptions.defaults().chunkSize(1),
                MapOptions.defaults().chunkSize(3))) {
            Iterator<Integer> it = pool.map(
                            (Integer i) -> {
                                if (i == 2) {
                                    throw new IllegalStateException("item 2");
                                }
                                return i;
                            },
                            List.of(0, 1, 2, 3, 4),
                            options)
                    .iterator();
            assertThat(it.next()).isZero();
            assertThat(it.next()).isOne();
            assertThatThrownBy(it::next)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("item 2");
            assertThat(it.next()).isEqualTo(3);
            assertThat(it.next()).isEqualTo(4);
            assertThat(it.hasNext()).isFalse();
        }
    }

    @Test
    void mapTimeoutCancelsWhatIsLeftAndEnds() {
        String release = latch(1);
        String ran = Signals.counter();
        MapResults<Integer> results = pool.map(
                (Integer i) -> {
                    Signals.increment(ran);
                    if (i == 1) {
                        Signals.await(release);
                    }
                    return i;
                },
                List.of(0, 1, 2, 3),
                MapOptions.defaults().chunkSize(1).timeout(Duration.ofMillis(500)));
        Iterator<Integer> it = results.iterator();
        assertThat(it.next()).isZero();
        assertThatThrownBy(it::next).isInstanceOf(FutureTimeoutException.class);
        assertThat(it.hasNext()).isFalse();
        Signals.countDown(release);
    }

    @Test
    void bufferSizeReadsTheInputOnlyThatFarAhead() {
        AtomicInteger read = new AtomicInteger();
        Iterable<Integer> endless = () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                return read.getAndIncrement();
            }
        };
        try (MapResults<Integer> results = pool.map(
                i -> i + 1, endless, MapOptions.defaults().bufferSize(4).chunkSize(1))) {
            assertThat(read.get()).isEqualTo(4); // the first four tasks, submitted at the call
            Iterator<Integer> it = results.iterator();
            for (int i = 0; i < 10; i++) {
                assertThat(it.next()).isEqualTo(i + 1);
            }
            assertThat(read.get()).isLessThanOrEqualTo(4 + 10);
        }
        assertThatThrownBy(() -> MapOptions.defaults().bufferSize(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void chunkSizeSendsSeveralItemsPerTask() {
        String perItem = Signals.counter();
        List<Integer> items = IntStream.range(0, 100).boxed().toList();
        List<String> out = pool.map(
                        (Integer i) -> {
                            Signals.increment(perItem);
                            return i + "@" + Thread.currentThread().getName();
                        },
                        items,
                        MapOptions.defaults().chunkSize(100))
                .toList();
        assertThat(out).hasSize(100);
        for (int i = 0; i < 100; i++) {
            assertThat(out.get(i)).startsWith(i + "@");
        }
        // one task: every item ran on the same thread, one after the other
        assertThat(out.stream().map(s -> s.substring(s.indexOf('@'))).distinct())
                .hasSize(1);
        assertThat(Signals.count(perItem)).isEqualTo(100);
    }

    @Test
    void mapSubmitsEveryTaskAtTheCall() {
        String ran = Signals.counter();
        pool.map(
                (Integer i) -> {
                    Signals.increment(ran);
                    return i;
                },
                List.of(1, 2, 3, 4, 5));
        pool.shutdown(true, false); // results never read: the tasks run all the same
        assertThat(Signals.count(ran)).isEqualTo(5);
    }

    @Test
    void closingMapResultsCancelsTheTasksNotStarted() {
        String started = latch(factory.concurrency());
        String release = latch(1);
        String ran = Signals.counter();
        MapResults<Integer> results = pool.map(
                (Integer i) -> {
                    Signals.increment(ran);
                    Signals.countDown(started);
                    Signals.await(release);
                    return i;
                },
                IntStream.range(0, 40).boxed().toList(),
                MapOptions.defaults().chunkSize(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> Signals.remaining(started) == 0);
        results.close();
        Signals.countDown(release);
        pool.shutdown(true, false);
        assertThat(Signals.count(ran)).isLessThan(40);
    }

    // ---- shutdown and close --------------------------------------------------------------------------------------

    @Test
    void shutdownWaitsForEveryTaskAndRejectsNewOnes() {
        String ran = Signals.counter();
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            fs.add(pool.submit(() -> {
                Thread.sleep(5);
                Signals.increment(ran);
                return n;
            }));
        }
        pool.shutdown(true, false);
        assertThat(pool.isShutdown()).isTrue();
        assertThat(fs).allMatch(Future::isDone);
        assertThat(Signals.count(ran)).isEqualTo(20);
        assertThatThrownBy(() -> pool.submit(() -> 1))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessage("cannot schedule new futures after shutdown");
        pool.shutdown(true, false); // again: harmless
    }

    @Test
    void shutdownWithCancelFuturesCancelsWhatHasNotStartedBeforeReturning() {
        String started = latch(factory.concurrency());
        String release = latch(1);
        String ran = Signals.counter();
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 5 * factory.concurrency(); i++) {
            int n = i;
            fs.add(pool.submit(() -> {
                Signals.increment(ran);
                Signals.countDown(started);
                Signals.await(release);
                return n;
            }));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Signals.remaining(started) == 0);
        pool.shutdown(false, true);
        long cancelled = fs.stream().filter(Future::isCancelled).count();
        assertThat(cancelled).isGreaterThan(0);
        List<Future<Integer>> notCancelled =
                fs.stream().filter(f -> !f.isCancelled()).toList();
        Signals.countDown(release);
        Futures.wait(notCancelled);
        assertThat(notCancelled).allMatch(f -> f.exception() == null);
        assertThat(Signals.count(ran)).isEqualTo(notCancelled.size()); // no cancelled task ever ran
    }

    @Test
    void closeWaitsForEveryTask() {
        String ran = Signals.counter();
        for (int i = 0; i < 10; i++) {
            pool.submit(() -> {
                Thread.sleep(10);
                Signals.increment(ran);
            });
        }
        pool.close();
        assertThat(Signals.count(ran)).isEqualTo(10);
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }
}
