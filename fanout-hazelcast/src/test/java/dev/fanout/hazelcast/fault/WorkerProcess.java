package dev.fanout.hazelcast.fault;

import static org.awaitility.Awaitility.await;

import dev.fanout.hazelcast.Worker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A worker in a child JVM, started with the test class path, its output in a file. Always destroy it. */
final class WorkerProcess implements AutoCloseable {
    /** The threads each worker runs Fanout tasks on. */
    static final int THREADS = 4;

    final int port;
    final Path log;
    final Process process;
    final long startNanos = System.nanoTime();

    private WorkerProcess(int port, Path log, Process process) {
        this.port = port;
        this.log = log;
        this.process = process;
    }

    static WorkerProcess start(String cluster, int port, String join, String allowPackage, Path dir) {
        return start(cluster, port, join, allowPackage, dir, List.of());
    }

    /** Starts a worker with extra JVM options (system properties the test's tasks read in the worker). */
    static WorkerProcess start(
            String cluster, int port, String join, String allowPackage, Path dir, List<String> jvmOptions) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dhazelcast.logging.type=jdk",
                "-Djava.util.logging.config.file=" + System.getProperty("java.util.logging.config.file"),
                "-Dhazelcast.wait.seconds.before.join=0",
                "-Dhazelcast.max.wait.seconds.before.join=0"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of(
                Worker.class.getName(),
                "--cluster",
                cluster,
                "--port",
                String.valueOf(port),
                "--threads",
                String.valueOf(THREADS),
                "--allow-package",
                allowPackage));
        if (join != null) {
            cmd.add("--join");
            cmd.add(join);
        }
        Path log = dir.resolve("worker-" + port + ".log");
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new WorkerProcess(port, log, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the worker printed that it joined a cluster of at least {@code members}; returns the millis. */
    long awaitJoined(int members) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("worker " + port + " died:\n" + output());
                    }
                    return output().contains("joined cluster");
                });
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The task lines: "task fanout-ID#K started" or "task fanout-ID#K (run N, send S) started". */
    List<Long> startedKeys(String executorName) {
        List<Long> keys = new ArrayList<>();
        String prefix = "task " + executorName + "#";
        for (String line : output().split("\n")) {
            // Only whole lines: a worker still running (a late copy of a task) may be writing the last one as it is
            // read, and "task fanout-ID#51" cut from "#5123 started" would count the wrong key.
            if (line.startsWith(prefix) && line.stripTrailing().endsWith("started")) {
                String rest = line.substring(prefix.length());
                int end = 0;
                while (end < rest.length() && Character.isDigit(rest.charAt(end))) {
                    end++;
                }
                keys.add(Long.parseLong(rest.substring(0, end)));
            }
        }
        return keys;
    }

    /** Every whole line this worker printed about task {@code key}: its starts, and copies it did not run. */
    List<String> linesOf(String executorName, long key) {
        List<String> lines = new ArrayList<>();
        String prefix = "task " + executorName + "#" + key + " ";
        for (String line : output().split("\n")) {
            String l = line.stripTrailing();
            if (l.startsWith(prefix) && (l.endsWith("started") || l.contains(" not run: "))) {
                lines.add(l.substring(prefix.length()));
            }
        }
        return lines;
    }

    /**
     * How many copies of this executor's tasks found their task taken and did not run it, by what they found:
     * {@code DONE}, {@code DELIVERED} (the caller had the outcome already), {@code RUNNING}, {@code LOST}...
     */
    Map<String, Integer> skippedCopies(String executorName) {
        Map<String, Integer> found = new TreeMap<>();
        String prefix = "task " + executorName + "#";
        String marker = " not run: ";
        for (String line : output().split("\n")) {
            int at = line.indexOf(marker);
            if (line.startsWith(prefix) && at > 0) {
                String state = line.substring(at + marker.length()).stripTrailing();
                int paren = state.indexOf('(');
                found.merge(paren > 0 ? state.substring(0, paren) : state, 1, Integer::sum);
            }
        }
        return found;
    }

    void kill() {
        process.destroyForcibly();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
