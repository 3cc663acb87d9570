package dev.fanout.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fanout.Executor;
import dev.fanout.Future;
import dev.fanout.MapOptions;
import dev.fanout.Task;
import dev.fanout.ThreadPool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression, found when PIT's slowed-down run of {@code ProgressTest} hung: a {@code map} with a progress listener
 * deadlocked. {@code map()} submits its tasks holding the map's lock, and added each future's progress callback
 * there; a future already done ran that callback at once, on the consumer thread, which then took the progress lock
 * while holding the map's. A worker reporting the progress of another item takes them the other way round (progress,
 * then the map's). Now the callbacks are added once the map's lock is released.
 *
 * <p>The interleaving is forced: an executor that wraps a pool lets item 0 finish (its worker then blocks on the map's
 * lock, holding the progress lock) and returns item 1's future only once it is done, so that its callback runs at
 * once on the consumer thread.
 */
class MapProgressDeadlockTest {

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aProgressCallbackRunOnTheConsumerDoesNotDeadlockWithAWorker() {
        ThreadPool pool = new ThreadPool(2);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        AtomicReference<Thread> firstWorker = new AtomicReference<>();
        AtomicInteger submits = new AtomicInteger();
        AtomicReference<Future<?>> first = new AtomicReference<>();
        Executor forcing = new Executor() {
            @Override
            public <T> Future<T> submit(Task<T> task) {
                Future<T> f = pool.submit(task);
                if (submits.get() == 0) {
                    first.set(f);
                }
                if (submits.incrementAndGet() == 2) { // inside map(), holding the map's lock
                    releaseFirst.countDown();
                    // Item 0's worker, done with its task, either reports progress and blocks on the map's lock (as
                    // before the fix), or has no progress callback yet and goes idle (WAITING for the next task).
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        Thread w = firstWorker.get();
                        return w != null
                                && (w.getState() == Thread.State.BLOCKED
                                        || (first.get().isDone() && w.getState() == Thread.State.WAITING));
                    });
                    f.result(Duration.ofSeconds(30)); // done before map() adds its progress callback
                }
                return f;
            }

            @Override
            public void shutdown(boolean wait, boolean cancelFutures) {
                pool.shutdown(wait, cancelFutures);
            }

            @Override
            public boolean isShutdown() {
                return pool.isShutdown();
            }
        };
        AtomicInteger reports = new AtomicInteger();
        try {
            List<Integer> results = forcing.map(
                            (Integer i) -> {
                                if (i == 0) {
                                    firstWorker.set(Thread.currentThread());
                                    releaseFirst.await();
                                }
                                return i;
                            },
                            List.of(0, 1),
                            MapOptions.defaults().progress((done, total) -> reports.incrementAndGet()))
                    .toList();

            assertThat(results).containsExactly(0, 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> reports.get() >= 2);
        } finally {
            releaseFirst.countDown();
            pool.shutdown(false, true); // never wait here: before the fix, a worker stayed deadlocked
        }
    }
}
