package dev.fanout.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's table of examples names every example, so that it cannot fall behind the code. */
class ReadmeTest {

    @Test
    void theReadmeTableHasARowForEveryExample() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (Example example : Example.values()) {
            assertThat(readme)
                    .as("the README's row for %s", example.id)
                    .containsPattern(
                            "\\| `" + example.program.getSimpleName() + "` \\| `./fanout demo " + example.id + "` \\|");
        }
    }
}
