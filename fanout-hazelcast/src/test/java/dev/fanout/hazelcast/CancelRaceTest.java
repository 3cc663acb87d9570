package dev.fanout.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stress test of the batched hand-off at least once: {@code cancel()} from another thread races each task's trip
 * (queued on the caller, in an exchange on its way, queued, running or finished on a member). Whatever the
 * interleaving, a cancelled task never runs, every other task runs exactly once, and its future has its result. In
 * even rounds the cancels chase the submits; in odd rounds they start once all are submitted, so that they find the
 * first tasks finished, the next ones running and the last ones queued.
 */
class CancelRaceTest {
    private static final int ROUNDS = 20;
    private static final int TASKS = 300;
    private static final Map<Integer, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    private static List<HazelcastInstance> cluster;

    record Tiny(int n) implements Task<Integer> {
        @Override
        public Integer call() {
            RUNS.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
            long until = System.nanoTime() + 50_000; // long enough for some cancels to find it running
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            return n + 1;
        }
    }

    @BeforeAll
    static void startMembers() {
        cluster = TestClusters.members("cancel-race", 2, 2, List.of());
    }

    @AfterAll
    static void stopMembers() {
        TestClusters.shutdown(cluster);
    }

    @Test
    void aCancelledTaskNeverRunsAndEveryOtherRunsOnce() throws Exception {
        try (HazelcastExecutor pool = new HazelcastExecutor(cluster.get(0))) {
            String id = pool.name().substring(Names.executor("").length());
            int cancelledInAll = 0;
            AtomicInteger foundRunning = new AtomicInteger();
            for (int round = 0; round < ROUNDS; round++) {
                LinkedBlockingQueue<Future<Integer>> toCancel = new LinkedBlockingQueue<>();
                List<Boolean> cancelled = new ArrayList<>();
                Thread canceller = new Thread(() -> {
                    try {
                        for (int i = 0; i < TASKS / 3; i++) {
                            Future<Integer> f = toCancel.take();
                            boolean yes = f.cancel();
                            if (!yes && f.isRunning()) {
                                foundRunning.incrementAndGet();
                            }
                            synchronized (cancelled) {
                                cancelled.add(yes);
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                boolean chase = round % 2 == 0;
                if (chase) {
                    canceller.start();
                }
                List<Future<Integer>> futures = new ArrayList<>();
                int base = round * TASKS;
                for (int i = 0; i < TASKS; i++) {
                    Future<Integer> f = pool.submit(new Tiny(base + i));
                    futures.add(f);
                    if (i % 3 == 0) {
                        toCancel.add(f);
                    }
                }
                if (!chase) {
                    canceller.start();
                }
                canceller.join();
                Futures.wait(futures);
                for (HazelcastInstance member : cluster) {
                    Runner runner = Runner.existing(member, id);
                    if (runner != null) {
                        await().atMost(Duration.ofSeconds(10)).until(runner::isIdle);
                        // every reply acknowledged, the last batch's too: the member holds nothing for the round
                        await().atMost(Duration.ofSeconds(10)).until(() -> runner.unackedCount() == 0);
                    }
                }
                for (int i = 0; i < TASKS; i++) {
                    Future<Integer> f = futures.get(i);
                    AtomicInteger runs = RUNS.get(base + i);
                    int n = runs == null ? 0 : runs.get();
                    if (f.isCancelled()) {
                        assertThat(n).as("runs of cancelled task %d", base + i).isZero();
                        cancelledInAll++;
                    } else {
                        assertThat(n).as("runs of task %d", base + i).isEqualTo(1);
                        assertThat(f.result()).isEqualTo(base + i + 1);
                    }
                }
                synchronized (cancelled) {
                    assertThat(cancelled.stream().filter(c -> c).count())
                            .as("cancels that said yes")
                            .isEqualTo(
                                    futures.stream().filter(Future::isCancelled).count());
                }
            }
            // the race is real only if both outcomes happen: some cancels win, some lose
            assertThat(cancelledInAll).isPositive().isLessThan(ROUNDS * TASKS / 3);
            assertThat(foundRunning.get())
                    .as("cancels that found the task running")
                    .isPositive();
        }
    }
}
