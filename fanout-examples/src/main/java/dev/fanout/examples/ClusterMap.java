package dev.fanout.examples;

import static dev.fanout.examples.DemoTime.random;
import static dev.fanout.examples.DemoTime.sleep;

import dev.fanout.Executor;
import dev.fanout.hazelcast.HazelcastExecutor;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.IntStream;

/**
 * Map and wait on a cluster: {@link MapAndWait} with one line changed, {@code new ThreadPool(10)} to
 * {@code HazelcastExecutor.local()}. The tasks travel to Hazelcast members (here one, started in this JVM; {@code
 * ./fanout worker} starts more that join it) and the results come back in input order.
 */
public final class ClusterMap {
    /** Hazelcast reports its start-up at INFO; keep the demo's output to the results. */
    private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

    // the work: sleep for a random time under a second, then hand back the name
    static int task(int name) throws InterruptedException {
        sleep(random());
        return name;
    }

    public static void main(String[] args) {
        HAZELCAST_LOG.setLevel(Level.WARNING);
        List<Integer> names = IntStream.range(0, 10).boxed().toList();
        // the one line that changes: a member of a cluster instead of ten local threads
        try (Executor cluster = HazelcastExecutor.local()) {
            for (int result : cluster.map(ClusterMap::task, names)) {
                System.out.println(result);
            }
        }
    }
}
