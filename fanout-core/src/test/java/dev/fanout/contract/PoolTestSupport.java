package dev.fanout.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/** Helpers shared by the executor-side contract tests: thread census, instrumented inputs, log capture, child JVMs. */
final class PoolTestSupport {
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private PoolTestSupport() {}

    /** A thread name prefix no other pool of this JVM uses, so that a census of live threads sees only ours. */
    static String uniquePrefix(String what) {
        return "contract-" + what + "-" + PREFIXES.incrementAndGet();
    }

    /** The live platform threads named {@code prefix_N}. */
    static Set<Thread> liveThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().matches(Pattern.quote(prefix) + "_\\d+"))
                .collect(Collectors.toSet());
    }

    /** Awaits a latch inside a task; a test that never releases it fails the task instead of hanging it. */
    static void await(CountDownLatch latch) throws InterruptedException {
        if (!latch.await(20, TimeUnit.SECONDS)) {
            throw new AssertionError("latch not released within 20 s");
        }
    }

    /** Waits until {@code thread} is parked with nothing to do (a worker blocked on its empty queue). */
    static void awaitIdle(Thread thread) {
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(1))
                .until(() -> thread.getState() == Thread.State.WAITING);
    }

    /** Runs {@code action} on a new daemon thread; the returned future completes when it returns or throws. */
    static CompletableFuture<Void> inNewThread(String name, ThrowingRunnable action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try {
                        action.run();
                        done.complete(null);
                    } catch (Throwable e) {
                        done.completeExceptionally(e);
                    }
                },
                name);
        t.setDaemon(true);
        t.start();
        return done;
    }

    /** A runnable that may throw, for {@link #inNewThread}. */
    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    // ---- instrumented inputs -----------------------------------------------------------------------------------

    /** An iterable of 0, 1, 2, ... (endless when {@code size < 0}) that counts how many items were read. */
    static final class CountingIterable implements Iterable<Integer> {
        private final int size;
        final AtomicInteger read = new AtomicInteger();

        CountingIterable(int size) {
            this.size = size;
        }

        static CountingIterable endless() {
            return new CountingIterable(-1);
        }

        @Override
        public Iterator<Integer> iterator() {
            return new Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    return size < 0 || next < size;
                }

                @Override
                public Integer next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    read.incrementAndGet();
                    return next++;
                }
            };
        }
    }

    // ---- a second JVM ------------------------------------------------------------------------------------------

    /** What a child JVM did. */
    record ChildResult(int exitCode, String stdout, String stderr) {
        List<String> lines() {
            return stdout.lines().map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toList());
        }
    }

    /** Runs {@code main} in a fresh JVM (this JVM's java, this class path) and waits at most {@code limit}. */
    static ChildResult runJava(Class<?> main, Duration limit, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        CompletableFuture<String> out = reader(process.getInputStream());
        CompletableFuture<String> err = reader(process.getErrorStream());
        boolean exited = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor();
        }
        assertThat(exited)
                .as(
                        "child JVM %s %s exited within %s; stdout so far: %s",
                        main.getSimpleName(), List.of(args), limit, out)
                .isTrue();
        return new ChildResult(process.exitValue(), out.join(), err.join());
    }

    /** Drains a stream on a thread of its own: the common pool may have a single thread on a small machine. */
    private static CompletableFuture<String> reader(InputStream in) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try {
                        text.complete(readAll(in));
                    } catch (RuntimeException e) {
                        text.completeExceptionally(e);
                    }
                },
                "child-jvm-reader");
        t.setDaemon(true);
        t.start();
        return text;
    }

    private static String readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return bytes.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A set safe to fill from many tasks. */
    static <T> Set<T> concurrentSet() {
        return ConcurrentHashMap.newKeySet();
    }
}
