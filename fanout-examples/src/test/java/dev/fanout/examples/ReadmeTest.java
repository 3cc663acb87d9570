package dev.fanout.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README and the guide against the code: the guide's table of examples names every example, and the README's "Add
 * Fanout to your build" snippets
 * are what the consumer project in {@code .ci/consumer} uses, which CI builds and runs against the installed artifacts
 * on the class path and the module path.
 */
class ReadmeTest {
    private static final Path ROOT = Path.of("..");
    private static final Path CONSUMER = ROOT.resolve(".ci/consumer");

    @Test
    void theGuidesTableHasARowForEveryExample() throws IOException {
        String guide = Files.readString(ROOT.resolve("docs/guide.md"));
        for (Example example : Example.values()) {
            assertThat(guide)
                    .as("the guide's row for %s", example.id)
                    .containsPattern(
                            "\\| `" + example.program.getSimpleName() + "` \\| `./fanout demo " + example.id + "` \\|");
        }
    }

    @Test
    void theMavenSnippetIsTheConsumersBomAndDependencies() throws IOException {
        String version = fanoutVersion();
        String pom = Files.readString(CONSUMER.resolve("pom.xml")).replace("${fanout.version}", version);
        List<String> snippet = blocks("xml");
        assertThat(snippet).hasSize(1);
        String[] elements = snippet.get(0).split("\\n\\s*\\n");
        assertThat(elements).as("<dependencyManagement> and <dependencies>").hasSize(2);
        for (String element : elements) {
            assertThat(squeeze(pom)).as("the consumer's pom.xml").contains(squeeze(element));
        }
        assertThat(elements[0]).contains("<version>" + version + "</version>");
    }

    @Test
    void theGradleSnippetNamesTheBomAndTheConsumersDependencies() throws IOException {
        String gradle = blocks("kotlin").get(0);
        assertThat(gradle).contains("implementation(platform(\"dev.fanout:fanout-bom:" + fanoutVersion() + "\"))");
        Set<String> named = new TreeSet<>();
        Matcher m = Pattern.compile("implementation\\(\"dev\\.fanout:([a-z-]+)\"\\)")
                .matcher(gradle);
        while (m.find()) {
            named.add(m.group(1));
        }
        Set<String> consumed = new TreeSet<>();
        String dependencies = Files.readString(CONSUMER.resolve("pom.xml"))
                .replaceAll("(?s)<dependencyManagement>.*</dependencyManagement>", "")
                .replaceAll("(?s).*?<dependencies>(.*?)</dependencies>.*", "$1");
        Matcher d = Pattern.compile("<artifactId>(fanout-[a-z-]+)</artifactId>").matcher(dependencies);
        while (d.find()) {
            consumed.add(d.group(1));
        }
        assertThat(named).isEqualTo(consumed).containsExactly("fanout-core", "fanout-hazelcast");
    }

    /** The version of the BOM, which is the project's. */
    private static String fanoutVersion() throws IOException {
        String bom = Files.readString(ROOT.resolve("fanout-bom/pom.xml"));
        Matcher m = Pattern.compile("<artifactId>fanout-bom</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(bom);
        assertThat(m.find()).as("fanout-bom's version").isTrue();
        return m.group(1);
    }

    /** The fenced blocks of one language in the README's section "Add Fanout to your build". */
    private static List<String> blocks(String language) throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("## Add Fanout to your build");
        assertThat(start).as("the README's section Add Fanout to your build").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        List<String> found = new ArrayList<>();
        Matcher m = Pattern.compile("(?s)```" + language + "\\n(.*?)```").matcher(section);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    private static String squeeze(String xml) {
        return xml.replaceAll(">\\s+<", "><").strip();
    }
}
