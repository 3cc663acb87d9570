package dev.fanout.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.fanout.Future;
import dev.fanout.Task;
import dev.fanout.hazelcast.HazelcastExecutor.Delivery;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Regression test for issue 5: a copy of an at-most-once task that reaches a member after the caller delivered the
 * outcome must not run. Hazelcast re-sends a task sent with {@code submitToKeyOwner} by itself when the member it went
 * to leaves, without telling the caller; the kill test saw such copies (448 in one run) arrive on the survivors. The
 * caller used to delete the entry of a task it had sent once, so a copy arriving after that delete claimed the task
 * again and ran it a second time. Here the late copy is sent by hand, which is what Hazelcast's retry does. (At least
 * once, tasks have no entry: they travel in exchanges sent to one member, which Hazelcast does not send elsewhere, and
 * a copy a member's runner already has is dropped: see {@link RunnerTest}.)
 */
class LateCopyTest {
    private static final AtomicInteger RUNS = new AtomicInteger();

    private static List<HazelcastInstance> cluster;

    @BeforeAll
    static void startMember() {
        cluster = TestClusters.members("late-copy", 1);
    }

    @AfterAll
    static void stopMember() {
        TestClusters.shutdown(cluster);
    }

    @ParameterizedTest
    @EnumSource(value = Delivery.class, names = "AT_MOST_ONCE")
    void aCopyArrivingAfterTheDeliveryFindsATombstoneAndDoesNotRun(Delivery delivery) throws Exception {
        HazelcastInstance member = cluster.get(0);
        try (HazelcastExecutor pool =
                HazelcastExecutor.builder().instance(member).delivery(delivery).build()) {
            String id = pool.name().substring(Names.executor("").length());
            Task<Integer> task = () -> RUNS.incrementAndGet();
            int before = RUNS.get();
            Future<Integer> future = pool.submit(task);
            assertThat(future.result()).isEqualTo(before + 1);
            long key = 1; // the executor's first task
            IMap<Long, TaskState> states = member.getMap(Names.stateMap(id));
            // The caller lets go of the entry in a batch, within FORGET_MILLIS of the delivery.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> states.get(key) == null || states.get(key).kind() == TaskState.Kind.DELIVERED);

            TaskEnvelope lateCopy = new TaskEnvelope(id, key, task);
            TaskState reply = member.getExecutorService(pool.name())
                    .submitToKeyOwner(lateCopy, key)
                    .get();

            assertThat(RUNS.get()).as("runs of the task").isEqualTo(before + 1);
            assertThat(reply.kind()).isEqualTo(TaskState.Kind.DELIVERED);
            // The tombstone expires, late enough for any copy Hazelcast may still send.
            assertThat(states.getEntryView(key).getTtl()).isEqualTo(HazelcastExecutor.TOMBSTONE_TTL_MILLIS);
        }
    }
}
