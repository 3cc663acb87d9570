package dev.fanout.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.sun.management.OperatingSystemMXBean;
import dev.fanout.Executor;
import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.Task;
import dev.fanout.ThreadPool;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Per-task cost and map throughput of the cluster executor against the raw {@code IExecutorService} and the local
 * {@link ThreadPool}, on 1 and 3 members in this JVM; also member start time.
 *
 * <p>Every peer runs the same task object ({@link Inc}, a record that is a Fanout {@link Task} and so a serializable
 * {@code Callable}); raw Hazelcast sends it with {@code submitToKeyOwner} and a key per task, one call each, where
 * Fanout sends each member a batch of tasks per call (see {@link HazelcastExecutor}). The peers
 * take turns within each round, so that a change in the machine's load falls on all of them; the figures are medians
 * over rounds, of wall time, process CPU time and threads started per task, and the ratio is the median of the
 * per-round ratios. (On a machine of one or two cores Hazelcast completes each of its futures through a thread of its
 * own: threads started per task shows whether a peer pays that more than once.)
 *
 * <p>Run: {@code ./fanout bench --cluster [--by-thread] [TASKS [ROUNDS]]} (default 2,000 tasks, 15 rounds).
 * {@code --by-thread} adds, for each peer, its CPU time per task by thread group.
 */
public final class ClusterBenchmark {
    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static boolean byThread;

    private ClusterBenchmark() {}

    /** A tiny task, so that the figures are the cost of running a task, not of the work. */
    record Inc(int n) implements Task<Integer> {
        @Override
        public Integer call() {
            return n + 1;
        }
    }

    /** One peer's way of running a round of {@code tasks} tasks. */
    interface Peer {
        void run(int tasks);
    }

    public static void main(String[] args) {
        List<String> numbers = new ArrayList<>(List.of(args));
        byThread = numbers.remove("--by-thread");
        int tasks = numbers.size() > 0 ? Integer.parseInt(numbers.get(0)) : 2000;
        int rounds = numbers.size() > 1 ? Integer.parseInt(numbers.get(1)) : 15;
        System.out.printf(
                "%d tasks per round, %d rounds, medians; %d cores, JDK %s%n",
                tasks, rounds, Runtime.getRuntime().availableProcessors(), Runtime.version());
        try (ThreadPool pool = new ThreadPool()) {
            compare(
                    "local",
                    tasks,
                    rounds,
                    List.of("ThreadPool submit", "ThreadPool map"),
                    List.of(n -> submitAll(pool, n), n -> mapAll(pool, n)));
        }
        for (int members : new int[] {1, 3}) {
            long t0 = System.nanoTime();
            List<HazelcastInstance> cluster = TestClusters.members("bench", members);
            System.out.printf("%d member(s) started in %d ms%n", members, (System.nanoTime() - t0) / 1_000_000);
            try {
                HazelcastInstance caller = cluster.get(0);
                IExecutorService raw = caller.getExecutorService("fanout-raw-bench");
                try (HazelcastExecutor pool = new HazelcastExecutor(caller);
                        HazelcastExecutor atMostOnce = HazelcastExecutor.builder()
                                .instance(caller)
                                .delivery(HazelcastExecutor.Delivery.AT_MOST_ONCE)
                                .build()) {
                    // raw Hazelcast has no map: one task per item is what a user would write, so raw submit is the
                    // peer of both submit and map
                    compare(
                            members + " member(s)",
                            tasks,
                            rounds,
                            List.of(
                                    "raw IExecutorService submitToKeyOwner",
                                    "HazelcastExecutor submit",
                                    "HazelcastExecutor submit, at-most-once",
                                    "HazelcastExecutor map"),
                            List.of(
                                    n -> rawSubmitAll(raw, n),
                                    n -> submitAll(pool, n),
                                    n -> submitAll(atMostOnce, n),
                                    n -> mapAll(pool, n)));
                }
                raw.shutdown();
            } finally {
                TestClusters.shutdown(cluster);
            }
        }
        System.exit(0);
    }

    /** Runs the peers in turn, a warm-up round and then {@code rounds}; prints each against the first. */
    private static void compare(String where, int tasks, int rounds, List<String> names, List<Peer> peers) {
        int n = peers.size();
        double[][] wall = new double[n][rounds];
        double[][] cpu = new double[n][rounds];
        double[][] ratio = new double[n][rounds];
        double[][] threads = new double[n][rounds];
        List<Map<String, Long>> cpuByGroup = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            cpuByGroup.add(new TreeMap<>());
        }
        for (int r = -1; r < rounds; r++) {
            for (int p = 0; p < n; p++) {
                long started0 = THREADS.getTotalStartedThreadCount();
                Map<String, Long> groups0 = byThread ? cpuByThreadGroup() : Map.of();
                long cpu0 = OS.getProcessCpuTime();
                long t0 = System.nanoTime();
                peers.get(p).run(tasks);
                if (r >= 0 && byThread) {
                    long spent = OS.getProcessCpuTime() - cpu0;
                    for (Map.Entry<String, Long> e : cpuByThreadGroup().entrySet()) {
                        long d = e.getValue() - groups0.getOrDefault(e.getKey(), 0L);
                        cpuByGroup.get(p).merge(e.getKey(), d, Long::sum);
                        spent -= d;
                    }
                    cpuByGroup.get(p).merge("other (GC, JIT, threads that ended)", spent, Long::sum);
                }
                if (r >= 0) {
                    wall[p][r] = (System.nanoTime() - t0) / 1000.0 / tasks;
                    cpu[p][r] = (OS.getProcessCpuTime() - cpu0) / 1000.0 / tasks;
                    ratio[p][r] = wall[p][r] / wall[0][r];
                    threads[p][r] = (THREADS.getTotalStartedThreadCount() - started0) / (double) tasks;
                }
            }
        }
        for (int p = 0; p < n; p++) {
            String vs = p == 0 ? "" : String.format("   %.2fx the first", median(ratio[p]));
            System.out.printf(
                    "%-12s %-40s %8.1f us/task  cpu %8.1f us/task  threads started %4.2f/task%s%n",
                    where, names.get(p), median(wall[p]), median(cpu[p]), median(threads[p]), vs);
            if (byThread) {
                for (Map.Entry<String, Long> e : cpuByGroup.get(p).entrySet()) {
                    double perTask = e.getValue() / 1000.0 / tasks / rounds;
                    if (perTask >= 1) {
                        System.out.printf("%-12s     cpu of %-32s %8.1f us/task%n", "", e.getKey(), perTask);
                    }
                }
            }
        }
    }

    /**
     * CPU time so far of the live threads, by name with numbers and ids taken out ({@code hz.partition-operation},
     * {@code fanout-ID-completer}...). The rest of the process's CPU went to threads that ended meanwhile and to the
     * JVM's own threads (GC, JIT), which are not Java threads.
     */
    private static Map<String, Long> cpuByThreadGroup() {
        Map<String, Long> groups = new TreeMap<>();
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            long cpu = info == null ? -1 : THREADS.getThreadCpuTime(info.getThreadId());
            if (cpu >= 0) {
                String group = info.getThreadName()
                        .replaceAll("^hz\\.[a-z_]+\\.", "hz.")
                        .replaceAll("[0-9a-f]{8}", "ID")
                        .replaceAll("-?[0-9]+$", "");
                groups.merge(group, cpu, Long::sum);
            }
        }
        return groups;
    }

    private static void submitAll(Executor pool, int tasks) {
        List<Future<Integer>> fs = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            fs.add(pool.submit(new Inc(i)));
        }
        Futures.wait(fs);
    }

    private static void mapAll(Executor pool, int tasks) {
        long sum = 0;
        for (int r :
                pool.map((Integer i) -> i + 1, IntStream.range(0, tasks).boxed().toList())) {
            sum += r;
        }
        if (sum == 42) {
            System.out.print("");
        }
    }

    private static void rawSubmitAll(IExecutorService raw, int tasks) {
        List<java.util.concurrent.Future<Integer>> fs = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            fs.add(raw.submitToKeyOwner(new Inc(i), (long) i));
        }
        for (java.util.concurrent.Future<Integer> f : fs) {
            try {
                f.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static double median(double[] xs) {
        double[] sorted = xs.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
