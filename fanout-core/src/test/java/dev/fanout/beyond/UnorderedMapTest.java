package dev.fanout.beyond;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.MapOptions;
import dev.fanout.MapResults;
import dev.fanout.ThreadPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code mapUnordered} / {@code MapOptions.ordered(false)}, and map over a Stream or an Iterator. */
@Timeout(30)
class UnorderedMapTest {

    @Test
    void slowFirstItemDoesNotHoldBackTheOthers() throws Exception {
        CountDownLatch releaseFirst = new CountDownLatch(1);
        try (ThreadPool pool = new ThreadPool(4)) {
            List<Integer> seen = new ArrayList<>();
            try (MapResults<Integer> results = pool.mapUnordered(
                    i -> {
                        if (i == 0) {
                            releaseFirst.await();
                        }
                        return i;
                    },
                    List.of(0, 1, 2, 3))) {
                Iterator<Integer> it = results.iterator();
                for (int k = 0; k < 3; k++) {
                    seen.add(it.next()); // would block forever in input order
                }
                assertThat(seen).containsExactlyInAnyOrder(1, 2, 3);
                releaseFirst.countDown();
                assertThat(it.next()).isZero();
                assertThat(it.hasNext()).isFalse();
            } finally {
                releaseFirst.countDown();
            }
        }
    }

    @Test
    void unorderedYieldsEveryItemOnceWithChunksAndBuffer() {
        try (ThreadPool pool = new ThreadPool(3)) {
            List<Integer> input = IntStream.range(0, 1_000).boxed().toList();
            MapOptions options =
                    MapOptions.defaults().ordered(false).chunkSize(7).bufferSize(5);
            List<Integer> out = pool.map(i -> i * 2, input, options).toList();
            assertThat(out)
                    .containsExactlyInAnyOrderElementsOf(
                            input.stream().map(i -> i * 2).toList());
        }
    }

    @Test
    void unorderedBufferBoundsTheReadAhead() {
        AtomicInteger read = new AtomicInteger();
        Iterable<Integer> endless = () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                return read.getAndIncrement();
            }
        };
        try (ThreadPool pool = new ThreadPool(2);
                MapResults<Integer> results = pool.map(
                        i -> i, endless, MapOptions.defaults().ordered(false).bufferSize(4))) {
            Iterator<Integer> it = results.iterator();
            for (int consumed = 1; consumed <= 100; consumed++) {
                it.next();
                assertThat(read.get()).isLessThanOrEqualTo(consumed + 4);
            }
        }
    }

    @Test
    void unorderedFailureFailsOnlyItsStep() {
        try (ThreadPool pool = new ThreadPool(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            Iterator<Integer> it = pool.mapUnordered(
                            i -> {
                                if (i == 2) {
                                    throw boom;
                                }
                                return i;
                            },
                            List.of(1, 2, 3))
                    .iterator();
            List<Integer> ok = new ArrayList<>();
            int failures = 0;
            while (it.hasNext()) {
                try {
                    ok.add(it.next());
                } catch (IllegalStateException e) {
                    assertThat(e).isSameAs(boom);
                    failures++;
                }
            }
            assertThat(ok).containsExactlyInAnyOrder(1, 3);
            assertThat(failures).isEqualTo(1);
        }
    }

    @Test
    void unorderedTimeoutCancelsWhatIsLeftAndEnds() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        Set<Integer> started = ConcurrentHashMap.newKeySet();
        try (ThreadPool pool = new ThreadPool(1)) {
            MapResults<Integer> results = pool.map(
                    i -> {
                        started.add(i);
                        never.await(10, TimeUnit.SECONDS);
                        return i;
                    },
                    List.of(1, 2, 3),
                    MapOptions.defaults().ordered(false).timeout(Duration.ofMillis(50)));
            Iterator<Integer> it = results.iterator();
            assertThatThrownBy(it::next)
                    .isInstanceOf(dev.fanout.FutureTimeoutException.class)
                    .hasMessageContaining("3 tasks unfinished");
            assertThat(it.hasNext()).isFalse();
            never.countDown();
        } finally {
            never.countDown();
        }
        // The pool's close waited for every task it still had: the queued ones were cancelled, so they never ran.
        // (Task 1 ran if the worker took it before the 50 ms were up; under load it may not have.)
        assertThat(started).as("queued tasks were cancelled").doesNotContain(2, 3);
    }

    @Test
    void mapOverStreamAndIteratorReadsLazilyWhenBounded() {
        AtomicInteger pulled = new AtomicInteger();
        try (ThreadPool pool = new ThreadPool(2)) {
            Stream<Integer> lazy = Stream.iterate(0, i -> i + 1).peek(i -> pulled.incrementAndGet());
            try (MapResults<Integer> results =
                    pool.map(i -> i + 1, lazy, MapOptions.defaults().bufferSize(3))) {
                Iterator<Integer> it = results.iterator();
                assertThat(it.next()).isEqualTo(1);
                assertThat(it.next()).isEqualTo(2);
                assertThat(pulled.get()).isLessThanOrEqualTo(2 + 3 + 1);
            }
            Iterator<String> words = List.of("a", "b", "c").iterator();
            assertThat(pool.map(String::toUpperCase, words, MapOptions.defaults())
                            .toList())
                    .containsExactly("A", "B", "C");
            assertThat(pool.map(i -> i * i, Stream.of(1, 2, 3), MapOptions.defaults()).stream()
                            .toList())
                    .containsExactly(1, 4, 9);
        }
    }
}
