package dev.fanout.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The examples of the tutorial, each run with the {@link Gate} deciding when every task finishes: the tests let tasks
 * finish in another order than they were submitted (the reverse of the order they started), and check that the output
 * shows what the example is about.
 */
class SeedExamplesTest extends GatedTest {
    static final List<String> ZERO_TO_NINE =
            IntStream.range(0, 10).mapToObj(Integer::toString).toList();

    /** Lets the tasks finish one at a time, the last one to start first. */
    void releaseInReverse(int tasks) {
        for (int i = tasks - 1; i >= 0; i--) {
            gate.release(i);
        }
    }

    @Test
    void mapGivesResultsInInputOrderWhateverOrderTheTasksFinishIn() {
        try (ExampleRun run = ExampleRun.start(MapAndWait::main)) {
            gate.awaitArrivals(10); // map submits every task at once, and ten workers run them all
            releaseInReverse(10);
            run.awaitEnd();
            assertThat(run.lines()).containsExactlyElementsOf(ZERO_TO_NINE);
        }
    }

    @Test
    void mapOverTwoInputsPairsTheItemsInStep() {
        try (ExampleRun run = ExampleRun.start(MapTwoInputs::main)) {
            gate.awaitArrivals(3);
            releaseInReverse(3);
            run.awaitEnd();
            assertThat(run.lines()).containsExactly("[1, a]", "[2, b]", "[3, c]");
        }
    }

    @Test
    void mapRunsEveryTaskWithoutAnyoneReadingTheResults() {
        try (ExampleRun run = ExampleRun.start(MapWithoutIterating::main)) {
            gate.awaitArrivals(5); // all five started though nobody iterates
            assertThat(run.lines()).isEmpty();
            releaseInReverse(5);
            run.awaitEnd();
            assertThat(run.lines()).hasSize(6).endsWith("All done!");
            assertThat(run.lines().subList(0, 5))
                    .containsExactlyInAnyOrder("Done: 0", "Done: 1", "Done: 2", "Done: 3", "Done: 4");
        }
    }

    @Test
    void asCompletedGivesEachResultAsSoonAsItsTaskFinishes() {
        try (ExampleRun run = ExampleRun.start(SubmitAsCompleted::main)) {
            gate.awaitArrivals(10);
            for (int finished = 1; finished <= 10; finished++) {
                // one more task done, and only that one: its result must come out now, while the others still run
                gate.release(10 - finished);
                assertThat(run.awaitLines(finished)).hasSize(finished);
            }
            run.awaitEnd();
            assertThat(run.lines()).containsExactlyInAnyOrderElementsOf(ZERO_TO_NINE);
        }
    }

    @Test
    void sequentialUseWaitsForEachTaskInSubmissionOrder() {
        try (ExampleRun run = ExampleRun.start(SubmitSequentially::main)) {
            gate.awaitArrivals(10);
            // every task finishes but the first one to start: the results behind it must wait
            for (int i = 9; i >= 1; i--) {
                gate.release(i);
            }
            gate.awaitWoken(9);
            await().atMost(Gate.PATIENCE).until(() -> run.mainThread().getState() == Thread.State.WAITING);
            List<String> sofar = run.lines();
            assertThat(sofar).hasSizeLessThan(10).isEqualTo(ZERO_TO_NINE.subList(0, sofar.size()));

            gate.release(0);
            run.awaitEnd();
            assertThat(run.lines()).containsExactlyElementsOf(ZERO_TO_NINE);
        }
    }

    @Test
    void aCallbackRunsAsSoonAsItsTaskFinishes() {
        try (ExampleRun run = ExampleRun.start(SubmitCallback::main)) {
            gate.awaitArrivals(10);
            for (int finished = 1; finished <= 10; finished++) {
                gate.release(10 - finished);
                run.awaitLines(finished);
            }
            run.awaitEnd();
            assertThat(run.lines()).containsExactlyInAnyOrderElementsOf(ZERO_TO_NINE);
        }
    }

    @Test
    void twoCallbacksRunInTheOrderTheyWereAdded() {
        try (ExampleRun run = ExampleRun.start(SubmitTwoCallbacks::main)) {
            gate.awaitArrivals(10);
            for (int finished = 1; finished <= 10; finished++) {
                gate.release(10 - finished);
                List<String> lines = run.awaitLines(2 * finished);
                String name = lines.get(2 * finished - 2).replace("Callback 1: ", "");
                assertThat(lines.subList(2 * finished - 2, 2 * finished))
                        .containsExactly("Callback 1: " + name, "Callback 2: " + name);
            }
            run.awaitEnd();
            assertThat(run.lines()).hasSize(20);
            assertThat(run.lines().stream()
                            .filter(line -> line.startsWith("Callback 1: "))
                            .map(line -> line.replace("Callback 1: ", "")))
                    .containsExactlyInAnyOrderElementsOf(ZERO_TO_NINE);
        }
    }

    enum WaitForAllVariant {
        FUTURES_WAIT(WaitForAll::main),
        TRY_WITH_RESOURCES(WaitForAllTryWithResources::main),
        SHUTDOWN(WaitForAllShutdown::main);

        final Consumer<String[]> main;

        WaitForAllVariant(Consumer<String[]> main) {
            this.main = main;
        }
    }

    @ParameterizedTest
    @EnumSource(WaitForAllVariant.class)
    void waitingForAllGoesOnOnlyOnceTheLastTaskIsDone(WaitForAllVariant variant) {
        try (ExampleRun run = ExampleRun.start(variant.main)) {
            gate.awaitArrivals(10);
            for (int i = 9; i >= 1; i--) {
                gate.release(i);
            }
            run.awaitLines(9);
            // main has submitted everything and is blocked: in wait, close or shutdown, not past it
            await().atMost(Gate.PATIENCE).until(() -> run.mainThread().getState() == Thread.State.WAITING);
            assertThat(run.lines()).hasSize(9).doesNotContain("All tasks are done!");

            gate.release(0);
            run.awaitEnd();
            assertThat(run.lines()).hasSize(11).endsWith("All tasks are done!");
            assertThat(run.lines().subList(0, 10)).containsExactlyInAnyOrderElementsOf(ZERO_TO_NINE);
        }
    }

    @Test
    void waitForFirstReturnsAtTheFirstResultAndCancelsTheTasksNotStarted() {
        try (ExampleRun run = ExampleRun.start(WaitForFirst::main)) {
            gate.awaitArrivals(5); // five workers: tasks 0 to 4 start, 5 to 9 wait in the queue
            gate.release(0);

            // main returns while four tasks still run: it waited for one, and shutdown(false, true) does not wait
            run.awaitEnd();
            List<String> lines = run.lines();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).isIn("0", "1", "2", "3", "4");
            assertThat(gate.woken()).isEqualTo(1);

            // the worker that finished may have started task 5 before the shutdown; every other task was cancelled
            assertThat(lines.get(1)).matches("Cancelled [45] tasks that had not started");
            int cancelled = Integer.parseInt(lines.get(1).replaceAll("\\D", ""));
            gate.open();
            gate.awaitWoken(10 - cancelled);
            assertThat(gate.arrived()).isEqualTo(10 - cancelled);
        }
    }
}
