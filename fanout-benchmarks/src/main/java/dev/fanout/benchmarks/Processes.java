package dev.fanout.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs child processes: CPython's baseline, and the child JVMs of scenario (e). */
final class Processes {
    private Processes() {}

    /** What a child process did. */
    record Outcome(int exitCode, boolean timedOut, String stdout, String stderr) {}

    static Outcome run(List<String> command, Path dir, long timeoutSeconds) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Outcome(-1, false, "", "cannot start " + command.get(0) + ": " + e.getMessage());
        }
        closeQuietly(p);
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        boolean finished;
        try {
            finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + command, e);
        }
        if (!finished) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return new Outcome(finished ? p.exitValue() : -1, !finished, out.join(), err.join());
    }

    private static void closeQuietly(Process p) {
        try {
            p.getOutputStream().close(); // the children read nothing
        } catch (IOException ignored) {
            // nothing was written; nothing to lose
        }
    }

    /** The java launcher of this JVM, so that a child runs on the same JDK. */
    static String javaLauncher() {
        return ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
