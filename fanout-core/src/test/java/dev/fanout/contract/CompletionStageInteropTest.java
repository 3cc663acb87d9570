package dev.fanout.contract;

import static dev.fanout.contract.FutureFixtures.LONG;
import static dev.fanout.contract.FutureFixtures.identities;
import static dev.fanout.contract.FutureFixtures.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.DoneAndNotDone;
import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.Promise;
import dev.fanout.ReturnWhen;
import dev.fanout.ThreadPool;
import dev.fanout.contract.FutureFixtures.Blocked;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Futures#fromCompletionStage}: a {@link CompletionStage} seen as a Fanout {@link Future}, completing normally,
 * exceptionally or cancelled, and taking part in {@code wait}, {@code asCompleted} and callbacks.
 */
@Timeout(30)
class CompletionStageInteropTest {

    @Test
    void stageCompletingNormallyFinishesTheFutureOnTheCompletingThread() {
        CompletableFuture<String> cf = new CompletableFuture<>();
        Future<String> f = Futures.fromCompletionStage(cf);
        AtomicReference<Thread> callbackThread = new AtomicReference<>();
        f.addDoneCallback(done -> callbackThread.set(Thread.currentThread()));
        assertThat(f.isDone()).isFalse();
        assertThat(f.isRunning()).as("the stage's work is under way elsewhere").isTrue();

        Blocked<Boolean> completer =
                Blocked.start("completer", () -> cf.complete("v")).join();

        assertThat(f.isDone()).isTrue();
        assertThat(f.result()).isEqualTo("v");
        assertThat(f.exception()).isNull();
        assertThat(callbackThread.get()).isSameAs(completer.thread());
    }

    @Test
    void alreadyCompletedStageGivesADoneFuture() {
        Future<String> fromFuture = Futures.fromCompletionStage(CompletableFuture.completedFuture("v"));
        Future<String> fromStage = Futures.fromCompletionStage(CompletableFuture.completedStage("w"));
        Future<String> nullValue = Futures.fromCompletionStage(CompletableFuture.completedFuture(null));

        assertThat(fromFuture.result(Duration.ZERO)).isEqualTo("v");
        assertThat(fromStage.result(Duration.ZERO)).isEqualTo("w");
        assertThat(nullValue.isDone()).isTrue();
        assertThat(nullValue.result()).isNull();
    }

    @Test
    void stageCompletingExceptionallyFailsTheFutureWithTheVerySameException() {
        IllegalStateException unchecked = new IllegalStateException("unchecked");
        IOException checked = new IOException("checked");
        CompletableFuture<String> a = new CompletableFuture<>();
        CompletableFuture<String> b = new CompletableFuture<>();
        Future<String> fa = Futures.fromCompletionStage(a);
        Future<String> fb = Futures.fromCompletionStage(b);

        a.completeExceptionally(unchecked);
        b.completeExceptionally(checked);

        assertThatThrownBy(fa::result).isSameAs(unchecked);
        assertThat(fa.exception()).isSameAs(unchecked);
        assertThatThrownBy(fb::result)
                .isExactlyInstanceOf(CompletionException.class)
                .cause()
                .isSameAs(checked);
        assertThat(fb.exception()).isSameAs(checked);
    }

    @Test
    void completionExceptionIsUnwrapped() {
        IOException root = new IOException("root");
        IllegalStateException thrownByStage = new IllegalStateException("in thenApply");

        CompletableFuture<String> wrappedByHand = new CompletableFuture<>();
        wrappedByHand.completeExceptionally(new CompletionException(root));
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> dependent = source.thenApply(s -> s + "!"); // fails with CompletionException(root)
        CompletableFuture<String> throwing = CompletableFuture.completedFuture("x")
                .thenApply(s -> {
                    throw thrownByStage;
                });
        source.completeExceptionally(root);

        assertThat(Futures.fromCompletionStage(wrappedByHand).exception()).isSameAs(root);
        assertThat(Futures.fromCompletionStage(dependent).exception()).isSameAs(root);
        Future<String> f = Futures.fromCompletionStage(throwing);
        assertThat(f.exception()).isSameAs(thrownByStage);
        assertThatThrownBy(f::result).isSameAs(thrownByStage);
    }

    @Test
    void cancelledStageGivesCancellationException() {
        CompletableFuture<String> cf = new CompletableFuture<>();
        Future<String> f = Futures.fromCompletionStage(cf);
        Future<String> dependent = Futures.fromCompletionStage(cf.thenApply(s -> s + "!"));

        assertThat(cf.cancel(true)).isTrue();

        assertThat(f.isDone()).isTrue();
        assertThatThrownBy(f::result).isInstanceOf(CancellationException.class);
        assertThatThrownBy(dependent::result).isInstanceOf(CancellationException.class);
    }

    @Test
    void cancelReturnsFalseAndLeavesTheStageAlone() {
        CompletableFuture<String> cf = new CompletableFuture<>();
        Future<String> f = Futures.fromCompletionStage(cf);

        assertThat(f.cancel()).isFalse();
        assertThat(f.cancel(true)).isFalse();

        assertThat(cf).isNotDone();
        assertThat(f.isCancelled()).isFalse();
        cf.complete("v");
        assertThat(f.result()).isEqualTo("v");
    }

    @Test
    void stageFuturesTakePartInWait() {
        CompletableFuture<String> slow = new CompletableFuture<>();
        CompletableFuture<String> quick = new CompletableFuture<>();
        Future<String> fSlow = Futures.fromCompletionStage(slow);
        Future<String> fQuick = Futures.fromCompletionStage(quick);
        Promise<String> promise = pending();
        List<Future<String>> fs = List.of(fSlow, fQuick, promise);
        Blocked<DoneAndNotDone<String>> first =
                Blocked.inCall("first", () -> Futures.wait(fs, ReturnWhen.FIRST_COMPLETED));
        Blocked<DoneAndNotDone<String>> firstException =
                Blocked.inCall("first-exception", () -> Futures.wait(fs, LONG, ReturnWhen.FIRST_EXCEPTION));

        Blocked.start("completer", () -> quick.complete("quick")).join();

        DoneAndNotDone<String> dn = first.join().value();
        assertThat(identities(dn.done())).isEqualTo(identities(fQuick));
        assertThat(identities(dn.notDone())).isEqualTo(identities(fSlow, promise));
        firstException.assertStillBlocked();

        slow.completeExceptionally(new UncheckedIOException(new IOException("slow")));

        DoneAndNotDone<String> failed = firstException.join().value();
        assertThat(identities(failed.done())).isEqualTo(identities(fQuick, fSlow));
        assertThat(identities(failed.notDone())).isEqualTo(identities(promise));
        promise.cancel();
    }

    @Test
    void stageFuturesTakePartInAsCompleted() {
        CompletableFuture<String> a = new CompletableFuture<>();
        CompletableFuture<String> b = new CompletableFuture<>();
        Future<String> done = Futures.fromCompletionStage(CompletableFuture.completedFuture("done"));
        Future<String> fa = Futures.fromCompletionStage(a);
        Future<String> fb = Futures.fromCompletionStage(b);
        Iterable<Future<String>> asCompleted = Futures.asCompleted(List.of(fa, fb, done), LONG);

        b.complete("b");
        a.cancel(false);

        List<Future<String>> yielded = new ArrayList<>();
        asCompleted.forEach(yielded::add);
        assertThat(yielded).hasSize(3);
        assertThat(yielded.get(0)).isSameAs(done);
        assertThat(yielded.get(1)).isSameAs(fb);
        assertThat(yielded.get(2)).isSameAs(fa);
    }

    @Test
    void stageRunningOnAThreadPoolCompletesTheFuture() {
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPool pool = new ThreadPool(2)) {
            try {
                CompletableFuture<String> cf = CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                release.await();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                            return Thread.currentThread().getName();
                        },
                        pool);
                Future<String> f = Futures.fromCompletionStage(cf);
                Blocked<String> waiter = Blocked.inCall("waiter", () -> f.result(LONG));

                release.countDown();

                assertThat(waiter.join().value()).startsWith("ThreadPool-");
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void roundTripThroughTheCompletableView() {
        Promise<String> p = pending();
        Future<String> back = Futures.fromCompletionStage(p.toCompletableFuture());

        p.setResult("v");

        assertThat(back.result(LONG)).isEqualTo("v");
    }

    @Test
    void nullStageIsNullPointer() {
        assertThatThrownBy(() -> Futures.fromCompletionStage(null)).isInstanceOf(NullPointerException.class);
    }
}
