package dev.fanout.contract;

import static dev.fanout.contract.PoolTestSupport.await;
import static dev.fanout.contract.PoolTestSupport.awaitIdle;
import static dev.fanout.contract.PoolTestSupport.concurrentSet;
import static dev.fanout.contract.PoolTestSupport.liveThreads;
import static dev.fanout.contract.PoolTestSupport.uniquePrefix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fanout.Executor;
import dev.fanout.Future;
import dev.fanout.Task;
import dev.fanout.TaskBiFunction;
import dev.fanout.TaskFunction;
import dev.fanout.ThreadPool;
import dev.fanout.VoidTask;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** API.md, {@code ThreadPool} and {@code Executor.submit}: workers, names, initializer, overloads, interrupts. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ThreadPoolContractTest {

    // ---- size ----------------------------------------------------------------------------------------------------

    @Test
    void defaultMaxWorkersIsPythons() {
        int expected = Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
        try (ThreadPool pool = new ThreadPool()) {
            assertThat(pool.maxWorkers()).isEqualTo(expected);
        }
        try (ThreadPool pool = ThreadPool.builder().build()) {
            assertThat(pool.maxWorkers()).isEqualTo(expected);
        }
    }

    @Test
    void maxWorkersIsWhatWasAskedFor() {
        try (ThreadPool pool = new ThreadPool(7)) {
            assertThat(pool.maxWorkers()).isEqualTo(7);
        }
        try (ThreadPool pool = ThreadPool.builder().maxWorkers(3).build()) {
            assertThat(pool.maxWorkers()).isEqualTo(3);
        }
    }

    @Test
    void maxWorkersBelowOneIsRejectedByConstructorAndBuilder() {
        for (int n : new int[] {0, -1, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> new ThreadPool(n))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxWorkers must be greater than 0");
            assertThatThrownBy(() -> ThreadPool.builder().maxWorkers(n))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxWorkers must be greater than 0");
        }
    }

    // ---- worker threads --------------------------------------------------------------------------------------------

    @Test
    void noThreadStartsBeforeTheFirstSubmit() throws Exception {
        String prefix = uniquePrefix("lazy");
        try (ThreadPool pool =
                ThreadPool.builder().maxWorkers(4).threadNamePrefix(prefix).build()) {
            assertThat(liveThreads(prefix)).isEmpty();
            assertThat(pool.maxWorkers()).isEqualTo(4);

            Thread worker = pool.submit(Thread::currentThread).result();

            assertThat(worker.getName()).isEqualTo(prefix + "_0");
            assertThat(liveThreads(prefix)).containsExactly(worker);
        }
    }

    @Test
    void anIdleWorkerIsReusedBeforeANewOneStarts() {
        String prefix = uniquePrefix("reuse");
        Set<Thread> used = concurrentSet();
        try (ThreadPool pool =
                ThreadPool.builder().maxWorkers(8).threadNamePrefix(prefix).build()) {
            for (int i = 0; i < 50; i++) {
                Thread worker = pool.submit(Thread::currentThread).result();
                used.add(worker);
                // result() returns as soon as the value is set, a moment before the worker is back at its queue (the
                // same window CPython has); "idle" means parked on the empty queue, so wait for exactly that.
                awaitIdle(worker);
            }
            assertThat(used).hasSize(1);
            assertThat(liveThreads(prefix)).hasSize(1);
        }
    }

    @Test
    void idleWorkersServeABurstBeforeNewOnesStart() throws Exception {
        String prefix = uniquePrefix("burst");
        try (ThreadPool pool =
                ThreadPool.builder().maxWorkers(8).threadNamePrefix(prefix).build()) {
            // three workers, all busy at once
            CountDownLatch started = new CountDownLatch(3);
            CountDownLatch release = new CountDownLatch(1);
            List<Future<Thread>> first = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    first.add(pool.submit(() -> {
                        started.countDown();
                        await(release);
                        return Thread.currentThread();
                    }));
                }
                await(started);
            } finally {
                release.countDown();
            }
            for (Future<Thread> f : first) {
                awaitIdle(f.result());
            }
            // three idle workers: a burst of three blocking tasks needs no new thread
            CountDownLatch allIn = new CountDownLatch(3);
            List<Future<Thread>> second = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                second.add(pool.submit(() -> {
                    allIn.countDown();
                    await(allIn);
                    return Thread.currentThread();
                }));
            }
            Set<Thread> secondThreads = concurrentSet();
            for (Future<Thread> f : second) {
                secondThreads.add(f.result());
            }
            assertThat(secondThreads).hasSize(3);
            assertThat(liveThreads(prefix)).hasSize(3);
        }
    }

    @Test
    void neverMoreThreadsThanMaxWorkers() throws Exception {
        int max = 4;
        String prefix = uniquePrefix("bounded");
        Set<String> names = concurrentSet();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostRunning = new AtomicInteger();
        CountDownLatch full = new CountDownLatch(max);
        CountDownLatch release = new CountDownLatch(1);
        List<Future<Void>> fs = new ArrayList<>();
        try (ThreadPool pool =
                ThreadPool.builder().maxWorkers(max).threadNamePrefix(prefix).build()) {
            try {
                for (int i = 0; i < 15 * max; i++) {
                    fs.add(pool.submit(() -> {
                        mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                        names.add(Thread.currentThread().getName());
                        full.countDown();
                        await(release);
                        running.decrementAndGet();
                    }));
                }
                await(full);
                assertThat(liveThreads(prefix)).hasSize(max);
                assertThat(fs.stream().filter(Future::isRunning)).hasSize(max);
            } finally {
                release.countDown();
            }
            for (Future<Void> f : fs) {
                f.result();
            }
        }
        assertThat(mostRunning.get()).isEqualTo(max);
        assertThat(names).hasSize(max);
    }

    @Test
    void workersAreNamedPrefixUnderscoreNCountingFromZero() throws Exception {
        String prefix = uniquePrefix("named");
        Set<String> names = concurrentSet();
        CountDownLatch allIn = new CountDownLatch(5);
        try (ThreadPool pool =
                ThreadPool.builder().maxWorkers(5).threadNamePrefix(prefix).build()) {
            List<Future<Void>> fs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                fs.add(pool.submit(() -> {
                    names.add(Thread.currentThread().getName());
                    allIn.countDown();
                    await(allIn); // all five at once, so five workers
                }));
            }
            fs.forEach(Future::result);
        }
        assertThat(names)
                .containsExactlyInAnyOrder(prefix + "_0", prefix + "_1", prefix + "_2", prefix + "_3", prefix + "_4");
    }

    @Test
    void theDefaultPrefixIsThreadPoolKWithKCountingPools() {
        Pattern defaultName = Pattern.compile("ThreadPool-(\\d+)_0");
        int[] k = new int[2];
        for (int i = 0; i < 2; i++) {
            try (ThreadPool pool = new ThreadPool(1)) {
                String name =
                        pool.submit(() -> Thread.currentThread().getName()).result();
                var m = defaultName.matcher(name);
                assertThat(m.matches()).as(name).isTrue();
                k[i] = Integer.parseInt(m.group(1));
            }
        }
        assertThat(k[1]).as("a pool made later has a higher K").isGreaterThan(k[0]);
    }

    @Test
    void threadNamePrefixIsUsedAsIs() {
        try (ThreadPool pool =
                ThreadPool.builder().threadNamePrefix("downloader").build()) {
            assertThat(pool.submit(() -> Thread.currentThread().getName()).result())
                    .isEqualTo("downloader_0");
        }
        assertThatThrownBy(() -> ThreadPool.builder().threadNamePrefix(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void workerThreadsAreDaemons() {
        try (ThreadPool pool = new ThreadPool(2)) {
            assertThat(pool.submit(() -> Thread.currentThread().isDaemon()).result())
                    .isTrue();
        }
        // even when the thread factory makes user threads: idle workers must never keep the JVM alive
        ThreadFactory userThreads = r -> {
            Thread t = new Thread(r);
            t.setDaemon(false);
            return t;
        };
        try (ThreadPool pool = ThreadPool.builder().threadFactory(userThreads).build()) {
            assertThat(pool.submit(() -> Thread.currentThread().isDaemon()).result())
                    .isTrue();
        }
    }

    // ---- initializer -------------------------------------------------------------------------------------------

    @Test
    void theInitializerRunsOncePerWorkerBeforeItsFirstTask() throws Exception {
        Map<Thread, AtomicInteger> initialized = new ConcurrentHashMap<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        int workers = 3;
        CountDownLatch allIn = new CountDownLatch(workers);
        try (ThreadPool pool = ThreadPool.builder()
                .maxWorkers(workers)
                .initializer(() -> initialized
                        .computeIfAbsent(Thread.currentThread(), t -> new AtomicInteger())
                        .incrementAndGet())
                .build()) {
            assertThat(initialized).as("no worker, no initializer").isEmpty();
            List<Future<Void>> fs = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                int n = i;
                fs.add(pool.submit(() -> {
                    AtomicInteger count = initialized.get(Thread.currentThread());
                    if (count == null || count.get() != 1) {
                        violations.add("task " + n + " ran on " + Thread.currentThread() + " initialized " + count);
                    }
                    if (n < workers) {
                        allIn.countDown();
                        await(allIn); // the first tasks hold their workers so that all three start
                    }
                }));
            }
            fs.forEach(Future::result);
        }
        assertThat(violations).isEmpty();
        assertThat(initialized).hasSize(workers);
        assertThat(initialized.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
    }

    // ---- submit ------------------------------------------------------------------------------------------------

    @Test
    void submitAfterShutdownIsRejected() {
        try (ThreadPool pool = new ThreadPool(2)) {
            pool.shutdown();
            assertRejected(pool);
        }
    }

    private static void assertRejected(ThreadPool pool) {
        assertThatThrownBy(() -> pool.submit(() -> 1))
                .isExactlyInstanceOf(RejectedExecutionException.class)
                .hasMessage("cannot schedule new futures after shutdown");
        assertThatThrownBy(() -> pool.submit(() -> {}))
                .isExactlyInstanceOf(RejectedExecutionException.class)
                .hasMessage("cannot schedule new futures after shutdown");
        assertThatThrownBy(() -> pool.execute(() -> {}))
                .isExactlyInstanceOf(RejectedExecutionException.class)
                .hasMessage("cannot schedule new futures after shutdown");
    }

    @Test
    void submitRejectsNull() {
        try (ThreadPool pool = new ThreadPool(1)) {
            assertThatThrownBy(() -> pool.submit((Task<Object>) null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> pool.submit((VoidTask) null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> pool.submit((Callable<Object>) null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> pool.execute(null)).isInstanceOf(NullPointerException.class);
        }
    }

    @Test
    void aValueLambdaResolvesToTheSerializableTaskOverload() throws Exception {
        RecordingExecutor recorder = new RecordingExecutor();
        recorder.submit(() -> 42);
        recorder.submit(() -> "x".repeat(2)); // value- and void-compatible: the value overload wins
        recorder.submit(() -> Thread.sleep(0));
        assertThat(recorder.calls).containsExactly("task", "task", "void");
        // serializable for real, so that the same lambda can travel to a cluster backend
        for (Object task : recorder.tasks) {
            assertThat(task).isInstanceOf(Serializable.class);
            try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
                out.writeObject(task);
            }
        }
    }

    @Test
    void everyFunctionalInterfaceOfTheApiIsSerializable() {
        for (Class<?> type : List.of(Task.class, VoidTask.class, TaskFunction.class, TaskBiFunction.class)) {
            assertThat(Serializable.class).as(type.getSimpleName()).isAssignableFrom(type);
        }
        assertThat(Callable.class).isAssignableFrom(Task.class);
    }

    @Test
    void aVoidLambdaResolvesToTheVoidOverloadAndAPlainCallableToTheCallableOne() {
        RecordingExecutor recorder = new RecordingExecutor();
        recorder.submit(() -> Thread.sleep(0));
        recorder.submit(() -> {
            Thread.sleep(0);
        });
        recorder.submit(new PlainCallable());
        // a body that only throws is both: the value overload wins, as ExecutorService.submit picks Callable
        recorder.submit(() -> {
            throw new IOException("checked, without try/catch");
        });
        assertThat(recorder.calls).containsExactly("void", "void", "callable", "task");
    }

    @Test
    void aValueLambdaRunsAndItsFutureHasTheValue() {
        try (ThreadPool pool = new ThreadPool(2)) {
            Future<Integer> f = pool.submit(() -> 6 * 7);
            assertThat(f.result()).isEqualTo(42);
        }
    }

    @Test
    void aVoidLambdaRunsAndItsFutureHasTheResultNull() {
        AtomicInteger ran = new AtomicInteger();
        try (ThreadPool pool = new ThreadPool(2)) {
            Future<Void> f = pool.submit(() -> {
                Thread.sleep(1); // checked InterruptedException, no try/catch
                ran.incrementAndGet();
            });
            assertThat(f.result()).isNull();
            assertThat(f.exception()).isNull();
            assertThat(f.isDone()).isTrue();
        }
        assertThat(ran).hasValue(1);
    }

    @Test
    void aPlainCallableObjectIsAccepted() {
        try (ThreadPool pool = new ThreadPool(2)) {
            Callable<String> callable = new PlainCallable();
            assertThat(pool.submit(callable).result()).isEqualTo("plain");
            Executor asInterface = pool;
            assertThat(asInterface.submit(callable).result()).isEqualTo("plain");
        }
    }

    @Test
    void lambdasMayThrowCheckedExceptionsWithoutTryCatch() {
        IOException thrown = new IOException("boom");
        try (ThreadPool pool = new ThreadPool(2)) {
            Future<String> value = pool.submit(() -> {
                if (thrown != null) {
                    throw thrown;
                }
                return "unreachable";
            });
            Future<Void> nothing = pool.submit(() -> {
                throw thrown;
            });
            for (Future<?> f : List.of(value, nothing)) {
                assertThatThrownBy(f::result)
                        .isExactlyInstanceOf(CompletionException.class)
                        .cause()
                        .isSameAs(thrown);
                assertThat(f.exception()).isSameAs(thrown);
            }
            // the function types of map too
            TaskFunction<String, Integer> parse = s -> {
                Thread.sleep(0);
                return Integer.parseInt(s);
            };
            TaskBiFunction<String, String, String> join = (a, b) -> {
                Thread.sleep(0);
                return a + b;
            };
            assertThat(pool.map(parse, List.of("1", "2")).toList()).containsExactly(1, 2);
            assertThat(pool.map(join, List.of("1", "2"), List.of("a", "b")).toList())
                    .containsExactly("1a", "2b");
        }
    }

    @Test
    void anUncheckedExceptionComesBackAsTheSameInstance() {
        IllegalStateException thrown = new IllegalStateException("boom");
        try (ThreadPool pool = new ThreadPool(2)) {
            Future<Void> f = pool.submit(() -> {
                throw thrown;
            });
            assertThatThrownBy(f::result).isSameAs(thrown);
        }
    }

    // ---- java.util.concurrent.Executor ----------------------------------------------------------------------------

    @Test
    void thePoolIsAJavaUtilConcurrentExecutor() throws Exception {
        CountDownLatch ran = new CountDownLatch(3);
        try (ThreadPool pool = new ThreadPool(2)) {
            java.util.concurrent.Executor plain = pool;
            for (int i = 0; i < 3; i++) {
                plain.execute(ran::countDown);
            }
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void anExceptionFromAnExecutedRunnableReachesTheUncaughtExceptionHandler() throws Exception {
        AtomicReference<Throwable> caught = new AtomicReference<>();
        AtomicReference<Thread> caughtOn = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch handled = new CountDownLatch(1);
        ThreadFactory withHandler = r -> {
            Thread t = new Thread(r);
            t.setUncaughtExceptionHandler((thread, e) -> {
                calls.incrementAndGet();
                caughtOn.set(thread);
                caught.set(e);
                handled.countDown();
            });
            return t;
        };
        IllegalStateException thrown = new IllegalStateException("lost unless handled");
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        try (ThreadPool pool =
                ThreadPool.builder().maxWorkers(1).threadFactory(withHandler).build()) {
            pool.execute(() -> {
                ranOn.set(Thread.currentThread());
                throw thrown;
            });
            assertThat(handled.await(10, TimeUnit.SECONDS)).isTrue();
            // the worker survives and runs the next task
            assertThat(pool.submit(() -> Thread.currentThread()).result()).isSameAs(ranOn.get());
        }
        assertThat(caught.get()).isSameAs(thrown);
        assertThat(caughtOn.get()).isSameAs(ranOn.get());
        assertThat(calls).hasValue(1);
    }

    // ---- interrupts --------------------------------------------------------------------------------------------

    @Test
    void runningTasksAreNeverInterruptedByShutdownOrCancel() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Boolean> interruptedInTask = new AtomicReference<>();
        Future<String> running;
        try (ThreadPool pool = new ThreadPool(1)) {
            running = pool.submit(() -> {
                started.countDown();
                try {
                    await(release);
                } catch (InterruptedException e) {
                    interruptedInTask.set(true);
                    throw e;
                }
                interruptedInTask.set(Thread.currentThread().isInterrupted());
                return "finished";
            });
            try {
                await(started);
                assertThat(running.cancel()).isFalse();
                assertThat(running.cancel(true)).isFalse();
                pool.shutdown(false, true);
                assertThat(running.isRunning()).isTrue();
                assertThat(running.isCancelled()).isFalse();
            } finally {
                release.countDown();
            }
        }
        assertThat(running.result()).isEqualTo("finished");
        assertThat(interruptedInTask.get()).isFalse();
    }

    @Test
    void anInterruptLeftByATaskDoesNotReachTheNextTask() throws Exception {
        CountDownLatch nextQueued = new CountDownLatch(1);
        try (ThreadPool pool = new ThreadPool(1)) {
            Future<Thread> first = pool.submit(() -> {
                await(nextQueued); // the next task is queued before this one ends: the worker goes straight to it
                Thread.currentThread().interrupt();
                return Thread.currentThread();
            });
            Future<Boolean> next = pool.submit(() -> Thread.currentThread().isInterrupted());
            nextQueued.countDown();
            assertThat(next.result()).isFalse();
            assertThat(pool.submit(Thread::currentThread).result()).isSameAs(first.result());
        }
    }

    @Test
    void anInterruptOfAnIdleWorkerDoesNotReachItsNextTask() {
        try (ThreadPool pool = new ThreadPool(1)) {
            Thread worker = pool.submit(Thread::currentThread).result();
            awaitIdle(worker);
            worker.interrupt();
            Future<Boolean> next = pool.submit(() -> Thread.currentThread().isInterrupted());
            Future<Thread> ranOn = pool.submit(Thread::currentThread);
            assertThat(next.result()).isFalse();
            assertThat(ranOn.result()).as("the interrupted worker lived on").isSameAs(worker);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** A plain Callable, neither a Task nor Serializable. */
    private static final class PlainCallable implements Callable<String> {
        @Override
        public String call() {
            return "plain";
        }
    }

    /** Records which overload of submit a call site picked; runs nothing. */
    private static final class RecordingExecutor implements Executor {
        final List<String> calls = new ArrayList<>();
        final List<Object> tasks = new ArrayList<>();

        @Override
        public <T> Future<T> submit(Task<T> task) {
            calls.add("task");
            tasks.add(task);
            return null;
        }

        @Override
        public Future<Void> submit(VoidTask task) {
            calls.add("void");
            tasks.add(task);
            return null;
        }

        @Override
        public <T> Future<T> submit(Callable<T> task) {
            calls.add("callable");
            tasks.add(task);
            return null;
        }

        @Override
        public void shutdown(boolean wait, boolean cancelFutures) {}

        @Override
        public boolean isShutdown() {
            return false;
        }
    }
}
