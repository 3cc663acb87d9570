package dev.fanout.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Where and how a run happened: machine, JDK, Python, date, command.
 *
 * @param date when the run started
 * @param machine CPU model, cores, memory, OS
 * @param jdk vendor and version of this JVM
 * @param python the interpreter's version, or why there is none
 * @param mode quick, full or smoke
 * @param command the command line
 */
record Environment(String date, String machine, String jdk, String python, String mode, String command) {

    static Environment describe(String mode, String command, String python) {
        Runtime rt = Runtime.getRuntime();
        long memory = 0;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize();
        }
        String machine = String.format(
                Locale.ROOT,
                "%s, %d cores, %.0f GiB, %s %s (%s)",
                cpuModel(),
                rt.availableProcessors(),
                memory / (1024.0 * 1024 * 1024),
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                System.getProperty("os.arch"));
        String jdk = System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version") + " ("
                + System.getProperty("java.home") + "), "
                + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments());
        return new Environment(
                ZonedDateTime.now()
                        .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                        .replaceFirst("\\.\\d+", ""),
                machine,
                jdk.strip().replaceAll(",\\s*$", ""),
                pythonVersion(python),
                mode,
                command);
    }

    String markdown() {
        return "| | |\n|---|---|\n"
                + "| date | " + date + " |\n"
                + "| machine | " + machine + " |\n"
                + "| JDK | " + jdk + " |\n"
                + "| Python | " + python + " |\n"
                + "| mode | " + mode + " |\n"
                + "| command | `" + command + "` |\n";
    }

    /** The root of the Fanout checkout: the nearest folder up from here with the Maven wrapper and the core module. */
    static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("fanout-core"))) {
                return p;
            }
        }
        return null;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the architecture says enough
        }
        return System.getProperty("os.arch");
    }

    private static String pythonVersion(String python) {
        Processes.Outcome o =
                Processes.run(List.of(python, "--version"), Path.of("").toAbsolutePath(), 30);
        String v = (o.stdout() + o.stderr()).strip();
        return o.exitCode() == 0 ? v : "not available (" + v + ")";
    }
}
