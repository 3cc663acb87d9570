package dev.fanout.proof;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Writes the figures of a proof run (operations checked, interleavings tried, faults injected) to standard output and
 * appends them to {@code target/proof-figures.txt}, for RELIABILITY.md.
 */
final class Figures {
    private Figures() {}

    static synchronized void record(String what, String figures) {
        String line = Instant.now() + " scale=" + Scale.factor() + " java="
                + Runtime.version().feature() + " " + what + ": " + figures;
        System.out.println("[proof] " + line);
        try {
            Path dir = Path.of("target");
            Files.createDirectories(dir);
            Files.writeString(
                    dir.resolve("proof-figures.txt"),
                    line + System.lineSeparator(),
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("[proof] cannot write target/proof-figures.txt: " + e);
        }
    }
}
