package dev.fanout.contract;

import static dev.fanout.contract.PoolTestSupport.await;
import static dev.fanout.contract.PoolTestSupport.concurrentSet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fanout.Future;
import dev.fanout.ThreadPool;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ThreadPool.builder().virtualThreads()}: virtual workers on JDK 21 and newer, a clear refusal on older JDKs.
 * The build runs the suite on JDK 17 and on JDK 25, so each side is exercised somewhere.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VirtualThreadsTest {
    private static final int JDK = Runtime.version().feature();

    @Test
    void onJdk17BuildRefusesWithAClearMessage() {
        assumeTrue(JDK < 21, "virtual threads exist on this JDK");
        assertThatThrownBy(() -> ThreadPool.builder().virtualThreads().build())
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("virtual threads")
                .hasMessageContaining("21");
    }

    @Test
    void tasksRunOnVirtualThreads() throws Exception {
        assumeTrue(JDK >= 21, "virtual threads need JDK 21");
        String prefix = PoolTestSupport.uniquePrefix("virtual");
        try (ThreadPool pool = ThreadPool.builder()
                .virtualThreads()
                .maxWorkers(4)
                .threadNamePrefix(prefix)
                .build()) {
            Thread worker = pool.submit(Thread::currentThread).result();
            assertThat(isVirtual(worker)).isTrue();
            assertThat(isVirtual(Thread.currentThread())).isFalse();
            assertThat(worker.getName()).matches(Pattern.quote(prefix) + "_\\d+");
            assertThat(worker.isDaemon()).isTrue();
            assertThat(pool.submit(() -> "value").result()).isEqualTo("value");
            assertThat(pool.map(i -> i * 2, List.of(1, 2, 3)).toList()).containsExactly(2, 4, 6);
        }
    }

    @Test
    void concurrencyIsStillBoundedByMaxWorkers() throws Exception {
        assumeTrue(JDK >= 21, "virtual threads need JDK 21");
        int max = 3;
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostRunning = new AtomicInteger();
        Set<Thread> workers = concurrentSet();
        CountDownLatch full = new CountDownLatch(max);
        CountDownLatch release = new CountDownLatch(1);
        List<Future<Void>> fs = new ArrayList<>();
        try (ThreadPool pool =
                ThreadPool.builder().virtualThreads().maxWorkers(max).build()) {
            try {
                for (int i = 0; i < 30; i++) {
                    fs.add(pool.submit(() -> {
                        mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                        workers.add(Thread.currentThread());
                        full.countDown();
                        await(release);
                        running.decrementAndGet();
                    }));
                }
                await(full);
                assertThat(fs.stream().filter(Future::isRunning)).hasSize(max);
            } finally {
                release.countDown();
            }
            fs.forEach(Future::result);
        }
        assertThat(mostRunning).hasValue(max);
        assertThat(workers).hasSize(max);
    }

    @Test
    void tenThousandBlockedTasksAreInFlightAtOnce() throws Exception {
        assumeTrue(JDK >= 21, "virtual threads need JDK 21");
        int n = 10_000;
        CountDownLatch allArrived = new CountDownLatch(n);
        CountDownLatch release = new CountDownLatch(1);
        List<Future<Void>> fs = new ArrayList<>(n);
        try (ThreadPool pool =
                ThreadPool.builder().virtualThreads().maxWorkers(n).build()) {
            try {
                for (int i = 0; i < n; i++) {
                    fs.add(pool.submit(() -> {
                        allArrived.countDown();
                        await(release); // nobody leaves before everybody is in
                    }));
                }
                assertThat(allArrived.await(30, TimeUnit.SECONDS))
                        .as("all %d tasks blocked at once; %d missing", n, allArrived.getCount())
                        .isTrue();
                assertThat(fs.stream().filter(Future::isRunning)).hasSize(n);
            } finally {
                release.countDown();
            }
            for (Future<Void> f : fs) {
                assertThat(f.result(Duration.ofSeconds(30))).isNull();
            }
        }
    }

    @Test
    void aProgramWhoseMainReturnsWithoutShutdownRunsEveryVirtualTask() throws Exception {
        assumeTrue(JDK >= 21, "virtual threads need JDK 21");
        PoolTestSupport.ChildResult child =
                PoolTestSupport.runJava(UnclosedPoolMain.class, Duration.ofSeconds(30), "virtual-never-shut-down");
        assertThat(child.stderr()).isEmpty();
        assertThat(child.exitCode()).isZero();
        assertThat(child.lines())
                .containsExactlyInAnyOrder("main returns", "task 0", "task 1", "task 2", "task 3", "task 4");
    }

    /**
     * Virtual threads are not pooled: each task starts a thread while fewer than maxWorkers run, a thread runs what
     * was queued behind it, and none is left once the work is done. shutdown(cancelFutures) cancels what is queued.
     */
    @Test
    void threadsEndWhenTheQueueIsEmptyAndQueuedTasksCanBeCancelled() throws Exception {
        assumeTrue(JDK >= 21, "virtual threads need JDK 21");
        String prefix = PoolTestSupport.uniquePrefix("per-task");
        CountDownLatch bothRunning = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        ThreadPool pool = ThreadPool.builder()
                .virtualThreads()
                .maxWorkers(2)
                .threadNamePrefix(prefix)
                .build();
        Set<Thread> threads = concurrentSet(); // getAllStackTraces() does not list virtual threads
        List<Future<Void>> blocked = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            blocked.add(pool.submit(() -> {
                threads.add(Thread.currentThread());
                bothRunning.countDown();
                await(release);
            }));
        }
        bothRunning.await();
        List<Future<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            queued.add(pool.submit(() -> {
                threads.add(Thread.currentThread());
                return n;
            }));
        }
        assertThat(queued).noneMatch(Future::isDone);
        release.countDown();
        assertThat(queued).extracting(Future::result).containsExactly(0, 1, 2, 3, 4);
        blocked.forEach(Future::result);
        // the two threads ran everything, then ended
        assertThat(threads).hasSize(2).allMatch(t -> t.getName().startsWith(prefix + "_"));
        org.awaitility.Awaitility.await().until(() -> threads.stream().noneMatch(Thread::isAlive));
        threads.clear();

        CountDownLatch again = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            pool.submit(() -> {
                threads.add(Thread.currentThread());
                running.countDown();
                await(again);
            });
        }
        running.await();
        Future<Integer> waiting = pool.submit(() -> 42);
        Thread closer = new Thread(() -> pool.shutdown(true, true));
        closer.start();
        org.awaitility.Awaitility.await().until(waiting::isCancelled);
        assertThat(closer.isAlive()).isTrue(); // waits for the two running tasks
        again.countDown();
        closer.join();
        assertThat(threads).hasSize(2).noneMatch(Thread::isAlive); // shutdown(wait) returned after both ended
        assertThatThrownBy(() -> pool.submit(() -> 1))
                .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
    }

    /** With an initializer, virtual workers are pooled after all: the initializer runs once per worker. */
    @Test
    void anInitializerRunsOncePerVirtualWorker() throws Exception {
        assumeTrue(JDK >= 21, "virtual threads need JDK 21");
        AtomicInteger initialized = new AtomicInteger();
        try (ThreadPool pool = ThreadPool.builder()
                .virtualThreads()
                .maxWorkers(2)
                .initializer(initialized::incrementAndGet)
                .build()) {
            for (int i = 0; i < 50; i++) {
                pool.submit(() -> 1).result();
            }
        }
        assertThat(initialized.get()).isBetween(1, 2);
    }

    private static boolean isVirtual(Thread t) throws ReflectiveOperationException {
        Method isVirtual = Thread.class.getMethod("isVirtual");
        return (Boolean) isVirtual.invoke(t);
    }
}
