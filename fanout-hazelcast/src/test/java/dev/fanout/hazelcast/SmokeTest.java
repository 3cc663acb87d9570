package dev.fanout.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import dev.fanout.Future;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void runsOnThreeMembers() {
        long t0 = System.nanoTime();
        List<HazelcastInstance> members = TestClusters.members("smoke", 3);
        System.out.println("3 members started in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        try (HazelcastExecutor pool = new HazelcastExecutor(members.get(0))) {
            Future<Integer> f = pool.submit(() -> 6 * 7);
            assertThat(f.result()).isEqualTo(42);
            List<Integer> items = IntStream.range(0, 1000).boxed().toList();
            long t1 = System.nanoTime();
            List<Integer> out = pool.map(i -> i * 2, items).toList();
            System.out.println("map of 1000 in " + (System.nanoTime() - t1) / 1_000_000 + " ms");
            assertThat(out).isEqualTo(items.stream().map(i -> i * 2).toList());
        } finally {
            TestClusters.shutdown(members);
        }
    }
}
