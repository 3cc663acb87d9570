package dev.fanout.contract;

import static dev.fanout.contract.FutureFixtures.LONG;
import static dev.fanout.contract.FutureFixtures.cancelled;
import static dev.fanout.contract.FutureFixtures.failed;
import static dev.fanout.contract.FutureFixtures.identities;
import static dev.fanout.contract.FutureFixtures.pending;
import static dev.fanout.contract.FutureFixtures.running;
import static dev.fanout.contract.FutureFixtures.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.DoneAndNotDone;
import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.InvalidStateException;
import dev.fanout.Promise;
import dev.fanout.ReturnWhen;
import dev.fanout.ThreadPool;
import dev.fanout.contract.FutureFixtures.Blocked;
import dev.fanout.contract.FutureFixtures.FanoutLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The executor side of API.md: the {@code Promise<T>} table ({@code setRunningOrNotifyCancel}, {@code setResult},
 * {@code setException}) and the paragraph "a cancelled future is done at once".
 */
@Timeout(30)
class PromiseContractTest {
    /** How long a callback waits for what must happen while it runs; well below the class timeout. */
    private static final long CALLBACK_PATIENCE_SECONDS = 10;

    @Test
    void newPromiseIsPending() {
        Promise<String> p = new Promise<>();

        assertThat(p.isRunning()).isFalse();
        assertThat(p.isDone()).isFalse();
        assertThat(p.isCancelled()).isFalse();
        assertThat(p.toString()).contains("pending");
    }

    // ---- setRunningOrNotifyCancel --------------------------------------------------------------------------------

    @Test
    void setRunningOrNotifyCancelMovesAPendingPromiseToRunning() {
        Promise<String> p = pending();

        assertThat(p.setRunningOrNotifyCancel()).isTrue();

        assertThat(p.isRunning()).isTrue();
        assertThat(p.isDone()).isFalse();
        assertThat(p.cancel()).as("a running future cannot be cancelled").isFalse();
    }

    @Test
    void setRunningOrNotifyCancelReturnsFalseForACancelledPromise() {
        Promise<String> p = pending();
        AtomicInteger callbackRuns = new AtomicInteger();
        p.addDoneCallback(f -> callbackRuns.incrementAndGet());
        p.cancel();

        assertThat(p.setRunningOrNotifyCancel()).isFalse();

        assertThat(p.isCancelled()).isTrue();
        assertThat(p.isRunning()).isFalse();
        assertThat(callbackRuns).as("callbacks ran once, at cancel()").hasValue(1);
    }

    @Test
    void setRunningOrNotifyCancelOfARunningPromiseIsIllegalState() {
        Promise<String> p = running();

        assertThatThrownBy(p::setRunningOrNotifyCancel).isInstanceOf(IllegalStateException.class);

        assertThat(p.isRunning()).isTrue();
    }

    @Test
    void setRunningOrNotifyCancelOfAFinishedPromiseIsIllegalState() {
        IOException boom = new IOException("boom");
        Promise<String> ok = succeeded("v");
        Promise<String> failing = failed(boom);
        Promise<String> finishedWithoutRunning = pending();
        finishedWithoutRunning.setResult("w");

        for (Promise<String> p : List.of(ok, failing, finishedWithoutRunning)) {
            assertThatThrownBy(p::setRunningOrNotifyCancel).isInstanceOf(IllegalStateException.class);
            assertThat(p.isDone()).isTrue();
            assertThat(p.isRunning()).isFalse();
        }
        assertThat(ok.result()).isEqualTo("v");
        assertThat(failing.exception()).isSameAs(boom);
        assertThat(finishedWithoutRunning.result()).isEqualTo("w");
    }

    // ---- setResult / setException --------------------------------------------------------------------------------

    @Test
    void setResultFinishesAPendingOrRunningPromise() {
        Promise<String> fromPending = pending();
        Promise<String> fromRunning = running();

        fromPending.setResult("a");
        fromRunning.setResult("b");

        assertThat(fromPending.isDone()).isTrue();
        assertThat(fromPending.isRunning()).isFalse();
        assertThat(fromPending.result()).isEqualTo("a");
        assertThat(fromRunning.isDone()).isTrue();
        assertThat(fromRunning.isRunning()).isFalse();
        assertThat(fromRunning.result()).isEqualTo("b");
    }

    @Test
    void setResultOfNullFinishesWithNull() {
        Promise<String> p = running();

        p.setResult(null);

        assertThat(p.isDone()).isTrue();
        assertThat(p.result()).isNull();
        assertThat(p.exception()).isNull();
    }

    @Test
    void setExceptionFinishesAPendingOrRunningPromise() {
        IllegalStateException first = new IllegalStateException("first");
        IOException second = new IOException("second");
        Promise<String> fromPending = pending();
        Promise<String> fromRunning = running();

        fromPending.setException(first);
        fromRunning.setException(second);

        assertThat(fromPending.isDone()).isTrue();
        assertThat(fromPending.isCancelled()).isFalse();
        assertThat(fromPending.exception()).isSameAs(first);
        assertThat(fromRunning.isDone()).isTrue();
        assertThat(fromRunning.exception()).isSameAs(second);
    }

    @Test
    void setExceptionOfNullIsNullPointerAndLeavesThePromiseAlone() {
        Promise<String> p = running();

        assertThatThrownBy(() -> p.setException(null)).isInstanceOf(NullPointerException.class);

        assertThat(p.isRunning()).isTrue();
        p.setResult("v");
        assertThat(p.result()).isEqualTo("v");
    }

    @Test
    void secondOutcomeIsInvalidStateAndTheFirstOneIsKept() {
        IllegalStateException firstBoom = new IllegalStateException("first");

        Promise<String> valueThenValue = succeeded("first");
        assertThatThrownBy(() -> valueThenValue.setResult("second")).isInstanceOf(InvalidStateException.class);
        assertThat(valueThenValue.result()).isEqualTo("first");

        Promise<String> valueThenException = succeeded("first");
        assertThatThrownBy(() -> valueThenException.setException(new IOException("second")))
                .isInstanceOf(InvalidStateException.class);
        assertThat(valueThenException.result()).isEqualTo("first");
        assertThat(valueThenException.exception()).isNull();

        Promise<String> exceptionThenValue = failed(firstBoom);
        assertThatThrownBy(() -> exceptionThenValue.setResult("second")).isInstanceOf(InvalidStateException.class);
        assertThat(exceptionThenValue.exception()).isSameAs(firstBoom);

        Promise<String> exceptionThenException = failed(firstBoom);
        assertThatThrownBy(() -> exceptionThenException.setException(new IOException("second")))
                .isInstanceOf(InvalidStateException.class)
                .isInstanceOf(IllegalStateException.class);
        assertThat(exceptionThenException.exception()).isSameAs(firstBoom);
    }

    @Test
    void settingTheOutcomeOfACancelledPromiseIsInvalidStateAndItStaysCancelled() {
        Promise<String> p = cancelled();

        assertThatThrownBy(() -> p.setResult("late")).isInstanceOf(InvalidStateException.class);
        assertThatThrownBy(() -> p.setException(new IOException("late"))).isInstanceOf(InvalidStateException.class);

        assertThat(p.isCancelled()).isTrue();
        assertThatThrownBy(p::result).isInstanceOf(CancellationException.class);
    }

    @Test
    void aSecondOutcomeRunsNoCallbackAgain() {
        Promise<String> p = running();
        AtomicInteger runs = new AtomicInteger();
        p.addDoneCallback(f -> runs.incrementAndGet());
        p.setResult("v");

        assertThatThrownBy(() -> p.setResult("again")).isInstanceOf(InvalidStateException.class);
        assertThatThrownBy(() -> p.setException(new IOException())).isInstanceOf(InvalidStateException.class);

        assertThat(runs).hasValue(1);
    }

    // ---- waking waiters, then running callbacks outside any lock -------------------------------------------------

    @Test
    void setResultWakesEveryWaiterBeforeItRunsTheCallbacks() {
        Promise<String> p = running();
        CountDownLatch waitersReturned = new CountDownLatch(3);
        List<Blocked<?>> waiters = new ArrayList<>();
        waiters.add(Blocked.inCall("result", () -> countingDown(waitersReturned, p::result)));
        waiters.add(Blocked.inCall("timed-result", () -> countingDown(waitersReturned, () -> p.result(LONG))));
        waiters.add(Blocked.inCall("exception", () -> countingDown(waitersReturned, p::exception)));
        AtomicBoolean callbackSawEveryWaiterReturn = new AtomicBoolean();
        p.addDoneCallback(f -> callbackSawEveryWaiterReturn.set(awaitQuietly(waitersReturned)));

        p.setResult("v"); // runs the callback on this thread: it waits for the waiters, which must be awake already

        assertThat(callbackSawEveryWaiterReturn).isTrue();
        for (Blocked<?> w : waiters) {
            assertThat(w.join().thrown()).isNull();
        }
    }

    @Test
    void callbacksRunOnTheThreadThatSetsTheOutcomeBeforeItReturns() {
        List<Promise<String>> promises = List.of(running(), running(), pending());
        List<Thread> ranOn = new ArrayList<>();
        promises.forEach(p -> p.addDoneCallback(f -> ranOn.add(Thread.currentThread())));

        promises.get(0).setResult("v");
        promises.get(1).setException(new IOException("boom"));
        promises.get(2).cancel();

        assertThat(ranOn).hasSize(3).allSatisfy(t -> assertThat(t).isSameAs(Thread.currentThread()));
    }

    @Test
    void callbacksRunOutsideAnyLock() {
        Promise<String> p = running();
        AtomicReference<Blocked<?>> other = new AtomicReference<>();
        AtomicReference<Thread> lateCallbackThread = new AtomicReference<>();
        AtomicBoolean otherFinishedWhileCallbackRan = new AtomicBoolean();
        p.addDoneCallback(f -> {
            // Another thread uses the same future while this callback runs; were a lock held, it would block.
            Blocked<?> b = Blocked.start("other", () -> {
                f.addDoneCallback(g -> lateCallbackThread.set(Thread.currentThread()));
                assertThat(f.isDone()).isTrue();
                assertThat(f.cancel()).isFalse();
                assertThat(f.toCompletableFuture()).isCompletedWithValue("v");
                return f.result();
            });
            other.set(b);
            otherFinishedWhileCallbackRan.set(b.joined(CALLBACK_PATIENCE_SECONDS));
        });

        p.setResult("v");

        assertThat(otherFinishedWhileCallbackRan)
                .as("the other thread was not held up")
                .isTrue();
        assertThat(other.get().value()).isEqualTo("v");
        assertThat(lateCallbackThread.get()).isSameAs(other.get().thread());
    }

    @Test
    void aFailingCallbackDoesNotReachTheCompletingCaller() {
        Promise<String> p = running();
        AtomicInteger later = new AtomicInteger();
        try (FanoutLog log = new FanoutLog()) {
            p.addDoneCallback(f -> {
                throw new IllegalStateException("doh!");
            });
            p.addDoneCallback(f -> later.incrementAndGet());

            p.setResult("v"); // returns normally

            assertThat(later).hasValue(1);
            assertThat(log.callbackErrors()).hasSize(1);
        }
    }

    // ---- "A cancelled future is done at once" --------------------------------------------------------------------

    @Test
    void cancelWakesResultWaitAndAsCompletedAtOnce() {
        Promise<String> p = pending();
        Promise<String> other = pending();
        List<Future<String>> fs = List.of(p, other);
        Iterator<Future<String>> asCompleted = Futures.asCompleted(fs).iterator();
        Iterator<Future<String>> timedAsCompleted =
                Futures.asCompleted(fs, LONG).iterator();

        Blocked<String> result = Blocked.inCall("result", p::result);
        Blocked<DoneAndNotDone<String>> waitAll =
                Blocked.inCall("wait-all", () -> Futures.wait(List.of(p), ReturnWhen.ALL_COMPLETED));
        Blocked<DoneAndNotDone<String>> waitFirst =
                Blocked.inCall("wait-first", () -> Futures.wait(fs, LONG, ReturnWhen.FIRST_COMPLETED));
        Blocked<DoneAndNotDone<String>> waitException =
                Blocked.inCall("wait-exception", () -> Futures.wait(List.of(p), LONG, ReturnWhen.FIRST_EXCEPTION));
        Blocked<Future<String>> next = Blocked.inCall("as-completed", asCompleted::next);
        Blocked<Future<String>> timedNext = Blocked.inCall("timed-as-completed", timedAsCompleted::next);

        assertThat(p.cancel()).isTrue();

        assertThat(result.join().thrown()).isInstanceOf(CancellationException.class);
        assertThat(identities(waitAll.join().value().done())).isEqualTo(identities(p));
        assertThat(identities(waitFirst.join().value().done())).isEqualTo(identities(p));
        assertThat(identities(waitFirst.value().notDone())).isEqualTo(identities(other));
        assertThat(identities(waitException.join().value().done())).isEqualTo(identities(p));
        assertThat(next.join().value()).isSameAs(p);
        assertThat(timedNext.join().value()).isSameAs(p);
        other.cancel();
    }

    @Test
    void threadPoolSkipsATaskCancelledBeforeItStarted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean cancelledTaskRan = new AtomicBoolean();
        Future<String> last;
        try (ThreadPool pool = new ThreadPool(1)) {
            try {
                pool.submit(() -> release.await());
                Future<String> skipped = pool.submit(() -> {
                    cancelledTaskRan.set(true);
                    return "ran";
                });
                last = pool.submit(() -> "after");

                assertThat(skipped.cancel()).isTrue();
            } finally {
                release.countDown();
            }
            assertThat(last.result(LONG)).isEqualTo("after");
        }
        assertThat(cancelledTaskRan).isFalse();
    }

    // ---- races the state machine must settle ---------------------------------------------------------------------

    @Test
    void cancelRacingTheStartOfTheTaskHasExactlyOneWinner() throws Exception {
        for (int i = 0; i < 300; i++) {
            Promise<String> p = pending();
            CyclicBarrier bothReady = new CyclicBarrier(2);
            Blocked<Boolean> starter = Blocked.start("starter", () -> {
                bothReady.await(LONG.toSeconds(), TimeUnit.SECONDS);
                return p.setRunningOrNotifyCancel();
            });
            bothReady.await(LONG.toSeconds(), TimeUnit.SECONDS);
            boolean cancelled = p.cancel();
            boolean started = starter.join().value();

            assertThat(cancelled).as("round %d: cancelled xor started", i).isNotEqualTo(started);
            assertThat(p.isCancelled()).isEqualTo(cancelled);
            assertThat(p.isRunning()).isEqualTo(started);
        }
    }

    @Test
    void callbackAddedWhileThePromiseCompletesRunsExactlyOnce() throws Exception {
        for (int i = 0; i < 300; i++) {
            Promise<String> p = running();
            AtomicInteger runs = new AtomicInteger();
            CyclicBarrier bothReady = new CyclicBarrier(2);
            Blocked<Void> completer = Blocked.start("completer", () -> {
                bothReady.await(LONG.toSeconds(), TimeUnit.SECONDS);
                p.setResult("v");
                return null;
            });
            bothReady.await(LONG.toSeconds(), TimeUnit.SECONDS);
            p.addDoneCallback(f -> runs.incrementAndGet());
            completer.join();

            FutureFixtures.eventually().until(() -> runs.get() >= 1);
            assertThat(runs).as("round %d", i).hasValue(1);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static <R> R countingDown(CountDownLatch latch, Callable<R> call) throws Exception {
        try {
            return call.call();
        } finally {
            latch.countDown();
        }
    }

    private static boolean awaitQuietly(CountDownLatch latch) {
        try {
            return latch.await(CALLBACK_PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
