package dev.fanout.examples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fanout demo}: runs the examples, each under a heading that names its pattern and says what to notice. */
@Command(
        name = "demo",
        description = "Runs the usage patterns, one small program each: all of them in turn, or the ones named.",
        mixinStandardHelpOptions = true)
final class DemoCommand implements Callable<Integer> {

    @Parameters(
            paramLabel = "NAME",
            arity = "0..*",
            description = "the examples to run (default: all), from: ${COMPLETION-CANDIDATES}",
            completionCandidates = Names.class)
    List<String> names = new ArrayList<>();

    @Option(names = "--list", description = "list the examples and exit")
    boolean list;

    @Option(
            names = "--seed",
            paramLabel = "N",
            description = "seed the random sleeps: the same sequence of sleeps at every run")
    Long seed;

    @Option(
            names = "--scale",
            paramLabel = "X",
            defaultValue = "1",
            description = "multiply every sleep by X (0.1 runs ten times faster; default: ${DEFAULT-VALUE})")
    double scale;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<Example> chosen = new ArrayList<>();
        for (String name : names) {
            chosen.add(Example.named(name)
                    .orElseThrow(() -> new ParameterException(
                            spec.commandLine(),
                            "Unknown example '" + name + "'. The examples are: " + Names.joined()
                                    + " ('fanout demo --list' says what each shows)")));
        }
        if (list) {
            for (Example example : Example.values()) {
                System.out.printf("%-18s %-46s %s%n", example.id, example.pattern, example.program.getSimpleName());
            }
            return 0;
        }
        if (!(scale >= 0)) {
            throw new ParameterException(spec.commandLine(), "--scale must be 0 or more, got " + scale);
        }
        if (chosen.isEmpty()) {
            chosen.addAll(Arrays.asList(Example.values()));
        }
        if (seed != null) {
            System.setProperty("fanout.demo.seed", seed.toString());
        }
        System.setProperty("fanout.demo.scale", Double.toString(scale));
        int n = 0;
        for (Example example : chosen) {
            n++;
            String counter = chosen.size() > 1 ? "[" + n + "/" + chosen.size() + "] " : "";
            System.out.printf(
                    Locale.ROOT,
                    "%n=== %s%s: %s (%s.java)%n    notice: %s%n%n",
                    counter,
                    example.id,
                    example.pattern,
                    example.program.getSimpleName(),
                    example.notice);
            DemoTime.reset();
            example.main.accept(new String[0]);
        }
        return 0;
    }

    /** The examples' names, for the usage help and for error messages. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(Example.values()).map(e -> e.id).iterator();
        }

        static String joined() {
            return Arrays.stream(Example.values()).map(e -> e.id).collect(Collectors.joining(", "));
        }
    }
}
