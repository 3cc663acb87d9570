package dev.fanout.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Executor;
import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.ThreadPool;
import dev.fanout.hazelcast.HazelcastExecutor;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The Java snippets of README.md and docs/cluster.md, run with the task and names they assume. */
class ReadmeAndClusterTest {
    private static final List<String> names = List.of("a", "b", "c");

    static String task(String name) {
        return name.toUpperCase();
    }

    @Test
    void theReadmesSubmittingSnippet() {
        String printed = Printed.by(() -> {
            // tag::readme-submitting[]
            try (ThreadPool pool = new ThreadPool(10)) {
                List<Future<String>> fs =
                        names.stream().map(n -> pool.submit(() -> task(n))).toList();
                for (Future<String> f : Futures.asCompleted(fs)) {
                    System.out.println(f.result());
                }
            } // close() waits for every task, like leaving Python's `with` block
            // end::readme-submitting[]
        });
        assertThat(printed.lines()).containsExactlyInAnyOrder("A", "B", "C");
    }

    @Test
    void theClusterPagesOneLineChange() {
        Logger.getLogger("com.hazelcast").setLevel(Level.WARNING);
        String printed = Printed.by(() -> {
            // tag::cluster-map[]
            try (Executor pool = HazelcastExecutor.local()) { // was: new ThreadPool(8)
                for (String r : pool.map(name -> task(name), names)) {
                    System.out.println(r);
                }
            }
            // end::cluster-map[]
        });
        assertThat(printed.lines()).containsExactly("A", "B", "C");
    }
}
