package dev.fanout.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fanout.AsCompleted;
import dev.fanout.BrokenThreadPoolException;
import dev.fanout.Executor;
import dev.fanout.Future;
import dev.fanout.FutureTimeoutException;
import dev.fanout.Futures;
import dev.fanout.MapOptions;
import dev.fanout.MapResults;
import dev.fanout.Promise;
import dev.fanout.Task;
import dev.fanout.ThreadPool;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Documented behaviour that no other test pinned down, found through the mutants PIT left alive on the current code
 * (see RELIABILITY.md): what {@code asCompleted} hands out and when, the default methods of {@link Executor}, the room
 * of a bounded queue when a worker cannot start, breaks or is shut down, the end of a map whose input throws, and
 * progress. Each test states the behaviour it holds the code to; none exists only to run a line.
 */
@Timeout(60)
class MutantKillersTest {
    private static final Duration LONG = Duration.ofSeconds(30);
    /** How long a test waits for something that must happen at once; a mutant that never does it fails after this. */
    private static final Duration SOON = Duration.ofSeconds(10);

    private final CountDownLatch release = new CountDownLatch(1);
    private final List<ThreadPool> pools = new ArrayList<>();
    private final Logger fanoutLog = Logger.getLogger("dev.fanout");

    @BeforeEach
    void quietLog() {
        fanoutLog.setUseParentHandlers(false); // the initializer failures logged here are expected
    }

    @AfterEach
    void shutDown() {
        release.countDown();
        pools.forEach(p -> p.shutdown(true, false));
        fanoutLog.setUseParentHandlers(true);
    }

    private ThreadPool pool(ThreadPool.Builder builder) {
        ThreadPool p = builder.build();
        pools.add(p);
        return p;
    }

    /** Submits a task that blocks until the test ends, and waits until it runs. */
    private void occupy(ThreadPool p) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        p.submit(() -> {
            running.countDown();
            release.await();
        });
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
    }

    // ---- asCompleted -------------------------------------------------------------------------------------------

    /** A future added again after it was handed out is handed out again (the iteration forgets what it handed out). */
    @Test
    void aFutureAddedAgainAfterItsHandOutIsHandedOutAgain() {
        Promise<Integer> done = new Promise<>();
        done.setResult(1);
        AsCompleted<Integer> ac = Futures.asCompleted(List.of(done));
        Iterator<Future<Integer>> it = ac.iterator();
        assertThat(it.next()).isSameAs(done);
        ac.add(done);
        assertThat(it.next()).isSameAs(done);
        ac.add(done);
        assertThat(it.hasNext()).isTrue();
        assertThat(it.next()).isSameAs(done);
        assertThat(it.hasNext()).isFalse();
    }

    /**
     * Those done at the call come first, before one that completes during the call. The future completing during the
     * call is made deterministic by a promise whose {@code isDone()} (asked by the call) completes it, in place of a
     * worker finishing it at that moment.
     */
    @Test
    void futuresDoneAtTheCallComeBeforeOneThatCompletesDuringIt() {
        Promise<String> completesDuringTheCall = new Promise<>();
        AtomicBoolean armed = new AtomicBoolean();
        Promise<String> doneAtTheCall = new Promise<>() {
            @Override
            public boolean isDone() {
                if (armed.compareAndSet(true, false)) {
                    completesDuringTheCall.setResult("during");
                }
                return super.isDone();
            }
        };
        doneAtTheCall.setResult("before");
        armed.set(true);
        List<Future<String>> order = new ArrayList<>();
        Futures.asCompleted(List.of(completesDuringTheCall, doneAtTheCall)).forEach(order::add);
        assertThat(armed).as("the call asked isDone()").isFalse();
        assertThat(order).containsExactly(doneAtTheCall, completesDuringTheCall);
    }

    /** An interrupted {@code next()} throws, even with a completed future ready, and keeps the interrupt flag. */
    @Test
    void anInterruptedNextThrowsAndKeepsTheFlag() {
        Promise<Integer> later = new Promise<>();
        Iterator<Future<Integer>> it = Futures.asCompleted(List.of(later)).iterator();
        later.setResult(1); // completed after the call: queued for next(), not among those done at the call
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(it::next).isInstanceOf(CancellationException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(it.next()).as("the iteration goes on").isSameAs(later);
    }

    /**
     * A future that is no {@link Promise} and is added again while pending is handed out once: the iteration knows it
     * is waiting for it.
     */
    @Test
    void aForeignFutureAddedTwiceWhilePendingIsHandedOutOnce() {
        Promise<Integer> inside = new Promise<>();
        Future<Integer> foreign = foreign(inside);
        AsCompleted<Integer> ac = Futures.asCompleted(List.of(foreign));
        ac.add(foreign);
        inside.setResult(1);
        List<Future<Integer>> handedOut = new ArrayList<>();
        ac.forEach(handedOut::add);
        assertThat(handedOut).containsExactly(foreign);
    }

    /**
     * An iteration that keeps adding futures drops the registrations of those done now and then; the pending ones
     * stay registered, so the timeout still takes their listeners back.
     */
    @Test
    void droppingTheRegistrationsOfDoneFuturesKeepsThePendingOnes() {
        Promise<Integer> first = new Promise<>();
        AsCompleted<Integer> ac = Futures.asCompleted(List.of(first), Duration.ofMillis(100));
        List<Promise<Integer>> added = new ArrayList<>();
        for (int i = 0; i < 63; i++) {
            Promise<Integer> p = new Promise<>();
            added.add(p);
            ac.add(p);
        }
        added.forEach(p -> p.setResult(0));
        Promise<Integer> last = new Promise<>();
        ac.add(last); // 64 registrations already: the 63 done ones are dropped here
        Iterator<Future<Integer>> it = ac.iterator();
        for (int i = 0; i < 63; i++) {
            assertThat(it.next().isDone()).isTrue();
        }
        assertThatThrownBy(it::next)
                .isInstanceOf(FutureTimeoutException.class)
                .hasMessage("2 (of 65) futures unfinished");
        assertThat(PromiseStateMachineTest.stackSize(first))
                .as("the listener of the future given at the call")
                .isZero();
        assertThat(PromiseStateMachineTest.stackSize(last)).isZero();
    }

    // ---- fromCompletionStage -----------------------------------------------------------------------------------

    /** A dependent stage fails with a CompletionException around the cause: the future has the cause itself. */
    @Test
    void aFailedDependentStageGivesItsCause() {
        CompletableFuture<Integer> source = new CompletableFuture<>();
        IllegalStateException boom = new IllegalStateException("boom");
        CompletionStage<Integer> dependent = source.thenApply(x -> {
            throw boom;
        });
        Future<Integer> f = Futures.fromCompletionStage(dependent);
        source.complete(1);
        assertThat(f.exception(LONG)).isSameAs(boom);
    }

    // ---- Executor's default methods ----------------------------------------------------------------------------

    /** Runs each task at once on the caller; records the tasks it was given. */
    private static final class Inline implements Executor {
        final List<Task<?>> given = new ArrayList<>();

        @Override
        public <T> Future<T> submit(Task<T> task) {
            given.add(task);
            Promise<T> p = new Promise<>();
            try {
                p.setResult(task.call());
            } catch (Exception e) {
                p.setException(e);
            }
            return p;
        }

        @Override
        public void shutdown(boolean wait, boolean cancelFutures) {}

        @Override
        public boolean isShutdown() {
            return false;
        }
    }

    /** {@code submit(Callable)} hands a {@link Task} on as itself (a backend may need the very object); wraps others. */
    @Test
    void submitOfACallableHandsATaskOnAsItself() {
        Inline inline = new Inline();
        Task<String> task = () -> "task";
        Callable<String> asCallable = task;
        assertThat(inline.submit(asCallable).result()).isEqualTo("task");
        assertThat(inline.given).containsExactly(task);

        Callable<String> plain = () -> "plain";
        assertThat(inline.submit(plain).result()).isEqualTo("plain");
        assertThat(inline.given).hasSize(2);
    }

    @Test
    void mapUnorderedWithOptionsKeepsTheOptions() throws Exception {
        ThreadPool p = pool(ThreadPool.builder().maxWorkers(2));
        List<Report> progress = new CopyOnWriteArrayList<>();
        List<Integer> results = p.mapUnordered(
                        x -> x * 10,
                        List.of(1, 2, 3, 4, 5),
                        MapOptions.defaults().chunkSize(2).progress((d, t) -> progress.add(new Report(d, t))))
                .toList();
        assertThat(results).containsExactlyInAnyOrder(10, 20, 30, 40, 50);
        await().atMost(SOON).until(() -> progress.contains(new Report(5, 5)));
    }

    // ---- MapOptions ------------------------------------------------------------------------------------------------

    @Test
    void whetherAChunkSizeWasSetIsKnownAndPrinted() {
        assertThat(MapOptions.defaults().isChunkSizeSet()).isFalse();
        assertThat(MapOptions.defaults().chunkSize(1).isChunkSizeSet()).isTrue();
        assertThat(MapOptions.defaults().toString()).contains("chunkSize=default");
        assertThat(MapOptions.defaults().chunkSize(1).toString()).contains("chunkSize=1");
    }

    // ---- map -----------------------------------------------------------------------------------------------------

    /** The tasks submitted at the call report progress even if nobody iterates the results. */
    @Test
    void progressIsReportedWithoutIteration() {
        ThreadPool p = pool(ThreadPool.builder().maxWorkers(2));
        List<Report> reports = new CopyOnWriteArrayList<>();
        MapOptions options = MapOptions.defaults().progress((d, t) -> reports.add(new Report(d, t)));
        MapResults<Integer> results = p.map(x -> x, List.of(1, 2, 3), options); // never iterated
        try {
            await().atMost(SOON).until(() -> reports.contains(new Report(3, 3)));
        } finally {
            results.close();
        }
    }

    /** The end of the input is reported even when no task completes after it: an empty input reports (0, 0). */
    @Test
    void anEmptyInputReportsItsEnd() {
        ThreadPool p = pool(ThreadPool.builder().maxWorkers(1));
        List<Report> reports = new CopyOnWriteArrayList<>();
        MapOptions options = MapOptions.defaults().progress((d, t) -> reports.add(new Report(d, t)));
        assertThat(p.map(x -> x, List.<Integer>of(), options).toList()).isEmpty();
        assertThat(reports).containsExactly(new Report(0, 0));
    }

    /**
     * A bounded map whose input throws while {@code next()} reads ahead rethrows it and ends: the step's own task and
     * the others submitted are cancelled (here all are still queued), and {@code hasNext()} is false.
     */
    @Test
    void anInputThatThrowsDuringNextEndsTheMap() throws Exception {
        ThreadPool one = pool(ThreadPool.builder().maxWorkers(1));
        occupy(one);
        List<Integer> ran = new CopyOnWriteArrayList<>();
        Iterator<Integer> input = new Iterator<>() {
            int n;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                if (++n == 3) {
                    throw new IllegalStateException("input broke");
                }
                return n;
            }
        };
        Iterator<Integer> it = one.map(
                        x -> {
                            ran.add(x);
                            return x;
                        },
                        input,
                        MapOptions.defaults().bufferSize(2))
                .iterator();
        assertThatThrownBy(it::next).hasMessage("input broke");
        assertThat(it.hasNext()).isFalse();
        release.countDown();
        one.shutdown(true, false);
        assertThat(ran)
                .as("both submitted tasks were cancelled before they could start")
                .isEmpty();
    }

    /** An unordered consumer interrupted while it waits gets a CancellationException and keeps its interrupt flag. */
    @Test
    void anInterruptedUnorderedConsumerKeepsItsFlag() throws Exception {
        ThreadPool p = pool(ThreadPool.builder().maxWorkers(1));
        Iterator<Integer> it = p.mapUnordered(
                        x -> {
                            release.await();
                            return x;
                        },
                        List.of(1))
                .iterator();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean flag = new AtomicBoolean();
        Thread consumer = new Thread(() -> {
            try {
                it.next();
            } catch (Throwable t) {
                thrown.set(t);
            }
            flag.set(Thread.currentThread().isInterrupted());
        });
        consumer.start();
        PromiseStateMachineTest.awaitParked(consumer);
        consumer.interrupt();
        consumer.join(SOON.toMillis());
        assertThat(thrown.get()).isInstanceOf(CancellationException.class);
        assertThat(flag).isTrue();
    }

    /**
     * {@code close()} from another thread while an ordered consumer waits for a task that has not started: the task is
     * cancelled and the consumer gets a CancellationException (not the result once the task runs).
     */
    @Test
    void closeCancelsTheTaskAnOrderedConsumerWaitsFor() throws Exception {
        ThreadPool one = pool(ThreadPool.builder().maxWorkers(1));
        occupy(one);
        MapResults<Integer> results = one.map(x -> x, List.of(1));
        Iterator<Integer> it = results.iterator();
        AtomicReference<Object> got = new AtomicReference<>();
        Thread consumer = new Thread(() -> {
            try {
                got.set(it.next());
            } catch (Throwable t) {
                got.set(t);
            }
        });
        consumer.start();
        PromiseStateMachineTest.awaitParked(consumer);
        results.close();
        consumer.join(SOON.toMillis());
        release.countDown();
        consumer.join(LONG.toMillis());
        assertThat(got.get()).isInstanceOf(CancellationException.class);
        assertThat(it.hasNext()).isFalse();
    }

    // ---- the room of a bounded queue -----------------------------------------------------------------------------

    /**
     * A submit refused because no worker could start gives its place in the queue back: the factory is asked again
     * at the next submit, which succeeds once it works.
     */
    @Test
    void aWorkerThatCannotStartCostsNoPlaceInTheQueue() {
        AtomicInteger calls = new AtomicInteger();
        ThreadFactory failsOnce = r -> {
            if (calls.getAndIncrement() == 0) {
                throw new IllegalStateException("no thread now");
            }
            return new Thread(r);
        };
        ThreadPool p = pool(ThreadPool.builder()
                .maxWorkers(1)
                .maxPending(1, ThreadPool.WhenFull.REJECT)
                .threadFactory(failsOnce));
        assertThatThrownBy(() -> p.submit(() -> 1))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageStartingWith("cannot start a worker thread");
        assertThat(p.submit(() -> 2).result(LONG)).isEqualTo(2);
    }

    /**
     * A broken pool gives back the places of the tasks it fails, so that a later submit to a bounded pool is told the
     * pool is broken, not that its queue is full.
     */
    @Test
    void aBrokenBoundedPoolSaysItIsBroken() throws Exception {
        CountDownLatch fail = new CountDownLatch(1);
        ThreadPool p = pool(ThreadPool.builder()
                .maxWorkers(1)
                .maxPending(1, ThreadPool.WhenFull.REJECT)
                .initializer(() -> {
                    fail.await();
                    throw new IllegalStateException("initializer failed");
                }));
        Future<Integer> queued = p.submit(() -> 1); // waits in the queue while the initializer runs
        fail.countDown();
        assertThat(queued.exception(LONG)).isInstanceOf(BrokenThreadPoolException.class);
        assertThatThrownBy(() -> p.submit(() -> 2)).isInstanceOf(BrokenThreadPoolException.class);
    }

    /**
     * {@code shutdown(cancelFutures)} gives back the places of the tasks it drains, even of one completed by hand
     * (which it cannot cancel): a later submit is told the pool is shut down, not that its queue is full.
     */
    @Test
    void aShutdownBoundedPoolSaysItIsShutDown() throws Exception {
        ThreadPool p = pool(ThreadPool.builder().maxWorkers(1).maxPending(1, ThreadPool.WhenFull.REJECT));
        occupy(p);
        Future<Integer> queued = p.submit(() -> 1);
        ((Promise<Integer>) queued).setResult(7);
        p.shutdown(false, true);
        assertThat(queued.result()).isEqualTo(7);
        assertThatThrownBy(() -> p.submit(() -> 2))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessage("cannot schedule new futures after shutdown");
    }

    /**
     * A worker whose initializer fails after shutdown has queued the wake-up passes the wake-up on: the other worker,
     * busy meanwhile, still ends, so {@code shutdown(wait)} returns.
     */
    @Test
    void anInitializerFailingAfterShutdownStillLetsTheOtherWorkersEnd() throws Exception {
        AtomicInteger initialized = new AtomicInteger();
        CountDownLatch secondStarted = new CountDownLatch(1);
        CountDownLatch fail = new CountDownLatch(1);
        List<Thread> threads = new CopyOnWriteArrayList<>();
        ThreadPool p = pool(ThreadPool.builder()
                .maxWorkers(2)
                .threadFactory(r -> {
                    Thread t = new Thread(r);
                    threads.add(t);
                    return t;
                })
                .initializer(() -> {
                    if (initialized.incrementAndGet() == 2) {
                        secondStarted.countDown();
                        fail.await();
                        throw new IllegalStateException("second initializer failed");
                    }
                }));
        occupy(p); // the first worker is busy
        Future<Integer> queued = p.submit(() -> 1); // starts the second worker, whose initializer waits
        assertThat(secondStarted.await(30, TimeUnit.SECONDS)).isTrue();
        p.shutdown(false, false); // queues the wake-up behind the task
        fail.countDown(); // the second worker drains the queue: the task and the wake-up
        assertThat(queued.exception(LONG)).isInstanceOf(BrokenThreadPoolException.class);
        release.countDown(); // the first worker finishes and must find the wake-up
        assertThat(threads).hasSize(2);
        await().atMost(SOON).until(() -> threads.stream().noneMatch(Thread::isAlive));
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** One call of a progress listener. */
    private record Report(long done, long total) {}

    /** A {@link Future} that is not a {@link Promise}: delegates to one, and hands itself to its callbacks. */
    @SuppressWarnings("unchecked")
    private static <T> Future<T> foreign(Promise<T> inside) {
        return (Future<T>) Proxy.newProxyInstance(
                Future.class.getClassLoader(), new Class<?>[] {Future.class}, (proxy, m, a) -> {
                    switch (m.getName()) {
                        case "equals":
                            return proxy == a[0];
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "toString":
                            return "Foreign" + inside;
                        case "addDoneCallback":
                            inside.addDoneCallback(done -> ((Consumer<Object>) a[0]).accept(proxy));
                            return proxy;
                        default:
                            try {
                                return m.invoke(inside, a);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                    }
                });
    }
}
