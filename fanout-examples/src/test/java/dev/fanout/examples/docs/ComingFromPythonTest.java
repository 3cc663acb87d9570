package dev.fanout.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.DoneAndNotDone;
import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.ReturnWhen;
import dev.fanout.ThreadPool;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The snippets of docs/coming-from-python.md, run: {@link DocsSnippetsTest} checks the page shows them as here. */
class ComingFromPythonTest {
    @Test
    void theWholeProgramPrintsWhatThePageSays() {
        String printed = Printed.by(() -> {
            // tag::whole-program[]
            try (ThreadPool ex = new ThreadPool(4)) {
                List<Future<Integer>> futures = new ArrayList<>();
                for (int n = 0; n < 5; n++) {
                    int x = n;
                    futures.add(ex.submit(() -> x * x));
                }
                DoneAndNotDone<Integer> waited = Futures.wait(futures, ReturnWhen.ALL_COMPLETED);
                List<Integer> squares = new ArrayList<>();
                for (Future<Integer> f : waited.done()) {
                    squares.add(f.result());
                }
                Collections.sort(squares);
                System.out.println(squares);
                List<String> zipped = new ArrayList<>();
                ex.map((Integer a, String b) -> a + b, List.of(1, 2), List.of("a", "b"))
                        .forEach(zipped::add);
                System.out.println(zipped);
            }
            // end::whole-program[]
        });
        assertThat(printed.lines()).containsExactly("[0, 1, 4, 9, 16]", "[1a, 2b]");
    }
}
