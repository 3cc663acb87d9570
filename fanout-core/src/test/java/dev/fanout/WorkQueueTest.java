package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link WorkQueue}, white-box: order, and the waits of its model (spinning, parking, being signalled, passing a
 * signal on). A lost wake-up shows as a taker parked for ever: each test bounds its joins, and fails instead of
 * hanging.
 */
@Timeout(120)
class WorkQueueTest {
    private static final long JOIN_MILLIS = 30_000L;

    @Test
    void itemsLeaveInTheOrderTheyCame() {
        WorkQueue q = new WorkQueue();
        Runnable a = () -> {};
        Runnable b = () -> {};
        Runnable c = () -> {};
        assertThat(q.poll()).isNull();
        q.add(a);
        q.add(b);
        q.add(c);
        assertThat(q.peek()).isSameAs(a);
        assertThat(q.contains(b)).isTrue();
        assertThat(q.remove(b)).isTrue();
        assertThat(q.remove(b)).isFalse();
        assertThat(q.take()).isSameAs(a);
        List<Runnable> rest = new ArrayList<>();
        q.drainTo(rest);
        assertThat(rest).containsExactly(c);
        assertThat(q.poll()).isNull();
    }

    @ParameterizedTest(name = "spinPolls={0}")
    @ValueSource(ints = {0, 2, WorkQueue.SPIN_POLLS})
    void aParkedTakerIsWokenByAnAdd(int spinPolls) throws Exception {
        WorkQueue q = new WorkQueue(spinPolls);
        AtomicReference<Runnable> got = new AtomicReference<>();
        Thread taker = new Thread(() -> got.set(q.take()));
        taker.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> taker.getState() == Thread.State.WAITING);
        Runnable item = () -> {};
        q.add(item);
        taker.join(JOIN_MILLIS);
        assertThat(taker.isAlive()).as("taker still waiting after the add").isFalse();
        assertThat(got.get()).isSameAs(item);
    }

    /** An idle worker has nothing to stop: an interrupt neither ends its wait nor stays set for its next task. */
    @Test
    void anInterruptDoesNotEndTheWaitNorStaySet() throws Exception {
        WorkQueue q = new WorkQueue(0);
        AtomicReference<Runnable> got = new AtomicReference<>();
        AtomicBoolean flagAfter = new AtomicBoolean(true);
        Thread taker = new Thread(() -> {
            got.set(q.take());
            flagAfter.set(Thread.currentThread().isInterrupted());
        });
        taker.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> taker.getState() == Thread.State.WAITING);
        taker.interrupt();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !taker.isInterrupted() && taker.getState() == Thread.State.WAITING);
        assertThat(got.get()).as("take() returned without an item").isNull();
        Runnable item = () -> {};
        q.add(item);
        taker.join(JOIN_MILLIS);
        assertThat(got.get()).isSameAs(item);
        assertThat(flagAfter.get()).as("interrupt flag still set after take()").isFalse();
    }

    /**
     * A burst added at once reaches as many takers as it has items, however they were waiting (spinning, parked, or
     * between the two): each item here waits at a barrier for all the others, so an item left behind a busy taker
     * while another stays parked would never let the barrier trip.
     */
    @ParameterizedTest(name = "spinPolls={0}")
    @ValueSource(ints = {0, 2, WorkQueue.SPIN_POLLS})
    void aBurstSpreadsOverEveryWaitingTaker(int spinPolls) throws Exception {
        int takers = 4;
        for (int round = 0; round < 300; round++) {
            WorkQueue q = new WorkQueue(spinPolls);
            CyclicBarrier allAtOnce = new CyclicBarrier(takers);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < takers; t++) {
                Thread thread = new Thread(() -> q.take().run());
                threads.add(thread);
                thread.start();
            }
            for (int i = 0; i < takers; i++) {
                q.add(() -> {
                    try {
                        allAtOnce.await(JOIN_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            for (Thread thread : threads) {
                thread.join(2 * JOIN_MILLIS);
                assertThat(thread.isAlive())
                        .as("round %d: a taker never got an item", round)
                        .isFalse();
            }
            assertThat(failure.get())
                    .as("round %d: the items did not all run at once", round)
                    .isNull();
        }
    }

    /** Producers and takers at full speed: every item is taken exactly once, and no taker is left parked. */
    @ParameterizedTest(name = "spinPolls={0}")
    @ValueSource(ints = {0, 2, WorkQueue.SPIN_POLLS})
    void everyItemIsTakenExactlyOnce(int spinPolls) throws Exception {
        int producers = 3;
        int takers = 3;
        int perProducer = 50_000;
        int total = producers * perProducer;
        WorkQueue q = new WorkQueue(spinPolls);
        AtomicIntegerArray taken = new AtomicIntegerArray(total);
        Runnable stop = () -> {};
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < takers; t++) {
            threads.add(new Thread(() -> {
                for (Runnable item; (item = q.take()) != stop; ) {
                    item.run();
                }
            }));
        }
        List<Thread> producing = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int first = p * perProducer;
            producing.add(new Thread(() -> {
                for (int i = first; i < first + perProducer; i++) {
                    int index = i;
                    q.add(() -> taken.incrementAndGet(index));
                }
            }));
        }
        threads.forEach(Thread::start);
        producing.forEach(Thread::start);
        for (Thread p : producing) {
            p.join(JOIN_MILLIS);
            assertThat(p.isAlive()).as("a producer never finished").isFalse();
        }
        for (int t = 0; t < takers; t++) {
            q.add(stop);
        }
        for (Thread t : threads) {
            t.join(JOIN_MILLIS);
            assertThat(t.isAlive())
                    .as("a taker was left waiting with items or a stop queued")
                    .isFalse();
        }
        for (int i = 0; i < total; i++) {
            assertThat(taken.get(i)).as("item %d", i).isEqualTo(1);
        }
        assertThat(q.poll()).isNull();
    }
}
