package dev.fanout.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Java snippet of README.md and of a page under docs/ is a tagged region ({@code // tag::NAME[]} to {@code // end::NAME[]}) of a
 * test in this package, which compiles and runs it, or of the consumer project that CI builds and runs: the page cannot
 * show code that does not build or does not do what it says.
 */
class DocsSnippetsTest {
    private static final Path DOCS = Path.of("..", "docs");
    private static final Path SNIPPETS = Path.of("src", "test", "java", "dev", "fanout", "examples", "docs");
    /** The user's project CI builds and runs on both paths: its module descriptor is the README's. */
    private static final Path CONSUMER = Path.of("..", ".ci", "consumer", "src");

    private static final Pattern JAVA_BLOCK = Pattern.compile("(?s)```java\\n(.*?)```");
    private static final Pattern REGION = Pattern.compile("(?s)// tag::([a-z-]+)\\[]\\n(.*?)\\n\\s*// end::\\1\\[]");

    @Test
    void everyJavaSnippetOfTheDocsIsATaggedRegionOfATest() throws IOException {
        List<String> regions = regions();
        assertThat(regions).isNotEmpty();
        List<Path> pages;
        try (Stream<Path> files = Files.list(DOCS)) {
            pages = Stream.concat(
                            Stream.of(Path.of("..", "README.md")),
                            files.filter(p -> p.toString().endsWith(".md")))
                    .sorted()
                    .toList();
        }
        assertThat(pages).isNotEmpty();
        for (Path page : pages) {
            Matcher m = JAVA_BLOCK.matcher(Files.readString(page));
            while (m.find()) {
                assertThat(regions)
                        .as("a tested region showing this snippet of %s", page)
                        .contains(dedent(m.group(1)));
            }
        }
    }

    private static List<String> regions() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path dir : List.of(SNIPPETS, CONSUMER)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file :
                        files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = REGION.matcher(Files.readString(file));
                    while (m.find()) {
                        found.add(dedent(m.group(2)));
                    }
                }
            }
        }
        return found;
    }

    /** The lines without their common indentation, without trailing blank lines. */
    private static String dedent(String block) {
        List<String> lines = block.stripTrailing().lines().toList();
        int indent = lines.stream()
                .filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length())
                .min()
                .orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).collect(Collectors.joining("\n"));
    }
}
