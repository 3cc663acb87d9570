package dev.fanout.beyond;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fanout.Future;
import dev.fanout.ThreadPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ThreadPool.builder().maxPending(n)}: a bounded queue that blocks or rejects producers. */
@Timeout(30)
class MaxPendingTest {

    @Test
    void rejectPolicyFailsFastOnceTheQueueIsFull() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        ThreadPool pool = ThreadPool.builder()
                .maxWorkers(1)
                .maxPending(2, ThreadPool.WhenFull.REJECT)
                .build();
        try {
            CountDownLatch running = new CountDownLatch(1);
            pool.submit(() -> {
                running.countDown();
                gate.await();
            });
            running.await(); // the first task left the queue: 2 places free
            pool.submit(() -> 1);
            pool.submit(() -> 2);
            assertThatThrownBy(() -> pool.submit(() -> 3))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("queue full: 2 tasks");
        } finally {
            gate.countDown();
            pool.close();
        }
    }

    @Test
    void blockPolicyHoldsTheProducerUntilATaskStarts() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        ThreadPool pool = ThreadPool.builder().maxWorkers(1).maxPending(1).build();
        AtomicInteger accepted = new AtomicInteger();
        Thread producer = new Thread(() -> {
            for (int i = 0; i < 3; i++) {
                pool.submit(() -> gate.await());
                accepted.incrementAndGet();
            }
        });
        try {
            producer.start();
            // one running (out of the queue), one waiting: the third submit blocks
            await().until(() -> accepted.get() == 2 && producer.getState() == Thread.State.WAITING);
            assertThat(accepted.get()).isEqualTo(2);
        } finally {
            gate.countDown();
        }
        producer.join();
        assertThat(accepted.get()).isEqualTo(3);
        pool.close();
    }

    @Test
    void shutdownRefusesAProducerBlockedForRoomAtOnce() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        ThreadPool pool = ThreadPool.builder().maxWorkers(1).maxPending(1).build();
        CountDownLatch running = new CountDownLatch(1);
        Future<?> first = pool.submit(() -> {
            running.countDown();
            gate.await();
        });
        running.await();
        Future<?> queued = pool.submit(() -> 2); // the one place in the queue
        List<Throwable> refused = new ArrayList<>();
        Thread producer = new Thread(() -> {
            try {
                pool.submit(() -> 3);
            } catch (Throwable t) {
                refused.add(t);
            }
        });
        try {
            producer.start();
            await().until(() -> producer.getState() == Thread.State.WAITING);
            pool.shutdown(false, false);
            // the running task still holds its worker, the queued one its place: only shutdown can free the producer
            producer.join();
            assertThat(refused)
                    .singleElement()
                    .isInstanceOf(RejectedExecutionException.class)
                    .extracting(Throwable::getMessage)
                    .isEqualTo("cannot schedule new futures after shutdown");
            assertThatThrownBy(() -> pool.submit(() -> 4))
                    .as("a full queue does not hold up the refusal of a submit after shutdown")
                    .isInstanceOf(RejectedExecutionException.class);
            assertThat(queued.isDone()).isFalse();
        } finally {
            gate.countDown();
        }
        assertThat(queued.result()).isEqualTo(2); // shutdown without cancelFutures still runs what was queued
        assertThat(first.exception()).isNull();
        pool.close();
    }

    @Test
    void cancelledQueuedTasksGiveTheirRoomBack() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        ThreadPool pool = ThreadPool.builder()
                .maxWorkers(1)
                .maxPending(3, ThreadPool.WhenFull.REJECT)
                .build();
        try {
            CountDownLatch running = new CountDownLatch(1);
            pool.submit(() -> {
                running.countDown();
                gate.await();
            });
            running.await();
            List<Future<Integer>> queued = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                queued.add(pool.submit(() -> n));
            }
            queued.forEach(Future::cancel);
            // each cancelled task gives back its place at once, while the worker is still busy
            List<Future<Integer>> more = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                more.add(pool.submit(() -> 42));
            }
            assertThatThrownBy(() -> pool.submit(() -> 43)).isInstanceOf(RejectedExecutionException.class);
            queued.get(0).cancel(); // cancelling again gives back nothing more
            assertThatThrownBy(() -> pool.submit(() -> 44)).isInstanceOf(RejectedExecutionException.class);
            gate.countDown();
            assertThat(more).extracting(Future::result).containsExactly(42, 42, 42);
            assertThat(queued).allMatch(Future::isCancelled);
        } finally {
            gate.countDown();
            pool.close();
        }
    }

    /**
     * Cancels race with the worker taking the same tasks: each place must come back exactly once (a double give-back
     * would let the queue grow past its bound, a lost one would shrink it). After each round, exactly maxPending tasks
     * fit behind a busy worker.
     */
    @Test
    void cancellingWhileTheWorkerTakesTasksGivesEachPlaceBackOnce() throws Exception {
        int maxPending = 4;
        ThreadPool pool = ThreadPool.builder()
                .maxWorkers(1)
                .maxPending(maxPending, ThreadPool.WhenFull.REJECT)
                .build();
        try {
            for (int round = 0; round < 300; round++) {
                List<Future<Integer>> tasks = new ArrayList<>();
                for (int i = 0; i < maxPending; i++) {
                    tasks.add(pool.submit(() -> 1));
                }
                Thread canceller = new Thread(() -> tasks.forEach(Future::cancel));
                canceller.start();
                tasks.forEach(f -> f.cancel()); // twice over, from two threads
                canceller.join();
                dev.fanout.Futures.wait(tasks);

                CountDownLatch running = new CountDownLatch(1);
                CountDownLatch gate = new CountDownLatch(1);
                Future<?> busy = pool.submit(() -> {
                    running.countDown();
                    gate.await();
                });
                running.await();
                List<Future<Integer>> fill = new ArrayList<>();
                for (int i = 0; i < maxPending; i++) {
                    fill.add(pool.submit(() -> 2));
                }
                int r = round;
                assertThatThrownBy(() -> pool.submit(() -> 3))
                        .as("round %d", r)
                        .isInstanceOf(RejectedExecutionException.class);
                gate.countDown();
                busy.result();
                assertThat(fill).extracting(Future::result).containsOnly(2);
            }
        } finally {
            pool.close();
        }
    }

    @Test
    void badBoundsAreRejected() {
        assertThatThrownBy(() -> ThreadPool.builder().maxPending(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxPending must be at least 1");
        assertThatThrownBy(() -> ThreadPool.builder().maxPending(1, null)).isInstanceOf(NullPointerException.class);
    }
}
