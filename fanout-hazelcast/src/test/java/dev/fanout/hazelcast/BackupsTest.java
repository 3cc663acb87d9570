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
 * without a graceful shutdown, and the survivor, which held the backups, is asked what it has. At-least-once claims,
 * outcomes and tombstones are written on the owner only; cancellations and at-most-once states are backed up; and a
 * shutdown's cancel of many tasks at once backs up only the tasks it did cancel, never one the owner runs.
 */
class BackupsTest {
    private List<HazelcastInstance> cluster = List.of();

    @AfterEach
    void stop() {
        TestClusters.shutdown(cluster);
    }

    @Test
    void onlyWhatMustOutliveTheOwnerIsOnTheBackup() {
        cluster = TestClusters.members("backups", 2);
        HazelcastInstance owner = cluster.get(0);
        HazelcastInstance survivor = cluster.get(1);
        IMap<Long, TaskState> states = survivor.getMap(Names.stateMap("backups-" + UUID.randomUUID()));
        List<Long> keys = keysOwnedBy(owner, survivor, 7);
        long running = keys.get(0);
        long done = keys.get(1);
        long cancelled = keys.get(2);
        long cancelledAtShutdown = keys.get(3);
        long tombstone = keys.get(4);
        long atMostOnceTombstone = keys.get(5);
        long atMostOnceRunning = keys.get(6);
        TaskState runningThere =
                TaskState.running(owner.getCluster().getLocalMember().getUuid(), "there", 1);

        assertThat(states.executeOnKey(running, OwnerWrite.claim(runningThere))).isNull();
        assertThat(states.executeOnKey(done, OwnerWrite.claim(runningThere))).isNull();
        assertThat(states.executeOnKey(done, OwnerWrite.store(TaskState.done(42, 1), 60_000)))
                .isNull();
        assertThat(states.putIfAbsent(cancelled, TaskState.CANCELLED)).isNull(); // as cancel() does
        Map<Long, TaskState> found = states.executeOnKeys(Set.of(running, cancelledAtShutdown), new CancelIfPending());
        assertThat(found.get(running)).isEqualTo(runningThere); // the owner runs it: not cancelled
        assertThat(found.get(cancelledAtShutdown)).isNull(); // pending: cancelled
        states.executeOnKeys(Set.of(tombstone), new Forget(60_000, false));
        states.executeOnKeys(Set.of(atMostOnceTombstone), new Forget(60_000, true));
        assertThat(states.putIfAbsent(atMostOnceRunning, runningThere)).isNull(); // as an at-most-once start does

        owner.getLifecycleService().terminate();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> survivor.getCluster().getMembers().size() == 1
                        && survivor.getPartitionService().getPartition(running).getOwner() != null
                        && survivor.getPartitionService()
                                .getPartition(running)
                                .getOwner()
                                .localMember());

        assertThat(states.get(running)).as("an at-least-once claim").isNull();
        assertThat(states.get(done)).as("an at-least-once outcome").isEqualTo(TaskState.done(42, 1));
        assertThat(states.getEntryView(done).getTtl()).as("its backup's expiry").isEqualTo(60_000);
        assertThat(states.get(tombstone)).as("an at-least-once tombstone").isNull();
        assertThat(states.get(cancelled)).as("a cancellation").isEqualTo(TaskState.CANCELLED);
        assertThat(states.get(cancelledAtShutdown))
                .as("a cancellation at shutdown")
                .isEqualTo(TaskState.CANCELLED);
        assertThat(states.get(atMostOnceTombstone))
                .as("an at-most-once tombstone")
                .isEqualTo(TaskState.DELIVERED);
        assertThat(states.get(atMostOnceRunning)).as("an at-most-once claim").isEqualTo(runningThere);
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
