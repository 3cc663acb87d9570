package dev.fanout.beyond;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.AsCompleted;
import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.Promise;
import dev.fanout.ThreadPool;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link AsCompleted#add}: futures added while iterating, as Dask's {@code as_completed.add}. */
@Timeout(30)
class AsCompletedAddTest {

    @Test
    void crawlerDiscoversWorkWhileIterating() {
        try (ThreadPool pool = new ThreadPool(4)) {
            AsCompleted<Integer> pages = Futures.asCompleted(List.of(pool.submit(() -> 1)));
            List<Integer> seen = new ArrayList<>();
            for (Future<Integer> done : pages) {
                int depth = done.result();
                seen.add(depth);
                if (depth < 6) {
                    pages.add(pool.submit(() -> depth + 1));
                    pages.add(pool.submit(() -> depth + 1));
                }
            }
            // a binary tree of depth 6: 2^6 - 1 nodes
            assertThat(seen).hasSize(63);
        }
    }

    @Test
    void addedFutureThatIsDoneComesAfterThoseAlreadyWaiting() {
        Promise<String> a = new Promise<>();
        a.setResult("a");
        AsCompleted<String> ac = Futures.asCompleted(List.of(a));
        Promise<String> b = new Promise<>();
        b.setResult("b");
        ac.add(b).add(b).add(a); // duplicates are handed out once
        List<String> out = new ArrayList<>();
        ac.forEach(f -> out.add(f.result()));
        assertThat(out).containsExactly("a", "b");
    }

    @Test
    void addAfterTheIterationEndedIsAnError() {
        Promise<String> a = new Promise<>();
        a.setResult("a");
        AsCompleted<String> ac = Futures.asCompleted(List.of(a));
        Iterator<Future<String>> it = ac.iterator();
        it.next();
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(() -> ac.add(new Promise<>()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ended");
        assertThatThrownBy(() -> ac.add(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void pendingAddedFutureIsWaitedFor() throws Exception {
        Promise<String> first = new Promise<>();
        first.setResult("first");
        AsCompleted<String> ac = Futures.asCompleted(List.of(first));
        Iterator<Future<String>> it = ac.iterator();
        assertThat(it.next().result()).isEqualTo("first");
        Promise<String> later = new Promise<>();
        ac.add(later);
        Thread completer = new Thread(() -> later.setResult("later"));
        completer.start();
        assertThat(it.next()).isSameAs(later);
        completer.join();
        assertThat(it.hasNext()).isFalse();
    }
}
