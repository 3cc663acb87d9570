package dev.fanout.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.AsCompleted;
import dev.fanout.DoneAndNotDone;
import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.MapOptions;
import dev.fanout.MapResults;
import dev.fanout.ReturnWhen;
import dev.fanout.ThreadPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The snippets of docs/guide.md, run and checked; {@link DocsSnippetsTest} holds the page to these regions. */
class GuideTest {
    private static final List<String> NAMES = List.of("a", "b", "c");

    static String task(String name) {
        return name.toUpperCase();
    }

    static int slowSquare(int n) throws InterruptedException {
        Thread.sleep(1);
        return n * n;
    }

    @Test
    void submitAndReadTheResult() {
        String printed = Printed.by(() -> {
            // tag::submit[]
            try (ThreadPool pool = new ThreadPool(4)) {
                Future<String> f = pool.submit(() -> task("a"));
                f.addDoneCallback(done -> System.out.println("done: " + done.result()));
                System.out.println(f.result(Duration.ofSeconds(10)));
            }
            // end::submit[]
        });
        assertThat(printed.lines()).containsExactlyInAnyOrder("A", "done: A");
    }

    @Test
    void aCheckedExceptionComesWrappedAnUncheckedOneAsItIs() {
        try (ThreadPool pool = new ThreadPool(2)) {
            // tag::exceptions[]
            Future<Object> failed = pool.submit(() -> {
                throw new java.io.IOException("disk full");
            });
            Throwable cause = failed.exception(); // the IOException itself, or null on success
            // failed.result() throws CompletionException with that IOException as its cause
            // end::exceptions[]
            assertThat(cause).isInstanceOf(java.io.IOException.class).hasMessage("disk full");
            assertThatThrownBy(failed::result)
                    .isInstanceOf(java.util.concurrent.CompletionException.class)
                    .hasCause(cause);
        }
    }

    @Test
    void waitForTheFirstExceptionThenCancelTheRest() {
        try (ThreadPool pool = new ThreadPool(2)) {
            CountDownLatch never = new CountDownLatch(1);
            // tag::first-exception[]
            List<Future<Integer>> fs = new ArrayList<>();
            fs.add(pool.submit(() -> Integer.parseInt("not a number")));
            fs.add(pool.submit(() -> {
                never.await();
                return 1;
            }));
            DoneAndNotDone<Integer> waited = Futures.wait(fs, ReturnWhen.FIRST_EXCEPTION);
            for (Future<Integer> f : waited.done()) {
                System.out.println("failed: " + f.exception());
            }
            // end::first-exception[]
            assertThat(waited.done()).containsExactly(fs.get(0));
            assertThat(waited.notDone()).containsExactly(fs.get(1));
            never.countDown();
        }
    }

    @Test
    void asCompletedTakesMoreWorkAsItGoes() {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        try (ThreadPool pool = new ThreadPool(4)) {
            // tag::as-completed-add[]
            AsCompleted<Integer> results = Futures.asCompleted(List.of(pool.submit(() -> 1)));
            for (Future<Integer> f : results) {
                int n = f.result();
                seen.add(n);
                if (n < 4) {
                    results.add(pool.submit(() -> n + 1)); // a crawler's next page
                }
            }
            // end::as-completed-add[]
        }
        assertThat(seen).containsExactly(1, 2, 3, 4);
    }

    @Test
    void aBoundedMapOverAnEndlessInput() {
        List<Integer> firstTen = new ArrayList<>();
        try (ThreadPool pool = new ThreadPool(4)) {
            // tag::bounded-map[]
            Stream<Integer> endless = Stream.iterate(0, n -> n + 1);
            try (MapResults<Integer> squares = pool.map(
                    GuideTest::slowSquare, endless, MapOptions.defaults().bufferSize(64))) {
                for (int square : squares) {
                    firstTen.add(square);
                    if (firstTen.size() == 10) {
                        break; // close() cancels what was read ahead
                    }
                }
            }
            // end::bounded-map[]
        }
        assertThat(firstTen).containsExactly(0, 1, 4, 9, 16, 25, 36, 49, 64, 81);
    }

    @Test
    void mapOptions() {
        AtomicLong lastDone = new AtomicLong();
        List<Integer> items = IntStream.range(0, 1000).boxed().toList();
        List<Integer> unordered = new ArrayList<>();
        try (ThreadPool pool = new ThreadPool(4)) {
            // tag::map-options[]
            MapOptions options = MapOptions.defaults()
                    .chunkSize(100) // 100 items per task: less overhead for tiny items
                    .timeout(Duration.ofMinutes(1)) // for the whole map; what is left is cancelled
                    .progress((done, total) -> lastDone.set(done));
            long sum = 0;
            for (int square : pool.map(n -> n * n, items, options)) {
                sum += square;
            }
            // results as they finish, not in input order:
            pool.mapUnordered(GuideTest::slowSquare, List.of(3, 1, 2)).forEach(unordered::add);
            // end::map-options[]
            assertThat(sum)
                    .isEqualTo(items.stream().mapToLong(n -> (long) n * n).sum());
        }
        assertThat(lastDone).hasValue(1000);
        assertThat(unordered).containsExactlyInAnyOrder(9, 1, 4);
    }

    @Test
    void aBoundedQueueAndACancellingShutdown() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ThreadPool pool = ThreadPool.builder().maxWorkers(1).maxPending(10).build();
        // tag::shutdown[]
        Future<String> running = pool.submit(() -> {
            started.countDown();
            release.await();
            return "finished";
        });
        Future<String> queued = pool.submit(() -> "never runs");
        started.await();
        pool.shutdown(false, true); // no new tasks; cancel what has not started; do not wait
        // end::shutdown[]
        assertThat(queued.isCancelled()).isTrue();
        release.countDown();
        assertThat(running.result()).isEqualTo("finished");
        pool.shutdown();
    }

    @Test
    void toAndFromCompletableFuture() {
        try (ThreadPool pool = new ThreadPool(2)) {
            // tag::interop[]
            CompletableFuture<Integer> length =
                    pool.submit(() -> task("abc")).toCompletableFuture().thenApply(String::length);
            Future<String> fromJdk = Futures.fromCompletionStage(CompletableFuture.supplyAsync(() -> "jdk"));
            Futures.wait(List.of(fromJdk)); // any CompletionStage joins wait and asCompleted
            // end::interop[]
            assertThat(length.join()).isEqualTo(3);
            assertThat(fromJdk.result()).isEqualTo("jdk");
        }
    }

    @Test
    void virtualThreadsOrTheDocumentedRefusal() {
        String printed = Printed.by(() -> {
            // tag::virtual-threads[]
            try (ThreadPool pool =
                    ThreadPool.builder().virtualThreads().maxWorkers(10_000).build()) {
                List<Future<String>> fs =
                        NAMES.stream().map(n -> pool.submit(() -> task(n))).toList();
                for (Future<String> f : fs) {
                    System.out.println(f.result());
                }
            } catch (UnsupportedOperationException beforeJdk21) {
                System.out.println("virtual threads need JDK 21");
            }
            // end::virtual-threads[]
        });
        if (Runtime.version().feature() >= 21) {
            assertThat(printed.lines()).containsExactly("A", "B", "C");
        } else {
            assertThat(printed.lines()).containsExactly("virtual threads need JDK 21");
        }
    }
}
