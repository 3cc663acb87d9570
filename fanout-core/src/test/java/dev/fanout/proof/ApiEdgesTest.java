package dev.fanout.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fanout.AsCompleted;
import dev.fanout.Future;
import dev.fanout.FutureTimeoutException;
import dev.fanout.Futures;
import dev.fanout.MapOptions;
import dev.fanout.MapResults;
import dev.fanout.Promise;
import dev.fanout.ReturnWhen;
import dev.fanout.ThreadPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Edges of the waiting and mapping machinery that the proofs rely on (timeouts, one-shot iteration, zipping, chunks,
 * the idle-worker accounting), written to kill mutants PIT left alive (see RELIABILITY.md).
 */
@Timeout(60)
class ApiEdgesTest {
    private static final Duration LONG = Duration.ofSeconds(30);
    private final ThreadPool pool = new ThreadPool(2);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        release.countDown();
        pool.shutdown(true, false);
    }

    /** An idle worker's token is spent by one submit only: the next submit, with that worker busy, starts another. */
    @Test
    void theIdleTokenIsSpentOnce() throws Exception {
        assertThat(pool.submit(() -> 1).result(LONG)).isEqualTo(1);
        await().atMost(LONG)
                .until(() -> Thread.getAllStackTraces().keySet().stream()
                        .anyMatch(t -> t.getName().startsWith(poolPrefix()) && t.getState() == Thread.State.WAITING));
        CountDownLatch blockedRunning = new CountDownLatch(1);
        pool.submit(() -> {
            blockedRunning.countDown();
            release.await();
        });
        assertThat(blockedRunning.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.submit(() -> "beside it").result(LONG)).isEqualTo("beside it");
    }

    private String poolPrefix() {
        String s = pool.toString(); // ThreadPool[PREFIX, maxWorkers=2]
        return s.substring("ThreadPool[".length(), s.indexOf(',')) + "_";
    }

    @Test
    void voidTasksAndExecute() throws Exception {
        Future<Void> v = pool.submit(() -> {});
        assertThat(v.result(LONG)).isNull();
        assertThat(v.isDone()).isTrue();
        CountDownLatch ran = new CountDownLatch(1);
        pool.execute(ran::countDown);
        assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
        java.util.concurrent.Callable<String> plain = () -> "plain";
        assertThat(pool.submit(plain).result(LONG)).isEqualTo("plain");
    }

    @Test
    void mapVariants() {
        assertThat(pool.map((a, b) -> a + b, List.of("1", "2", "3"), List.of("a", "b"))
                        .toList())
                .containsExactly("1a", "2b");
        assertThat(pool.map(x -> x * 2, Stream.of(1, 2, 3), MapOptions.defaults())
                        .toList())
                .containsExactly(2, 4, 6);
        assertThat(pool.map(x -> x + 1, List.of(1, 2).iterator(), MapOptions.defaults())
                        .toList())
                .containsExactly(2, 3);
        assertThat(pool.mapUnordered(x -> x, List.of(1, 2, 3)).toList()).containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void mapResultsIterateOnceAndEndCleanly() {
        MapResults<Integer> results = pool.map(x -> x, List.of(1));
        Iterator<Integer> it = results.iterator();
        assertThatThrownBy(results::iterator).isInstanceOf(IllegalStateException.class);
        assertThat(it.next()).isEqualTo(1);
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void aChunkedMapFailsOnlyTheItemThatThrew() {
        List<Object> seen = new ArrayList<>();
        Iterator<Integer> it = pool.map(
                        x -> {
                            if (x == 2) {
                                throw new java.io.IOException("two");
                            }
                            if (x == 3) {
                                throw new IllegalStateException("three");
                            }
                            return x;
                        },
                        List.of(1, 2, 3, 4),
                        MapOptions.defaults().chunkSize(3))
                .iterator();
        while (it.hasNext()) {
            try {
                seen.add(it.next());
            } catch (java.util.concurrent.CompletionException e) {
                seen.add("checked " + e.getCause().getMessage());
            } catch (IllegalStateException e) {
                seen.add("unchecked " + e.getMessage());
            }
        }
        assertThat(seen).containsExactly(1, "checked two", "unchecked three", 4);
    }

    @Test
    void anOrderedMapThatTimesOutCancelsTheRest() {
        Iterator<Integer> it = pool.map(
                        x -> {
                            release.await();
                            return x;
                        },
                        List.of(1, 2, 3, 4),
                        MapOptions.defaults().timeout(Duration.ofMillis(50)))
                .iterator();
        assertThatThrownBy(it::next).isInstanceOf(FutureTimeoutException.class);
        assertThat(it.hasNext()).isFalse();
    }

    @Test
    void anInputThatThrowsDuringTheCallCancelsWhatWasSubmitted() {
        List<Integer> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
        Iterator<Integer> failing = new Iterator<>() {
            int n;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                if (++n == 4) {
                    throw new IllegalStateException("input broke");
                }
                return n;
            }
        };
        CountDownLatch first = new CountDownLatch(1);
        ThreadPool one = new ThreadPool(1);
        try {
            one.submit(() -> first.await());
            assertThatThrownBy(() -> one.map(
                            x -> {
                                ran.add(x);
                                return x;
                            },
                            failing,
                            MapOptions.defaults()))
                    .hasMessage("input broke");
        } finally {
            first.countDown();
            one.shutdown(true, false);
        }
        assertThat(ran)
                .as("the tasks submitted before the input broke were cancelled")
                .isEmpty();
    }

    @Test
    void mapOptionsAreValuesWithValidation() {
        MapOptions a = MapOptions.defaults().bufferSize(4).chunkSize(2).timeout(Duration.ofSeconds(1));
        MapOptions b = MapOptions.defaults().bufferSize(4).chunkSize(2).timeout(Duration.ofSeconds(1));
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(MapOptions.defaults());
        assertThat(a).isNotEqualTo(a.chunkSize(3)).isNotEqualTo(a.bufferSize(5)).isNotEqualTo(a.ordered(false));
        assertThat(a.toString())
                .contains("bufferSize=4")
                .contains("chunkSize=2")
                .contains("PT1S");
        assertThat(MapOptions.defaults().toString())
                .contains("timeout=none")
                .contains("bufferSize=unbounded")
                .doesNotContain("unordered")
                .doesNotContain("progress");
        assertThat(MapOptions.defaults().ordered(false).progress((d, t) -> {}).toString())
                .contains("unordered")
                .contains("with progress");
        assertThat(a.bufferSize()).hasValue(4);
        assertThat(a.chunkSize()).isEqualTo(2);
        assertThat(MapOptions.defaults().chunkSize()).isEqualTo(1);
        assertThat(MapOptions.defaults().bufferSize()).isEmpty();
        assertThat(MapOptions.defaults().bufferSize(1).bufferSize()).hasValue(1);
        assertThat(MapOptions.defaults().chunkSize(1).chunkSize()).isEqualTo(1);
        assertThatThrownBy(() -> MapOptions.defaults().bufferSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MapOptions.defaults().chunkSize(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void asCompletedTimesOutWithItsMessageAndIsOneShot() {
        Promise<Integer> done = new Promise<>();
        done.setResult(1);
        Promise<Integer> pending = new Promise<>();
        AsCompleted<Integer> ac = Futures.asCompleted(List.of(done, pending), Duration.ofMillis(30));
        Iterator<Future<Integer>> it = ac.iterator();
        assertThatThrownBy(ac::iterator).isInstanceOf(IllegalStateException.class);
        assertThat(it.next()).isSameAs(done);
        assertThatThrownBy(it::next)
                .isInstanceOf(FutureTimeoutException.class)
                .hasMessage("1 (of 2) futures unfinished");
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(() -> ac.add(new Promise<>())).isInstanceOf(IllegalStateException.class);
        assertThat(PromiseStateMachineTest.stackSize(pending))
                .as("the timed-out iteration took its listener back")
                .isZero();

        AsCompleted<Integer> untimed = Futures.asCompleted(List.of(pending));
        Iterator<Future<Integer>> it2 = untimed.iterator();
        pending.setResult(2);
        assertThat(it2.next()).isSameAs(pending);
        assertThat(it2.hasNext()).isFalse();
    }

    @Test
    void waitWithATimeoutWaitsThatLongAndNoLonger() {
        Promise<Integer> pending = new Promise<>();
        Promise<Integer> ok = new Promise<>();
        ok.setResult(1);
        long start = System.nanoTime();
        var dn = Futures.wait(List.of(ok, pending), Duration.ofMillis(60), ReturnWhen.FIRST_EXCEPTION);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(tookMillis)
                .as("a finished future is no exception: wait goes on")
                .isGreaterThanOrEqualTo(55);
        assertThat(dn.done()).containsExactly(ok);
        assertThat(Futures.wait(List.of(ok)).done()).containsExactly(ok);
    }

    @Test
    void stagesFailingWithAnExecutionExceptionAreUnwrapped() {
        CompletableFuture<Integer> stage = new CompletableFuture<>();
        IllegalStateException cause = new IllegalStateException("root");
        stage.completeExceptionally(new ExecutionException(cause));
        assertThat(Futures.fromCompletionStage(stage).exception()).isSameAs(cause);
    }

    @Test
    void virtualThreadsNeedJdk21() throws Exception {
        if (Runtime.version().feature() < 21) {
            assertThatThrownBy(() -> ThreadPool.builder().virtualThreads().build())
                    .isInstanceOf(UnsupportedOperationException.class);
            return;
        }
        ThreadPool virtual = ThreadPool.builder().virtualThreads().maxWorkers(2).build();
        try {
            Object isVirtual = virtual.submit(
                            () -> Thread.class.getMethod("isVirtual").invoke(Thread.currentThread()))
                    .result(LONG);
            assertThat(isVirtual).isEqualTo(true);
        } finally {
            virtual.shutdown(true, false);
        }
    }

    @Test
    void closeShutsDown() {
        ThreadPool closing = new ThreadPool(1);
        try (closing) {
            assertThat(closing.submit(() -> 1).result(LONG)).isEqualTo(1);
        }
        assertThat(closing.isShutdown()).isTrue();
    }

    @Test
    void asCompletedWithAZeroTimeoutDoesNotWait() {
        Promise<Integer> pending = new Promise<>();
        Iterator<Future<Integer>> it =
                Futures.asCompleted(List.of(pending), Duration.ZERO).iterator();
        assertThatThrownBy(it::next)
                .isInstanceOf(FutureTimeoutException.class)
                .hasMessage("1 (of 1) futures unfinished");
    }

    @Test
    void asCompletedWithATimeoutHandsOutWhatCompletesInTime() throws Exception {
        Promise<Integer> later = new Promise<>();
        AtomicReference<Future<Integer>> got = new AtomicReference<>();
        Thread consumer = new Thread(() ->
                got.set(Futures.asCompleted(List.of(later), LONG).iterator().next()));
        consumer.start();
        PromiseStateMachineTest.awaitParked(consumer);
        later.setResult(1);
        consumer.join();
        assertThat(got.get()).isSameAs(later);
    }

    @Test
    void anErrorInAChunkIsRethrownAsItself() {
        Iterator<Integer> it = pool.map(
                        x -> {
                            if (x == 1) {
                                throw new StackOverflowError("item");
                            }
                            return x;
                        },
                        List.of(0, 1),
                        MapOptions.defaults().chunkSize(2))
                .iterator();
        assertThat(it.next()).isZero();
        assertThatThrownBy(it::next).isInstanceOf(StackOverflowError.class).hasMessage("item");
    }

    /** A bounded pool gives the room of drained or refused tasks back, so submits after shutdown fail at once. */
    @Test
    void aFullBoundedPoolRefusesAtOnceAfterShutdown() throws Exception {
        ThreadPool bounded = ThreadPool.builder().maxWorkers(1).maxPending(1).build();
        CountDownLatch running = new CountDownLatch(1);
        try {
            bounded.submit(() -> {
                running.countDown();
                release.await();
            });
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            Future<Integer> queued = bounded.submit(() -> 1); // the queue is full now
            bounded.shutdown(false, true);
            assertThat(queued.isCancelled()).isTrue();
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> bounded.submit(() -> 2))
                        .isInstanceOf(java.util.concurrent.RejectedExecutionException.class)
                        .hasMessage("cannot schedule new futures after shutdown");
            }
        } finally {
            release.countDown();
            bounded.shutdown(true, false);
        }
    }

    @Test
    void anInterruptedProducerWaitingForRoomIsRefusedAndKeepsItsFlag() throws Exception {
        ThreadPool bounded = ThreadPool.builder().maxWorkers(1).maxPending(1).build();
        CountDownLatch running = new CountDownLatch(1);
        AtomicReference<Throwable> refused = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        try {
            bounded.submit(() -> {
                running.countDown();
                release.await();
            });
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            bounded.submit(() -> 1);
            Thread producer = new Thread(() -> {
                try {
                    bounded.submit(() -> 2);
                } catch (Throwable t) {
                    refused.set(t);
                }
                flag.set(Thread.currentThread().isInterrupted());
            });
            producer.start();
            PromiseStateMachineTest.awaitParked(producer);
            producer.interrupt();
            producer.join();
            assertThat(refused.get()).isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
            assertThat(flag.get()).isTrue();
        } finally {
            release.countDown();
            bounded.shutdown(true, false);
        }
    }
}
