package consumer;

import dev.fanout.Executor;
import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.ThreadPool;
import dev.fanout.hazelcast.HazelcastExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Two of the tutorial's patterns on a thread pool, one map on a Hazelcast member, checked; exits 1 on a mismatch. */
public final class Main {
    private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

    static int square(int n) {
        return n * n;
    }

    public static void main(String[] args) throws Exception {
        HAZELCAST_LOG.setLevel(Level.WARNING);
        String where = Main.class.getModule().isNamed() ? "module path" : "class path";
        List<Integer> inputs = List.of(1, 2, 3, 4, 5);
        List<Integer> squares = List.of(1, 4, 9, 16, 25);

        // map and wait: results in input order
        List<Integer> mapped = new ArrayList<>();
        try (ThreadPool pool = new ThreadPool(4)) {
            pool.map(Main::square, inputs).forEach(mapped::add);
        }
        check("map", mapped, squares);

        // submit and use as completed: every result, in whatever order
        Set<Integer> completed = new TreeSet<>();
        try (ThreadPool pool = new ThreadPool(4)) {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int n : inputs) {
                futures.add(pool.submit(() -> square(n)));
            }
            for (Future<Integer> f : Futures.asCompleted(futures)) {
                completed.add(f.result());
            }
        }
        check("asCompleted", new ArrayList<>(completed), squares);

        // the same map on a cluster of one member, in this JVM
        List<Integer> clustered = new ArrayList<>();
        try (Executor cluster = HazelcastExecutor.local()) {
            cluster.map(Main::square, inputs).forEach(clustered::add);
        }
        check("HazelcastExecutor.local() map", clustered, squares);

        // virtual threads: available from JDK 21, a documented UnsupportedOperationException before
        String virtual;
        try (ThreadPool pool = ThreadPool.builder().virtualThreads().build()) {
            virtual = "ran " + pool.submit(() -> square(7)).result();
        } catch (UnsupportedOperationException e) {
            virtual = "UnsupportedOperationException";
        }
        String expected = Runtime.version().feature() >= 21 ? "ran 49" : "UnsupportedOperationException";
        check("virtual threads on JDK " + Runtime.version().feature(), List.of(virtual), List.of(expected));

        System.out.println("consumer on the " + where + ": every check passed");
    }

    private static void check(String what, List<?> actual, List<?> expected) {
        if (!actual.equals(expected)) {
            System.err.println("consumer: " + what + " gave " + actual + ", expected " + expected);
            System.exit(1);
        }
        System.out.println(what + ": " + actual);
    }
}
