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
            gate.countDown();
            // each cancelled task gives back its place when a worker drops it from the queue
            await().untilAsserted(() -> {
                List<Future<Integer>> more = new ArrayList<>();
                try {
                    for (int i = 0; i < 3; i++) {
                        more.add(pool.submit(() -> 42));
                    }
                } finally {
                    more.forEach(Future::result);
                }
                assertThat(more).hasSize(3);
            });
        } finally {
            gate.countDown();
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
