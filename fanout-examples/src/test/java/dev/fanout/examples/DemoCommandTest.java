package dev.fanout.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The {@code fanout} command line: {@code fanout demo}, {@code --list}, and its errors. */
class DemoCommandTest {
    private final StringWriter err = new StringWriter();

    @AfterEach
    void forgetTheProperties() {
        System.clearProperty("fanout.demo.seed");
        System.clearProperty("fanout.demo.scale");
        DemoTime.reset();
    }

    /** Runs {@code fanout ARGS}; what it prints on System.out goes to {@code out}, its errors to {@link #err}. */
    int fanout(List<String> out, String... args) {
        AtomicInteger exitCode = new AtomicInteger();
        CommandLine commandLine = FanoutCommand.commandLine().setErr(new PrintWriter(err, true));
        out.addAll(ExampleRun.run(ignored -> exitCode.set(commandLine.execute(args))));
        return exitCode.get();
    }

    @Test
    void listNamesEveryExampleInOrderWithItsPatternAndProgram() {
        List<String> out = new java.util.ArrayList<>();
        assertThat(fanout(out, "demo", "--list")).isZero();
        assertThat(out).hasSize(Example.values().length);
        for (Example example : Example.values()) {
            assertThat(out.get(example.ordinal()))
                    .startsWith(example.id + " ")
                    .contains(example.pattern)
                    .endsWith(example.program.getSimpleName());
        }
    }

    @Test
    void anUnknownNameFailsWithTheNamesThatExist() {
        List<String> out = new java.util.ArrayList<>();
        assertThat(fanout(out, "demo", "map", "no-such-example")).isEqualTo(2);
        assertThat(out).isEmpty(); // not even "map" ran
        assertThat(err.toString())
                .contains("Unknown example 'no-such-example'")
                .contains("map, map-two-inputs, map-no-iterate")
                .contains("fanout demo --list");
    }

    @Test
    void fanoutWithoutASubcommandSaysWhatToType() {
        assertThat(fanout(new java.util.ArrayList<>())).isEqualTo(2);
        assertThat(err.toString()).contains("Missing subcommand").contains("demo");
    }

    @Test
    void aNegativeScaleIsRefused() {
        assertThat(fanout(new java.util.ArrayList<>(), "demo", "--scale", "-1", "map"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--scale must be 0 or more");
    }

    @Test
    void demoNameRunsThatExampleUnderItsHeading() {
        List<String> out = new java.util.ArrayList<>();
        assertThat(fanout(out, "demo", "--seed", "7", "--scale", "0.01", "map-two-inputs"))
                .isZero();
        assertThat(out)
                .containsExactly(
                        "",
                        "=== map-two-inputs: map over two inputs (MapTwoInputs.java)",
                        "    notice: " + Example.MAP_TWO_INPUTS.notice,
                        "",
                        "[1, a]",
                        "[2, b]",
                        "[3, c]");
        assertThat(System.getProperty("fanout.demo.seed")).isEqualTo("7");
    }

    @Test
    void demoRunsSeveralExamplesInTurnEachUnderANumberedHeading() {
        List<String> out = new java.util.ArrayList<>();
        assertThat(fanout(out, "demo", "--scale", "0", "map-two-inputs", "map")).isZero();
        assertThat(out).contains("=== [1/2] map-two-inputs: map over two inputs (MapTwoInputs.java)");
        assertThat(out).contains("=== [2/2] map: map and wait (MapAndWait.java)");
        assertThat(out.indexOf("[3, c]")).isLessThan(out.indexOf("=== [2/2] map: map and wait (MapAndWait.java)"));
    }

    @Test
    void everyExampleIsAProgramWithAPublicMainAndAUniqueName() throws NoSuchMethodException {
        for (Example example : Example.values()) {
            Method main = example.program.getMethod("main", String[].class);
            assertThat(Modifier.isStatic(main.getModifiers())).isTrue();
            assertThat(Modifier.isPublic(example.program.getModifiers())).isTrue();
            assertThat(example.id).matches("[a-z0-9]+(-[a-z0-9]+)*");
            assertThat(example.notice).doesNotContain("\n");
        }
        assertThat(Arrays.stream(Example.values()).map(e -> e.id).distinct()).hasSize(Example.values().length);
    }
}
