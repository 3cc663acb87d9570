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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A member that leaves gracefully (a worker's Ctrl-C) in the middle of its tasks: it interrupts them as it stops, and
 * what an interrupted task returns is not its outcome. Every task must still deliver its real result, the ones of the
 * leaving member run again on the one that stays, at least once.
 */
class GracefulLeaveTest {
    private static final int TASKS = 12; // all on the member that stays: one chance in 4,096
    private static final Map<Integer, AtomicInteger> RUNS = new ConcurrentHashMap<>();
    private static volatile CountDownLatch started;
    private static volatile CountDownLatch gate;

    private List<HazelcastInstance> cluster = List.of();

    /** Blocks until the gate opens; an interrupt makes it fail, as a real task would. */
    record Blocking(int n) implements Task<Integer> {
        @Override
        public Integer call() throws InterruptedException {
            RUNS.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
            started.countDown();
            if (!gate.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the gate never opened");
            }
            return n * 2;
        }
    }

    @AfterEach
    void stop() {
        TestClusters.shutdown(cluster);
    }

    @Test
    void theTasksOfAMemberThatLeavesRunAgainAndNoInterruptIsDelivered() throws Exception {
        cluster = TestClusters.members("graceful-leave", 2, TASKS, List.of()); // every task can run at once
        HazelcastInstance stays = cluster.get(0);
        HazelcastInstance leaves = cluster.get(1);
        started = new CountDownLatch(TASKS);
        gate = new CountDownLatch(1);
        RUNS.clear();
        try (HazelcastExecutor pool = new HazelcastExecutor(stays)) {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                futures.add(pool.submit(new Blocking(i)));
            }
            assertThat(started.await(30, TimeUnit.SECONDS))
                    .as("every task running")
                    .isTrue();
            String id = pool.name().substring(Names.executor("").length());
            assertThat(Runner.existing(leaves, id))
                    .as("tasks on the member that leaves")
                    .isNotNull();

            CompletableFuture<Void> leaving = CompletableFuture.runAsync(() -> leaves.shutdown());
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> stays.getCluster().getMembers().size() == 1);
            gate.countDown();
            leaving.get(60, TimeUnit.SECONDS);

            Futures.wait(futures);
            for (int i = 0; i < TASKS; i++) {
                assertThat(futures.get(i).exception()).as("task %d", i).isNull();
                assertThat(futures.get(i).result()).isEqualTo(i * 2);
            }
            long ranTwice = RUNS.values().stream().filter(n -> n.get() == 2).count();
            assertThat(ranTwice).as("tasks of the member that left, run again").isPositive();
            assertThat(RUNS.values()).allSatisfy(n -> assertThat(n.get()).isBetween(1, 2));
        }
    }
}
