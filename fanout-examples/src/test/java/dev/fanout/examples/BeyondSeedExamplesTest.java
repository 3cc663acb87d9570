package dev.fanout.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/** The examples beyond the tutorial: a bounded map over an endless input, FIRST_EXCEPTION, timeouts, virtual threads. */
class BeyondSeedExamplesTest extends GatedTest {

    @Test
    void anEndlessMapReadsItsInputOnlyBufferSizeAheadOfTheResults() {
        gate.open(); // no sleeping at all: ten thousand tasks as fast as the pool goes
        try (ExampleRun run = ExampleRun.start(EndlessMap::main)) {
            run.awaitEnd();
            List<String> lines = run.lines();
            assertThat(lines).hasSize(4);

            Matcher read = Pattern.compile("Read (\\d+) items of the endless input for (\\d+) results: .*")
                    .matcher(lines.get(3));
            assertThat(read.matches()).as(lines.get(3)).isTrue();
            long itemsRead = Long.parseLong(read.group(1));
            long results = Long.parseLong(read.group(2));
            assertThat(results).isEqualTo(EndlessMap.RESULTS);
            assertThat(itemsRead).isBetween(results, results + EndlessMap.BUFFER_SIZE);

            // the progress bar is redrawn in place, from 2% to 100%
            assertThat(lines.get(1)).startsWith("\r[#").endsWith("\r[" + "#".repeat(50) + "] 100%");
            assertThat(lines.get(1).split("\r")).hasSize(51);

            double before = megabytes(lines.get(0), "Heap in use at the start: ");
            double after = megabytes(lines.get(2), "Heap in use at the end: ");
            assertThat(after).isLessThan(before + 32);
        }
    }

    static double megabytes(String line, String prefix) {
        assertThat(line).startsWith(prefix).endsWith(" MB");
        return Double.parseDouble(
                line.substring(prefix.length(), line.length() - 3).replace(',', '.')); // printf's locale
    }

    @Test
    void waitForFirstExceptionReturnsAtTheFailureAndCancelsWhatHasNotStarted() {
        try (ExampleRun run = ExampleRun.start(WaitForFirstException::main)) {
            gate.awaitArrivals(4); // four workers: tasks 0 to 3, task 3 being the one that fails
            for (int i = 0; i < 4; i++) {
                gate.release(i);
            }
            List<String> lines = run.awaitLines(3);
            Matcher returned = Pattern.compile("Wait returned with (\\d+) done and (\\d+) not done")
                    .matcher(lines.get(0));
            assertThat(returned.matches()).as(lines.get(0)).isTrue();
            int done = Integer.parseInt(returned.group(1));
            int notDone = Integer.parseInt(returned.group(2));
            // it did not wait for all: the tasks started after the first four are still held by the gate
            assertThat(done).isBetween(1, 4);
            assertThat(done + notDone).isEqualTo(10);
            assertThat(lines.get(1))
                    .isEqualTo("Failed: java.lang.IllegalStateException: task 3 could not read its input");

            // every task not started by then is cancelled; the started ones are left to finish
            Matcher cancelledLine = Pattern.compile("Cancelled (\\d+) tasks that had not started")
                    .matcher(lines.get(2));
            assertThat(cancelledLine.matches()).as(lines.get(2)).isTrue();
            int cancelled = Integer.parseInt(cancelledLine.group(1));
            assertThat(cancelled).isBetween(2, 6);
            gate.open();
            run.awaitEnd();
            assertThat(gate.arrived()).isEqualTo(10 - cancelled);
            assertThat(run.lines()).hasSize(3);
        }
    }

    @Test
    void aTimeoutEndsTheWaitingAndWaitNeverThrows() {
        try (ExampleRun run = ExampleRun.start(WaitWithTimeouts::main)) {
            gate.awaitArrivals(10);
            assertThat(run.awaitLines(1)).containsExactly("Task 0 is not done after 0.1 s");

            // three tasks finish; the seven others run past every deadline
            for (int i = 0; i < 3; i++) {
                gate.release(i);
            }
            List<String> lines = run.awaitLines(2);
            Matcher waited = Pattern.compile("After 0.3 s more: (\\d+) done, (\\d+) not done")
                    .matcher(lines.get(1));
            assertThat(waited.matches()).as(lines.get(1)).isTrue();
            assertThat(Integer.parseInt(waited.group(1))).isBetween(0, 3);
            assertThat(Integer.parseInt(waited.group(1)) + Integer.parseInt(waited.group(2)))
                    .isEqualTo(10);

            await(() -> run.lines().stream().anyMatch(line -> line.startsWith("Timed out: ")));
            lines = run.lines();
            String timedOut = lines.get(lines.size() - 1);
            Matcher unfinished = Pattern.compile("Timed out: (\\d+) \\(of 10\\) futures unfinished")
                    .matcher(timedOut);
            assertThat(unfinished.matches()).as(timedOut).isTrue();
            int results = lines.size() - 3;
            assertThat(results).isBetween(0, 3);
            assertThat(Integer.parseInt(unfinished.group(1))).isEqualTo(10 - results);

            // leaving the first pool's block waits for its seven tasks; then the map starts five on a new pool
            gate.releaseArrived();
            // tasks 0 to 4 of the map start; they finish at once unless the map's time ran out meanwhile
            await(() -> gate.arrived() >= 15 || mapEnded(run));
            for (int i = 10; i < Math.min(15, gate.arrived()); i++) {
                gate.release(i);
            }
            await(() -> mapEnded(run));
            gate.open();
            run.awaitEnd();

            List<String> mapLines =
                    run.lines().subList(lines.size(), run.lines().size());
            int mapResults = mapLines.size() - 1;
            assertThat(mapResults).isBetween(0, 5);
            assertThat(mapLines.subList(0, mapResults))
                    .containsExactlyElementsOf(SeedExamplesTest.ZERO_TO_NINE.subList(0, mapResults));
            assertThat(mapLines.get(mapResults)).isEqualTo("The map timed out after " + mapResults + " results");
        }
    }

    static boolean mapEnded(ExampleRun run) {
        List<String> lines = run.lines();
        return lines.get(lines.size() - 1).startsWith("The map ");
    }

    static void await(java.util.concurrent.Callable<Boolean> condition) {
        org.awaitility.Awaitility.await().atMost(Gate.PATIENCE).until(condition);
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void onJdk17TheVirtualThreadsExampleSaysWhyItStops() {
        List<String> lines = ExampleRun.run(VirtualThreads::main);
        assertThat(lines)
                .containsExactly("Skipped: virtual threads need JDK 21 or newer; this is JDK "
                        + Runtime.version().feature());
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void onJdk21AndNewerTenThousandVirtualThreadsSleepAtOnce() {
        try (ExampleRun run = ExampleRun.start(VirtualThreads::main)) {
            // all ten thousand are asleep in the gate at the same time
            gate.awaitArrivals(VirtualThreads.TASKS);
            gate.open();
            run.awaitEnd();
            assertThat(run.lines()).hasSize(1);
            assertThat(run.lines().get(0))
                    .matches("10000 tasks slept \\d+ s in all, in \\d+[.,]\\d s: up to 10000 of them sleeping at once");
        }
    }

    /**
     * The cluster example: tasks travel to a Hazelcast member in this JVM (so the gate, a static, still holds them),
     * and the results come back in input order although the tasks finish in reverse.
     */
    @Test
    void theClusterMapGivesResultsInInputOrder() {
        try (ExampleRun run = ExampleRun.start(ClusterMap::main)) {
            gate.awaitArrivals(1); // the member started and a task reached it
            // Release whatever has arrived, newest first, until all ten ran; chunking decides how many wait at once.
            await(() -> {
                for (int i = gate.arrived() - 1; i >= 0; i--) {
                    gate.release(i);
                }
                return gate.woken() == 10;
            });
            run.awaitEnd();
            assertThat(run.lines()).containsExactlyElementsOf(SeedExamplesTest.ZERO_TO_NINE);
        }
    }
}
