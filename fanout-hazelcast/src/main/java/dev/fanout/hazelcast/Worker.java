package dev.fanout.hazelcast;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The worker process: a Hazelcast member that joins a cluster and runs the tasks of every {@link HazelcastExecutor}
 * on it, in the foreground until stopped. Ctrl-C or SIGTERM leave the cluster gracefully (the task states it holds
 * migrate to the other members first).
 *
 * <pre>
 * java -cp fanout-hazelcast.jar:fanout-core.jar:hazelcast.jar:picocli.jar dev.fanout.hazelcast.Worker \
 *     --cluster NAME --join 10.0.0.5:5701,10.0.0.6:5701 --classpath app.jar --bind 10.0.0.7
 * </pre>
 *
 * <p>It prints its address once it has joined, then a line for each task it starts. The classes of
 * {@code --classpath} are loaded by a class loader of their own, which the member uses to read tasks; their packages
 * join the deserialization allow-list, with Fanout's and those of {@code --allow-package}.
 */
@Command(
        name = "fanout worker",
        mixinStandardHelpOptions = true,
        description = "Starts a Hazelcast member that joins the cluster NAME and runs Fanout tasks.")
public final class Worker implements Callable<Integer> {
    @Option(names = "--cluster", required = true, paramLabel = "NAME", description = "The cluster to join.")
    String cluster;

    @Option(
            names = "--join",
            split = ",",
            paramLabel = "HOST:PORT",
            description = "Members to join, comma-separated; none to start a cluster.")
    List<String> join = new ArrayList<>();

    @Option(
            names = "--classpath",
            paramLabel = "PATH",
            description = "Jars and class folders with the task classes, separated by '${sys:path.separator}'.")
    String classpath;

    @Option(
            names = "--bind",
            paramLabel = "ADDRESS",
            description = "The address to bind to and announce (default: ${DEFAULT-VALUE}).")
    String bind = "127.0.0.1";

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "The first port to try; the next ones are tried when taken (default: ${DEFAULT-VALUE}).")
    int port = MemberConfigs.DEFAULT_PORT;

    @Option(
            names = "--allow-package",
            paramLabel = "PKG",
            description = "A package (with its subpackages) whose classes may be deserialized; repeatable.")
    List<String> allowPackages = new ArrayList<>();

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Tasks of each executor run at once on this member (default: ${DEFAULT-VALUE}).")
    int threads = MemberConfigs.defaultThreads();

    @Option(names = "--quiet", description = "Do not print a line for each task.")
    boolean quiet;

    private final PrintStream out;

    private Worker(PrintStream out) {
        this.out = out;
    }

    /**
     * Runs the worker until the JVM is stopped (Ctrl-C, SIGTERM), then leaves the cluster gracefully. Exits with 2 on
     * bad arguments.
     *
     * @param args the command line; {@code --help} lists the options
     */
    public static void main(String[] args) {
        if (System.getProperty("hazelcast.logging.type") == null) {
            System.setProperty("hazelcast.logging.type", "jdk");
        }
        int code = new CommandLine(new Worker(System.out)).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (cluster.isBlank()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--cluster must not be blank");
        }
        ClassLoader loader = getClass().getClassLoader();
        Set<String> trusted = new TreeSet<>(allowPackages);
        if (classpath != null && !classpath.isBlank()) {
            List<URL> urls = new ArrayList<>();
            for (String entry : classpath.split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    Path path = Path.of(entry);
                    urls.add(toUrl(path));
                    trusted.addAll(packagesIn(path));
                }
            }
            loader = new URLClassLoader("fanout-tasks", urls.toArray(new URL[0]), loader);
        }
        var config = MemberConfigs.member(cluster, bind, port, join, trusted, threads, loader);
        if (!quiet) {
            config.getUserContext().put(TaskEnvelope.LISTENER_KEY, new TaskLog(out));
        }
        // The worker leaves through its own hook, so that it can say so; Hazelcast's would race with it.
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        Thread.currentThread().setContextClassLoader(loader);
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
        CountDownLatch left = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            out.println("fanout worker leaving cluster " + cluster);
                            member.shutdown(); // graceful: partitions migrate before the member leaves
                            out.println("fanout worker left");
                            left.countDown();
                        },
                        "fanout-worker-leave"));
        out.println("fanout worker " + member.getCluster().getLocalMember().getAddress() + " joined cluster "
                + cluster + " (" + member.getCluster().getMembers().size() + " members, " + threads
                + " threads per executor)");
        if (!trusted.isEmpty()) {
            out.println("fanout worker trusts packages " + String.join(", ", trusted));
        }
        left.await();
        return 0;
    }

    /**
     * Prints a line for each task the worker starts: {@code task fanout-ID#K started}, with {@code (run N, send S)}
     * before {@code started} when it is not the first run of the caller's first send. A copy that finds the task taken
     * prints {@code task fanout-ID#K (send S) not run: STATE}, so that a task run twice can be traced to the
     * copies involved. Lines are flushed one by one: a worker that is killed has printed every task it started.
     */
    private record TaskLog(PrintStream out) implements TaskEnvelope.TaskListener {
        @Override
        public void started(String executorId, long key, int attempt, int send, Callable<?> task) {
            String copy = attempt == 1 && send == 1 ? "" : " (run " + attempt + ", send " + send + ")";
            print("task " + TaskEnvelope.taskName(executorId, key) + copy + " started");
        }

        @Override
        public void skipped(String executorId, long key, int send, TaskState found) {
            print("task " + TaskEnvelope.taskName(executorId, key) + " (send " + send + ") not run: "
                    + (found == null ? "entry gone" : found));
        }

        private void print(String line) {
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        }
    }

    private static URL toUrl(Path path) {
        try {
            return path.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("not a class path entry: " + path, e);
        }
    }

    /** The packages of the classes in a jar or class folder. */
    static Set<String> packagesIn(Path entry) {
        Set<String> packages = new TreeSet<>();
        if (Files.isDirectory(entry)) {
            try (Stream<Path> files = Files.walk(entry)) {
                files.filter(f -> f.toString().endsWith(".class")).forEach(f -> {
                    Path parent = entry.relativize(f).getParent();
                    if (parent != null) {
                        packages.add(parent.toString().replace(File.separatorChar, '.'));
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + entry, e);
            }
        } else if (Files.isRegularFile(entry)) {
            try (JarFile jar = new JarFile(entry.toFile())) {
                for (Enumeration<JarEntry> it = jar.entries(); it.hasMoreElements(); ) {
                    String name = it.nextElement().getName();
                    int slash = name.lastIndexOf('/');
                    if (name.endsWith(".class") && slash > 0 && !name.startsWith("META-INF/")) {
                        packages.add(name.substring(0, slash).replace('/', '.'));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + entry, e);
            }
        }
        return packages;
    }
}
