package dev.fanout.beyond;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fanout.Executor;
import dev.fanout.Future;
import dev.fanout.MapOptions;
import dev.fanout.MapResults;
import dev.fanout.Promise;
import dev.fanout.Task;
import dev.fanout.ThreadPool;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link MapResults#close()} from another thread while the consumer is blocked: close itself never waits. */
@Timeout(60)
class MapCloseTest {

    /**
     * A pool of one worker and a queue of one place: the consumer refilling its buffer blocks in submit until a
     * place frees. Closing then cancels the queued task, which frees the place, and the task the consumer was
     * submitting is cancelled before it can run.
     */
    @ParameterizedTest(name = "ordered={0}")
    @ValueSource(booleans = {true, false})
    void closeDoesNotWaitForAConsumerBlockedOnAFullQueue(boolean ordered) throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        ThreadPool pool = ThreadPool.builder().maxWorkers(1).maxPending(1).build();
        try {
            MapResults<Integer> results = pool.map(
                    i -> {
                        started.incrementAndGet();
                        gate.await();
                        return i;
                    },
                    IntStream.range(0, 100).boxed().toList(),
                    MapOptions.defaults().bufferSize(2).ordered(ordered));
            Iterator<Integer> it = results.iterator();
            CompletableFuture<Integer> first = new CompletableFuture<>();
            Thread consumer = nextOnAnotherThread(it, first);
            // Task 0 runs, task 1 fills the queue: the consumer's refill (task 2) can only wait.
            await().until(() -> started.get() == 1 && consumer.getState() == Thread.State.WAITING);

            CompletableFuture<Void> closing = CompletableFuture.runAsync(results::close);
            await().atMost(Duration.ofSeconds(20)).until(closing::isDone);
            assertThat(gate.getCount()).isEqualTo(1); // closed while task 0 still ran

            // The consumer's submit returns once close freed the queue, and cancels the task it submitted: wait for
            // that before letting the worker go, or the worker could start the task first.
            if (ordered) {
                await().until(() -> consumer.getState() == Thread.State.WAITING
                        && Arrays.stream(consumer.getStackTrace())
                                .anyMatch(f -> f.getMethodName().equals("awaitOrCancelAll")));
            } else {
                consumer.join();
            }
            gate.countDown();
            consumer.join();
            if (ordered) {
                assertThat(first.get()).isZero(); // the running head is never interrupted: its result arrives
            } else {
                assertThat(first.handle((v, t) -> t).get()) // the iteration ended with close
                        .isInstanceOf(CancellationException.class)
                        .hasMessage("the map results were closed");
            }
            assertThat(it.hasNext()).isFalse();
        } finally {
            gate.countDown();
            pool.shutdown(true, false);
        }
        assertThat(started.get()).isEqualTo(1); // neither the queued task nor the one being submitted ran
    }

    /** Every task running, none cancellable: the unordered consumer still leaves its wait when the map is closed. */
    @Test
    void closeEndsTheWaitOfAnUnorderedConsumer() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch bothRunning = new CountDownLatch(2);
        ThreadPool pool = new ThreadPool(2);
        try {
            MapResults<Integer> results = pool.map(
                    i -> {
                        bothRunning.countDown();
                        gate.await();
                        return i;
                    },
                    List.of(1, 2),
                    MapOptions.defaults().ordered(false));
            bothRunning.await();
            Iterator<Integer> it = results.iterator();
            CompletableFuture<Integer> next = new CompletableFuture<>();
            Thread consumer = nextOnAnotherThread(it, next);
            await().until(() -> consumer.getState() == Thread.State.WAITING);
            results.close();
            await().atMost(Duration.ofSeconds(20)).until(next::isDone);
            assertThat(gate.getCount()).isEqualTo(1);
            assertThat(next.handle((v, t) -> t).get())
                    .isInstanceOf(CancellationException.class)
                    .hasMessage("the map results were closed");
            assertThat(it.hasNext()).isFalse();
        } finally {
            gate.countDown();
            pool.shutdown(true, false);
        }
    }

    /**
     * A close from another thread cancels the future the ordered consumer waits for (here neither the first one nor
     * ever started: the executor settles its futures by hand), which ends the wait, and every future not handed out.
     */
    @Test
    void closeCancelsWhatTheOrderedConsumerTookButHasNotHandedOut() throws Exception {
        List<Promise<Object>> handedOut = new CopyOnWriteArrayList<>();
        Executor byHand = new Executor() {
            @Override
            @SuppressWarnings("unchecked")
            public <T> Future<T> submit(Task<T> task) {
                Promise<Object> p = new Promise<>(); // never run: this test settles each one by hand
                handedOut.add(p);
                return (Future<T>) p;
            }

            @Override
            public void shutdown(boolean wait, boolean cancelFutures) {}

            @Override
            public boolean isShutdown() {
                return false;
            }
        };
        MapResults<Integer> results = byHand.map(i -> i, List.of(0, 1, 2, 3));
        assertThat(handedOut).hasSize(4);
        handedOut.get(0).setResult(0);
        Iterator<Integer> it = results.iterator();
        assertThat(it.next()).isZero();
        CompletableFuture<Integer> second = new CompletableFuture<>();
        Thread consumer = nextOnAnotherThread(it, second);
        await().until(() -> consumer.getState() == Thread.State.WAITING);
        Thread closer = new Thread(results::close);
        closer.start();
        closer.join();
        await().atMost(Duration.ofSeconds(20)).until(second::isDone);
        assertThat(second.handle((v, t) -> t).get()).isInstanceOf(CancellationException.class);
        assertThat(handedOut.subList(1, 4)).allMatch(Future::isCancelled);
        assertThat(it.hasNext()).isFalse();
    }

    /** Starts a consumer thread that takes one result and puts it, or what next() threw, in {@code outcome}. */
    private static Thread nextOnAnotherThread(Iterator<Integer> it, CompletableFuture<Integer> outcome) {
        Thread consumer = new Thread(() -> {
            try {
                outcome.complete(it.next());
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        });
        consumer.start();
        return consumer;
    }
    /**
     * A close from another thread (say, a progress listener's) between the consumer's {@code hasNext()} and its
     * {@code next()} cuts the step short with {@code CancellationException}, as for a consumer already waiting in
     * {@code next()}; a {@code NoSuchElementException} would break the word {@code hasNext()} gave. After the
     * consumer's own close, the iteration is simply over ({@code NoSuchElementException}, as the contract tests say).
     */
    @ParameterizedTest(name = "ordered={0}")
    @ValueSource(booleans = {true, false})
    void aCloseFromAnotherThreadBetweenHasNextAndNextCutsTheStepShort(boolean ordered) throws Exception {
        try (ThreadPool pool = new ThreadPool(1)) {
            MapResults<Integer> results = pool.map(
                    i -> i,
                    IntStream.range(0, 10).boxed().toList(),
                    MapOptions.defaults().ordered(ordered));
            Iterator<Integer> it = results.iterator();
            assertThat(it.hasNext()).isTrue();
            Thread closer = new Thread(results::close);
            closer.start();
            closer.join();
            assertThat(it.hasNext()).isFalse();
            assertThatThrownBy(it::next)
                    .isInstanceOf(CancellationException.class)
                    .hasMessage("the map results were closed by another thread");

            // Everything handed out before the close: nothing was cut short, the iteration is just over.
            MapResults<Integer> done =
                    pool.map(i -> i, List.of(1), MapOptions.defaults().ordered(ordered));
            Iterator<Integer> all = done.iterator();
            assertThat(all.next()).isEqualTo(1);
            Thread lateCloser = new Thread(done::close);
            lateCloser.start();
            lateCloser.join();
            assertThatThrownBy(all::next).isInstanceOf(java.util.NoSuchElementException.class);
        }
    }
}
