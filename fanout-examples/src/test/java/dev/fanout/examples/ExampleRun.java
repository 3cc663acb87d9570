package dev.fanout.examples;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Runs an example's {@code main} on a thread of its own while it captures {@code System.out}, so that a test can read
 * the lines as they come, steer a {@link Gate} meanwhile, and check the whole output at the end.
 */
final class ExampleRun implements AutoCloseable {
    private final PrintStream originalOut = System.out;
    private final Capture capture = new Capture();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread main;

    private ExampleRun(Consumer<String[]> program) {
        System.setOut(new PrintStream(capture, true, StandardCharsets.UTF_8));
        main = new Thread(
                () -> {
                    try {
                        program.accept(new String[0]);
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                },
                "example-main");
        main.start();
    }

    static ExampleRun start(Consumer<String[]> program) {
        return new ExampleRun(program);
    }

    /** Runs {@code program} to its end and returns what it printed. */
    static List<String> run(Consumer<String[]> program) {
        try (ExampleRun run = start(program)) {
            run.awaitEnd();
            return run.lines();
        }
    }

    /** The complete lines printed so far. */
    List<String> lines() {
        return capture.lines();
    }

    /** Everything printed so far, carriage returns included. */
    String text() {
        return capture.text();
    }

    /** Waits until at least {@code n} lines are printed, and returns them all. */
    List<String> awaitLines(int n) {
        await().atMost(Gate.PATIENCE).until(() -> lines().size() >= n);
        return lines();
    }

    Thread mainThread() {
        return main;
    }

    /** Waits for {@code main} to return, and fails if it threw. */
    void awaitEnd() {
        try {
            main.join(Gate.PATIENCE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        if (main.isAlive()) {
            throw new AssertionError("main did not return within " + Gate.PATIENCE + "; it printed " + lines());
        }
        Throwable t = failure.get();
        if (t != null) {
            throw new AssertionError("main threw", t);
        }
    }

    boolean ended() {
        return !main.isAlive();
    }

    @Override
    public void close() {
        System.out.flush();
        System.setOut(originalOut);
    }

    /** Collects the bytes printed from any thread, and splits them into lines. */
    private static final class Capture extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        List<String> lines() {
            String text = text();
            List<String> lines = new ArrayList<>();
            int start = 0;
            for (int end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
                String line = text.substring(start, end);
                lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line); // Windows
                start = end + 1;
            }
            return lines;
        }
    }
}
