package dev.fanout.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import dev.fanout.Executor;
import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.ThreadPool;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * Per-task cost and map throughput of the cluster executor against the raw {@code IExecutorService} (the same tasks,
 * sent with {@code submitToKeyOwner}) and the local {@link ThreadPool}, on 1 and 3 members in this JVM; also member
 * start time. Prints the median of several rounds and the ratios.
 *
 * <p>Run (after {@code ./mvnw -B -q -pl fanout-hazelcast -am test-compile}):
 *
 * <pre>
 * ./mvnw -B -q -pl fanout-hazelcast dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp fanout-hazelcast/target/test-classes:fanout-hazelcast/target/classes:fanout-core/target/classes:$(cat \
 *     fanout-hazelcast/target/cp.txt) -Dhazelcast.logging.type=none dev.fanout.hazelcast.ClusterBenchmark [tasks] [rounds]
 * </pre>
 */
public final class ClusterBenchmark {
    private ClusterBenchmark() {}

    /** A tiny task, so that the figures are the cost of running a task, not of the work. */
    interface SerializableCallable<T> extends Callable<T>, Serializable {}

    public static void main(String[] args) {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        System.out.printf(
                "tasks per round %d, rounds %d, median of rounds; %d cores%n",
                tasks, rounds, Runtime.getRuntime().availableProcessors());
        try (ThreadPool pool = new ThreadPool()) {
            double submit = median(rounds, () -> submitAll(pool, tasks));
            double map = median(rounds, () -> mapAll(pool, tasks));
            System.out.printf("ThreadPool           submit %8.1f us/task   map %8.1f us/item%n", submit, map);
        }
        for (int members : new int[] {1, 3}) {
            long t0 = System.nanoTime();
            List<HazelcastInstance> cluster = TestClusters.members("bench", members);
            System.out.printf("%d member(s) started in %d ms%n", members, (System.nanoTime() - t0) / 1_000_000);
            try {
                HazelcastInstance caller = cluster.get(0);
                IExecutorService raw = caller.getExecutorService("fanout-raw-bench");
                double rawSubmit = median(rounds, () -> rawSubmitAll(raw, tasks, Plain::new));
                // What a durable claim costs on its own: the raw task, plus the map operations Fanout's member side
                // does per task (a putIfAbsent before running; then a set, not awaited, of the outcome).
                double rawClaim = median(rounds, () -> rawSubmitAll(raw, tasks, n -> new Claiming(n, false)));
                double rawClaimStore = median(rounds, () -> rawSubmitAll(raw, tasks, n -> new Claiming(n, true)));
                double rawMap = rawSubmit; // raw Hazelcast has no map: one task per item is what a user would write
                try (HazelcastExecutor pool = new HazelcastExecutor(caller)) {
                    double submit = median(rounds, () -> submitAll(pool, tasks));
                    double map = median(rounds, () -> mapAll(pool, tasks));
                    System.out.printf(
                            "%d member(s): raw + putIfAbsent claim    %8.1f us/task (%.2fx raw)%n"
                                    + "%d member(s): raw + claim + setAsync     %8.1f us/task (%.2fx raw)%n",
                            members, rawClaim, rawClaim / rawSubmit, members, rawClaimStore, rawClaimStore / rawSubmit);
                    System.out.printf(
                            "%d member(s): raw IExecutorService submit %8.1f us/task%n"
                                    + "%d member(s): HazelcastExecutor  submit %8.1f us/task (%.2fx raw)   map %8.1f"
                                    + " us/item (%.2fx raw per item)%n",
                            members, rawSubmit, members, submit, submit / rawSubmit, map, map / rawMap);
                }
                raw.shutdown();
            } finally {
                TestClusters.shutdown(cluster);
            }
        }
        System.exit(0);
    }

    private static double submitAll(Executor pool, int tasks) {
        long start = System.nanoTime();
        List<Future<Integer>> fs = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            int n = i;
            fs.add(pool.submit(() -> n + 1));
        }
        Futures.wait(fs);
        return (System.nanoTime() - start) / 1000.0 / tasks;
    }

    private static double mapAll(Executor pool, int tasks) {
        long start = System.nanoTime();
        long sum = 0;
        for (int r :
                pool.map((Integer i) -> i + 1, IntStream.range(0, tasks).boxed().toList())) {
            sum += r;
        }
        if (sum == 42) {
            System.out.print("");
        }
        return (System.nanoTime() - start) / 1000.0 / tasks;
    }

    private static double rawSubmitAll(
            IExecutorService raw, int tasks, java.util.function.IntFunction<SerializableCallable<Integer>> task) {
        long start = System.nanoTime();
        List<java.util.concurrent.Future<Integer>> fs = new ArrayList<>(tasks);
        for (long i = 0; i < tasks; i++) {
            SerializableCallable<Integer> t = task.apply((int) i);
            // as Fanout: the task runs where its entry lives, so the claim is a local operation
            fs.add(raw.submitToKeyOwner(t, t instanceof Claiming c ? c.key : i));
        }
        for (java.util.concurrent.Future<Integer> f : fs) {
            try {
                f.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return (System.nanoTime() - start) / 1000.0 / tasks;
    }

    /** The bare task. */
    record Plain(int n) implements SerializableCallable<Integer> {
        @Override
        public Integer call() {
            return n + 1;
        }
    }

    /** The bare task, run only once it won its entry in a map, as Fanout's members do; and its outcome stored. */
    static final class Claiming implements SerializableCallable<Integer>, com.hazelcast.core.HazelcastInstanceAware {
        private static final long serialVersionUID = 1L;
        private static final java.util.concurrent.atomic.AtomicLong KEYS = new java.util.concurrent.atomic.AtomicLong();
        private final int n;
        private final boolean store;
        private final long key = KEYS.incrementAndGet();
        private transient HazelcastInstance hazelcast;

        Claiming(int n, boolean store) {
            this.n = n;
            this.store = store;
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance instance) {
            this.hazelcast = instance;
        }

        @Override
        public Integer call() {
            com.hazelcast.map.IMap<Long, Integer> claims = hazelcast.getMap("fanout-claim-bench");
            if (claims.putIfAbsent(key, -1) != null) {
                return null;
            }
            int result = n + 1;
            if (store) {
                claims.setAsync(key, result);
            }
            return result;
        }
    }

    interface Round {
        double run();
    }

    private static double median(int rounds, Round round) {
        round.run(); // warm-up
        double[] xs = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            xs[i] = round.run();
        }
        Arrays.sort(xs);
        return xs[rounds / 2];
    }
}
