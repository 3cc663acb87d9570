package dev.fanout.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which task states outlive the member that owns them (see {@link TaskState}): the owner of the entries is killed
 * without a graceful shutdown, and the survivor, which held the backups, is asked what it has. Every at-most-once
 * state is backed up (claims, outcomes, tombstones, cancellations), and a shutdown's cancel of many tasks at once
 * backs up only the tasks it did cancel, never one the owner runs. (At least once, tasks have no entry.)
 */
class BackupsTest {
    private List<HazelcastInstance> cluster = List.of();

    @AfterEach
    void stop() {
        TestClusters.shutdown(cluster);
    }

    @Test
    void everyStateOutlivesItsOwner() {
        cluster = TestClusters.members("backups", 2);
        HazelcastInstance owner = cluster.get(0);
        HazelcastInstance survivor = cluster.get(1);
        IMap<Long, TaskState> states = survivor.getMap(Names.stateMap("backups-" + UUID.randomUUID()));
        List<Long> keys = keysOwnedBy(owner, survivor, 5);
        long running = keys.get(0);
        long done = keys.get(1);
        long cancelled = keys.get(2);
        long cancelledAtShutdown = keys.get(3);
        long tombstone = keys.get(4);
        TaskState runningThere =
                TaskState.running(owner.getCluster().getLocalMember().getUuid(), "there", 1);

        assertThat(states.putIfAbsent(running, runningThere)).isNull(); // as a start does
        assertThat(states.putIfAbsent(done, runningThere)).isNull();
        states.set(done, TaskState.done(42, 1)); // as the end of a task does
        assertThat(states.putIfAbsent(cancelled, TaskState.CANCELLED)).isNull(); // as cancel() does
        Map<Long, TaskState> found = states.executeOnKeys(Set.of(running, cancelledAtShutdown), new CancelIfPending());
        assertThat(found.get(running)).isEqualTo(runningThere); // the owner runs it: not cancelled
        assertThat(found.get(cancelledAtShutdown)).isNull(); // pending: cancelled
        states.executeOnKeys(Set.of(tombstone), new Forget(60_000));

        owner.getLifecycleService().terminate();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> survivor.getCluster().getMembers().size() == 1
                        && survivor.getPartitionService().getPartition(running).getOwner() != null
                        && survivor.getPartitionService()
                                .getPartition(running)
                                .getOwner()
                                .localMember());

        assertThat(states.get(running)).as("a claim").isEqualTo(runningThere);
        assertThat(states.get(done)).as("an outcome").isEqualTo(TaskState.done(42, 1));
        assertThat(states.get(cancelled)).as("a cancellation").isEqualTo(TaskState.CANCELLED);
        assertThat(states.get(cancelledAtShutdown))
                .as("a cancellation at shutdown")
                .isEqualTo(TaskState.CANCELLED);
        assertThat(states.get(tombstone)).as("a tombstone").isEqualTo(TaskState.DELIVERED);
        assertThat(states.getEntryView(tombstone).getTtl()).as("its expiry").isEqualTo(60_000);
    }

    /** {@code n} keys whose entries {@code owner} holds, each in a partition of its own. */
    private static List<Long> keysOwnedBy(HazelcastInstance owner, HazelcastInstance asker, int n) {
        Member member = owner.getCluster().getLocalMember();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> asker.getPartitionService().isClusterSafe());
        List<Long> keys = new ArrayList<>();
        Set<Integer> partitions = new java.util.HashSet<>();
        for (long k = 1; keys.size() < n; k++) {
            var partition = asker.getPartitionService().getPartition(k);
            if (member.equals(partition.getOwner()) && partitions.add(partition.getPartitionId())) {
                keys.add(k);
            }
        }
        return keys;
    }
}
