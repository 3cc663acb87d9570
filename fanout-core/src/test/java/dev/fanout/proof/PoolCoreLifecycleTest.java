package dev.fanout.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fanout.Future;
import dev.fanout.ThreadPool;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deterministic checks of the pool's worker lifecycle (thread start, idle reuse, naming, daemon threads, shutdown
 * waits, the cleaner of an abandoned pool), written to kill the mutants PIT left alive in {@code ThreadPool} (see
 * RELIABILITY.md).
 */
@Timeout(60)
class PoolCoreLifecycleTest {
    private static final Duration LONG = Duration.ofSeconds(30);

    /** Records the threads a pool makes; makes them non-daemon, so that the pool has to fix that. */
    static final class Recording implements java.util.concurrent.ThreadFactory {
        final List<Thread> made = new CopyOnWriteArrayList<>();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r);
            t.setDaemon(false);
            made.add(t);
            return t;
        }
    }

    @Test
    void anIdleWorkerIsReusedBeforeANewOneStarts() throws Exception {
        Recording threads = new Recording();
        ThreadPool pool = ThreadPool.builder()
                .maxWorkers(4)
                .threadNamePrefix("reuse")
                .threadFactory(threads)
                .build();
        try {
            for (int i = 0; i < 5; i++) {
                assertThat(pool.submit(() -> Thread.currentThread().getName()).result(LONG))
                        .isEqualTo("reuse_0");
                Thread worker = threads.made.get(0);
                await().atMost(LONG).until(() -> worker.getState() == Thread.State.WAITING); // idle again
            }
            assertThat(threads.made).hasSize(1);
            assertThat(threads.made.get(0).isDaemon()).as("workers are daemons").isTrue();
        } finally {
            pool.shutdown(true, false);
        }
        assertThat(threads.made).noneMatch(Thread::isAlive);
    }

    @Test
    void busyWorkersMakeTheNextSubmitStartAnotherUpToTheMaximum() throws Exception {
        Recording threads = new Recording();
        ThreadPool pool = ThreadPool.builder()
                .maxWorkers(2)
                .threadNamePrefix("busy")
                .threadFactory(threads)
                .build();
        CountDownLatch release = new CountDownLatch(1);
        try {
            List<Future<String>> fs = List.of(
                    pool.submit(() -> {
                        release.await();
                        return Thread.currentThread().getName();
                    }),
                    pool.submit(() -> {
                        release.await();
                        return Thread.currentThread().getName();
                    }),
                    pool.submit(() -> Thread.currentThread().getName()));
            assertThat(threads.made).hasSize(2);
            assertThat(threads.made).extracting(Thread::getName).containsExactly("busy_0", "busy_1");
            release.countDown();
            assertThat(fs.get(2).result(LONG)).startsWith("busy_");
        } finally {
            release.countDown();
            pool.shutdown(true, false);
        }
    }

    @Test
    void defaultsAndValidation() {
        assertThat(new ThreadPool().maxWorkers())
                .isEqualTo(Math.min(32, Runtime.getRuntime().availableProcessors() + 4));
        assertThat(new ThreadPool(1).maxWorkers()).isEqualTo(1);
        assertThatThrownBy(() -> new ThreadPool(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxWorkers must be greater than 0");
        assertThatThrownBy(() -> ThreadPool.builder().maxWorkers(-1)).isInstanceOf(IllegalArgumentException.class);

        ThreadPool named = ThreadPool.builder().threadNamePrefix("named").build();
        assertThat(named.toString()).contains("named").contains("maxWorkers=").doesNotContain("shut down");
        assertThat(named.isShutdown()).isFalse();
        named.shutdown();
        assertThat(named.isShutdown()).isTrue();
        assertThat(named.toString()).contains("shut down");

        ThreadPool unnamed = new ThreadPool(1);
        try {
            assertThat(unnamed.submit(() -> Thread.currentThread().getName()).result(LONG))
                    .matches("ThreadPool-\\d+_0");
        } finally {
            unnamed.shutdown();
        }
    }

    /** shutdown(wait=true) from an interrupted thread still waits for the running task, and keeps the flag. */
    @Test
    void anInterruptedShutdownStillWaitsAndKeepsTheFlag() throws Exception {
        ThreadPool pool = new ThreadPool(1);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        pool.submit(() -> {
            running.countDown();
            release.await();
            finished.set(true);
        });
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        AtomicReference<Boolean> sawFinished = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Thread stopper = new Thread(() -> {
            Thread.currentThread().interrupt();
            pool.shutdown(true, false);
            sawFinished.set(finished.get());
            flag.set(Thread.currentThread().isInterrupted());
        });
        try {
            stopper.start();
            await().atMost(LONG).until(() -> stopper.getState() == Thread.State.WAITING);
            release.countDown();
            stopper.join();
            assertThat(sawFinished.get())
                    .as("shutdown(wait) returned before the task finished")
                    .isTrue();
            assertThat(flag.get()).isTrue();
        } finally {
            release.countDown();
            pool.shutdown(true, false);
        }
    }

    /** A pool nobody references any more is shut down by its cleaner: its idle workers end. */
    @Test
    void anAbandonedPoolLetsItsWorkersGo() {
        Recording threads = new Recording();
        WeakReference<ThreadPool> ref = abandon(threads);
        await().atMost(LONG).until(() -> {
            System.gc();
            return ref.get() == null && threads.made.stream().noneMatch(Thread::isAlive);
        });
    }

    private static WeakReference<ThreadPool> abandon(Recording threads) {
        ThreadPool pool =
                ThreadPool.builder().maxWorkers(2).threadFactory(threads).build();
        pool.submit(() -> 1).result(LONG);
        return new WeakReference<>(pool);
    }
}
