package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool's thread-per-task mode (what {@code virtualThreads()} uses on JDK 21+), driven here with platform threads so
 * that it is checked on every JDK the build runs: the logic does not depend on the kind of thread.
 */
@Timeout(60)
class ThreadPerTaskCoreTest {
    /** Platform threads, every one recorded. */
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

    private final ThreadFactory recording = r -> {
        Thread t = new Thread(r);
        threads.add(t);
        return t;
    };

    private ThreadPool.Core core(int maxWorkers, int maxPending, ThreadFactory factory) {
        return new ThreadPool.Core(maxWorkers, "per-task", null, factory, maxPending, ThreadPool.WhenFull.REJECT, true);
    }

    @Test
    void atMostMaxWorkersThreadsRunAndEachRunsTheQueueBehindItThenEnds() throws Exception {
        ThreadPool.Core core = core(2, 0, recording);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int n = i;
            fs.add(core.submit(() -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                gate.await(30, TimeUnit.SECONDS);
                running.decrementAndGet();
                return n;
            }));
        }
        await().until(() -> running.get() == 2);
        assertThat(threads).hasSize(2);
        assertThat(threads).extracting(Thread::getName).containsExactlyInAnyOrder("per-task_0", "per-task_1");
        assertThat(fs.stream().filter(Future::isRunning)).hasSize(2);
        gate.countDown();
        for (int i = 0; i < 10; i++) {
            assertThat(fs.get(i).result()).isEqualTo(i);
        }
        assertThat(most.get()).isEqualTo(2);
        assertThat(threads).hasSize(2); // the queued tasks ran on the two threads there were
        await().until(() -> threads.stream().noneMatch(Thread::isAlive)); // and then they ended

        // Idle, the pool has no thread: the next task starts a new one, named on from the count.
        assertThat(core.submit(() -> Thread.currentThread().getName()).result()).isEqualTo("per-task_2");
        core.shutdown(true, false);
    }

    @Test
    void aTaskStartedAtOnceGivesItsPlaceInTheBoundedQueueBack() throws Exception {
        ThreadPool.Core core = core(1, 1, recording);
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        Future<Object> first = core.submit(() -> {
            started.countDown();
            return gate.await(30, TimeUnit.SECONDS);
        });
        started.await();
        Future<Integer> queued = core.submit(() -> 2); // the one place of the queue: the first task never took it
        assertThatThrownBy(() -> core.submit(() -> 3))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("queue full");
        gate.countDown();
        assertThat(first.result()).isEqualTo(true);
        assertThat(queued.result()).isEqualTo(2);
        core.shutdown(true, false);
    }

    @Test
    void shutdownCancelsWhatIsQueuedWaitsForWhatRunsAndRefusesMore() throws Exception {
        ThreadPool.Core core = core(1, 0, recording);
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        Future<Integer> running = core.submit(() -> {
            started.countDown();
            gate.await(30, TimeUnit.SECONDS);
            return 1;
        });
        started.await();
        Future<Integer> queued = core.submit(() -> 2);
        Thread closer = new Thread(() -> core.shutdown(true, true));
        closer.start();
        await().until(queued::isCancelled);
        assertThat(closer.isAlive()).isTrue();
        gate.countDown();
        closer.join();
        assertThat(running.result()).isEqualTo(1);
        assertThat(threads).noneMatch(Thread::isAlive);
        assertThatThrownBy(() -> core.submit(() -> 3))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessage("cannot schedule new futures after shutdown");
    }

    @Test
    void aThreadThatCannotStartRejectsTheTaskWhenNoneRunsAndQueuesItOtherwise() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ThreadFactory secondFails = r -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("no thread today");
            }
            return recording.newThread(r);
        };
        ThreadPool.Core core = core(2, 0, secondFails);
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        Future<Integer> first = core.submit(() -> {
            started.countDown();
            gate.await(30, TimeUnit.SECONDS);
            return 1;
        });
        started.await();
        Future<Integer> second = core.submit(() -> 2); // its thread fails to start: queued behind the first
        assertThat(second.isDone()).isFalse();
        gate.countDown();
        assertThat(first.result()).isEqualTo(1);
        assertThat(second.result()).isEqualTo(2);
        assertThat(threads).hasSize(1);
        core.shutdown(true, false);

        ThreadPool.Core none = core(2, 0, r -> {
            throw new IllegalStateException("no thread at all");
        });
        assertThatThrownBy(() -> none.submit(() -> 1))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("cannot start a worker thread")
                .hasRootCauseMessage("no thread at all");
        none.shutdown(true, false);
    }
}
