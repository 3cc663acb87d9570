package dev.fanout.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.DoneAndNotDone;
import dev.fanout.Future;
import dev.fanout.FutureTimeoutException;
import dev.fanout.Futures;
import dev.fanout.InvalidStateException;
import dev.fanout.Promise;
import dev.fanout.ReturnWhen;
import java.io.IOException;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deterministic checks of every transition of {@link Promise}'s state machine and of the completion stack, written
 * to kill the mutants PIT left alive in {@code Promise} and {@code Futures}' waiting machinery (see RELIABILITY.md):
 * each asserts one observable consequence of one line. Waiting threads are synchronised with latches and
 * {@link Thread#getState()}, never with sleeps.
 */
@Timeout(60)
class PromiseStateMachineTest {

    @Test
    void cancelWinsOnlyAgainstAPendingFuture() {
        Promise<Integer> pending = new Promise<>();
        assertThat(pending.cancel()).isTrue();
        assertThat(pending.cancel()).as("cancelling again").isTrue();
        assertThat(pending.cancel(true)).isTrue();
        assertThat(pending.isCancelled()).isTrue();
        assertThat(pending.isDone()).isTrue();
        assertThat(pending.isRunning()).isFalse();
        assertThat(pending.setRunningOrNotifyCancel()).isFalse();

        Promise<Integer> running = new Promise<>();
        assertThat(running.setRunningOrNotifyCancel()).isTrue();
        assertThat(running.isRunning()).isTrue();
        assertThat(running.isDone()).isFalse();
        assertThat(running.cancel()).isFalse();
        assertThat(running.cancel(true)).as("cancel(mayInterrupt) is cancel()").isFalse();
        assertThat(running.isCancelled()).isFalse();

        Promise<Integer> finished = new Promise<>();
        finished.setResult(1);
        assertThat(finished.cancel()).isFalse();
        assertThat(finished.isCancelled()).isFalse();
        assertThat(finished.result()).isEqualTo(1);
    }

    @Test
    void setRunningTwiceOrAfterTheEndIsAnError() {
        Promise<Integer> running = new Promise<>();
        running.setRunningOrNotifyCancel();
        assertThatThrownBy(running::setRunningOrNotifyCancel).isInstanceOf(IllegalStateException.class);

        Promise<Integer> finished = new Promise<>();
        finished.setException(new ArithmeticException());
        assertThatThrownBy(finished::setRunningOrNotifyCancel).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theFirstOutcomeStays() {
        Promise<Integer> p = new Promise<>();
        p.setResult(null);
        assertThat(p.isDone()).isTrue();
        assertThat(p.result()).isNull();
        assertThat(p.exception()).isNull();
        assertThatThrownBy(() -> p.setResult(2)).isInstanceOf(InvalidStateException.class);
        assertThatThrownBy(() -> p.setException(new ArithmeticException())).isInstanceOf(InvalidStateException.class);
        assertThat(p.result()).isNull();

        Promise<Integer> cancelled = new Promise<>();
        cancelled.cancel();
        assertThatThrownBy(() -> cancelled.setResult(2)).isInstanceOf(InvalidStateException.class);
        assertThat(cancelled.isCancelled()).isTrue();

        Promise<Integer> fromRunning = new Promise<>();
        fromRunning.setRunningOrNotifyCancel();
        fromRunning.setResult(3);
        assertThatThrownBy(() -> fromRunning.setResult(4)).isInstanceOf(InvalidStateException.class);
        assertThat(fromRunning.result()).isEqualTo(3);
        assertThatThrownBy(() -> new Promise<Integer>().setException(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void resultsAndExceptionsAreReportedAsTheContractSays() throws Exception {
        Promise<Integer> checked = new Promise<>();
        IOException io = new IOException("io");
        checked.setException(io);
        assertThatThrownBy(checked::result)
                .isInstanceOf(CompletionException.class)
                .hasCause(io);
        assertThat(checked.exception()).isSameAs(io);
        assertThat(checked.exception(Duration.ZERO)).isSameAs(io);
        assertThatThrownBy(checked::get).isInstanceOf(ExecutionException.class).hasCause(io);

        Promise<Integer> error = new Promise<>();
        AssertionError boom = new AssertionError("boom");
        error.setException(boom);
        assertThatThrownBy(() -> error.result(Duration.ZERO)).isSameAs(boom);

        Promise<Integer> cancelled = new Promise<>();
        cancelled.cancel();
        assertThatThrownBy(cancelled::result).isInstanceOf(CancellationException.class);
        assertThatThrownBy(cancelled::exception).isInstanceOf(CancellationException.class);
        assertThatThrownBy(cancelled::get).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> cancelled.get(1, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);

        Promise<Integer> value = new Promise<>();
        value.setResult(5);
        assertThat(value.get()).isEqualTo(5);
        assertThat(value.get(1, TimeUnit.SECONDS)).isEqualTo(5);
        assertThat(value.exception()).isNull();

        Promise<Integer> nil = new Promise<>();
        nil.setResult(null);
        assertThat(nil.get()).isNull();
    }

    @Test
    void timeoutsOnAPendingFuture() {
        Promise<Integer> p = new Promise<>();
        assertThatThrownBy(() -> p.result(Duration.ZERO)).isInstanceOf(FutureTimeoutException.class);
        assertThatThrownBy(() -> p.exception(Duration.ZERO)).isInstanceOf(FutureTimeoutException.class);
        assertThatThrownBy(() -> p.result(Duration.ofMillis(30))).isInstanceOf(FutureTimeoutException.class);
        assertThatThrownBy(() -> p.get(30, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThatThrownBy(() -> p.result(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.result(null)).isInstanceOf(NullPointerException.class);
        assertThat(stackSize(p)).as("timed-out waiters take their nodes back").isZero();
    }

    @Test
    void aHugeTimeoutSaturatesInsteadOfOverflowing() throws Exception {
        Promise<Integer> p = new Promise<>();
        AtomicReference<Integer> seen = new AtomicReference<>();
        Thread waiter = new Thread(() -> seen.set(p.result(Duration.ofSeconds(Long.MAX_VALUE))));
        waiter.start();
        awaitParked(waiter);
        p.setResult(8);
        waiter.join();
        assertThat(seen.get()).isEqualTo(8);
    }

    @Test
    void anInterruptedWaiterGetsCancellationAndKeepsItsFlag() throws Exception {
        Promise<Integer> p = new Promise<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                p.result();
            } catch (Throwable t) {
                thrown.set(t);
            }
            flag.set(Thread.currentThread().isInterrupted());
        });
        waiter.start();
        awaitParked(waiter);
        waiter.interrupt();
        waiter.join();
        assertThat(thrown.get())
                .isInstanceOf(CancellationException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(flag.get()).isTrue();
        assertThat(stackSize(p)).isZero();

        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(p::get).isInstanceOf(InterruptedException.class);
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> p.get(1, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
        p.setResult(1);
        Thread.currentThread().interrupt();
        try {
            assertThat(p.result())
                    .as("a done future answers even an interrupted thread")
                    .isEqualTo(1);
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void removingOneWaiterKeepsTheOthers() throws Exception {
        Promise<Integer> p = new Promise<>();
        List<Thread> stay = new ArrayList<>();
        List<Integer> seen = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            stay.add(new Thread(() -> seen.add(p.result())));
        }
        Thread leaves = new Thread(() -> {
            try {
                p.result();
            } catch (CancellationException interrupted) {
                seen.add(-1);
            }
        });
        stay.get(0).start();
        awaitParked(stay.get(0));
        leaves.start(); // between the others in the stack
        awaitParked(leaves);
        for (Thread t : stay.subList(1, 3)) {
            t.start();
            awaitParked(t);
        }
        assertThat(stackSize(p)).isEqualTo(4);
        leaves.interrupt();
        leaves.join();
        assertThat(stackSize(p)).isEqualTo(3);
        p.setResult(9);
        for (Thread t : stay) {
            t.join();
        }
        assertThat(seen).containsExactlyInAnyOrder(-1, 9, 9, 9);
    }

    @Test
    void callbacksRunInOrderAfterWaitersAndListeners() throws Exception {
        Promise<Integer> p = new Promise<>();
        List<String> order = new CopyOnWriteArrayList<>();
        assertThat(p.addDoneCallback(f -> order.add("first"))).isSameAs(p);
        p.addDoneCallback(f -> order.add("second"));
        p.addDoneCallback(f -> order.add("third"));
        p.setResult(1);
        assertThat(order).containsExactly("first", "second", "third");
        Thread caller = Thread.currentThread();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        p.addDoneCallback(f -> ranOn.set(Thread.currentThread()));
        assertThat(ranOn.get())
                .as("on a done future the callback runs at once, on the caller")
                .isSameAs(caller);
        assertThatThrownBy(() -> p.addDoneCallback(null)).isInstanceOf(NullPointerException.class);

        Promise<Integer> one = new Promise<>();
        List<String> single = new CopyOnWriteArrayList<>();
        one.addDoneCallback(f -> single.add("only"));
        one.cancel();
        assertThat(single).containsExactly("only");
    }

    @Test
    void aWaitThatReturnsTakesItsListenersBack() {
        Promise<Integer> a = new Promise<>();
        Promise<Integer> b = new Promise<>();
        DoneAndNotDone<Integer> dn = Futures.wait(List.of(a, b), Duration.ofMillis(20), ReturnWhen.ALL_COMPLETED);
        assertThat(dn.notDone()).containsExactlyInAnyOrder(a, b);
        assertThat(stackSize(a)).isZero();
        assertThat(stackSize(b)).isZero();
        b.setResult(1);
        DoneAndNotDone<Integer> first = Futures.wait(List.of(a, b), ReturnWhen.FIRST_COMPLETED);
        assertThat(first.done()).containsExactly(b);
        assertThat(first.notDone()).containsExactly(a);
        assertThat(stackSize(a)).isZero();
    }

    @Test
    void waitForTheFirstExceptionIgnoresCancelledFutures() throws Exception {
        Promise<Integer> cancelled = new Promise<>();
        Promise<Integer> failing = new Promise<>();
        Promise<Integer> slow = new Promise<>();
        cancelled.cancel();
        AtomicReference<DoneAndNotDone<Integer>> result = new AtomicReference<>();
        Thread waiter = new Thread(
                () -> result.set(Futures.wait(List.of(cancelled, failing, slow), ReturnWhen.FIRST_EXCEPTION)));
        waiter.start();
        awaitParked(waiter);
        assertThat(result.get()).as("a cancelled future has not failed").isNull();
        failing.setException(new ArithmeticException());
        waiter.join();
        assertThat(result.get().done()).containsExactlyInAnyOrder(cancelled, failing);
        assertThat(result.get().notDone()).containsExactly(slow);

        Promise<Integer> ok = new Promise<>();
        ok.setResult(1);
        assertThat(Futures.wait(List.of(ok, cancelled), ReturnWhen.FIRST_EXCEPTION)
                        .notDone())
                .isEmpty();
    }

    @Test
    void aWaiterInterruptedInWaitGetsCancellation() throws Exception {
        Promise<Integer> p = new Promise<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                Futures.wait(List.of(p));
            } catch (Throwable t) {
                thrown.set(t);
            }
            flag.set(Thread.currentThread().isInterrupted());
        });
        waiter.start();
        awaitParked(waiter);
        waiter.interrupt();
        waiter.join();
        assertThat(thrown.get()).isInstanceOf(CancellationException.class);
        assertThat(flag.get()).isTrue();
        assertThat(stackSize(p)).isZero();
    }

    /** Futures that are not Promises take part in wait through a plain done-callback. */
    @Test
    void foreignFuturesTakePartInWait() throws Exception {
        Promise<Integer> inner = new Promise<>();
        Future<Integer> foreign = new Foreign<>(inner);
        Promise<Integer> failedInner = new Promise<>();
        failedInner.setException(new ArithmeticException());
        Future<Integer> failedForeign = new Foreign<>(failedInner);
        Promise<Integer> cancelledInner = new Promise<>();
        cancelledInner.cancel();
        Future<Integer> cancelledForeign = new Foreign<>(cancelledInner);

        assertThat(Futures.wait(List.of(foreign, failedForeign), ReturnWhen.FIRST_EXCEPTION)
                        .done())
                .containsExactly(failedForeign);
        assertThat(Futures.wait(List.of(foreign, cancelledForeign), Duration.ZERO, ReturnWhen.FIRST_EXCEPTION)
                        .notDone())
                .containsExactly(foreign);
        CountDownLatch done = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            Futures.wait(List.of(foreign, cancelledForeign));
            done.countDown();
        });
        waiter.start();
        awaitParked(waiter);
        inner.setResult(1);
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void completionStagesBecomeFutures() {
        CompletableFuture<Integer> value = new CompletableFuture<>();
        Future<Integer> f = Futures.fromCompletionStage(value);
        assertThat(f.isRunning()).isTrue();
        assertThat(f.cancel()).isFalse();
        value.complete(4);
        assertThat(f.result()).isEqualTo(4);

        CompletableFuture<Integer> failing = new CompletableFuture<>();
        Future<Integer> g = Futures.fromCompletionStage(failing.thenApply(x -> x));
        IllegalStateException cause = new IllegalStateException();
        failing.completeExceptionally(cause);
        assertThat(g.exception()).as("unwrapped from CompletionException").isSameAs(cause);

        CompletableFuture<Integer> cancelled = new CompletableFuture<>();
        Future<Integer> h = Futures.fromCompletionStage(cancelled);
        cancelled.cancel(false);
        assertThat(h.exception()).isInstanceOf(CancellationException.class);
    }

    @Test
    void theCompletableFutureViewFollowsThePromise() throws Exception {
        Promise<Integer> p = new Promise<>();
        CompletableFuture<Integer> view = p.toCompletableFuture();
        p.setResult(3);
        assertThat(view.get()).isEqualTo(3);

        Promise<Integer> nil = new Promise<>();
        CompletableFuture<Integer> nilView = nil.toCompletableFuture();
        nil.setResult(null);
        assertThat(nilView.get()).isNull();
        assertThat(nilView.isDone()).isTrue();

        Promise<Integer> failing = new Promise<>();
        CompletableFuture<Integer> failingView = failing.toCompletableFuture();
        ArithmeticException boom = new ArithmeticException();
        failing.setException(boom);
        assertThatThrownBy(failingView::get).hasCause(boom);

        Promise<Integer> pending = new Promise<>();
        CompletableFuture<Integer> pendingView = pending.toCompletableFuture();
        assertThat(pendingView.cancel(true)).isTrue();
        assertThat(pending.isCancelled()).isTrue();
        assertThat(pendingView.isCancelled()).isTrue();

        Promise<Integer> running = new Promise<>();
        running.setRunningOrNotifyCancel();
        CompletableFuture<Integer> runningView = running.toCompletableFuture();
        assertThat(runningView.cancel(true)).isFalse();
        assertThat(running.isRunning()).isTrue();

        Promise<Integer> cancelled = new Promise<>();
        cancelled.cancel();
        assertThat(cancelled.toCompletableFuture().isCancelled()).isTrue();
        assertThat(cancelled.toCompletableFuture().cancel(true)).isTrue();
    }

    @Test
    void toStringNamesTheStateAndTheTypeNeverTheValue() {
        Promise<Object> p = new Promise<>();
        assertThat(p.toString()).startsWith("Future@").endsWith("[pending]");
        p.setRunningOrNotifyCancel();
        assertThat(p.toString()).endsWith("[running]");
        p.setResult("secret");
        assertThat(p.toString()).endsWith("[finished returned String]").doesNotContain("secret");

        Promise<Object> nil = new Promise<>();
        nil.setResult(null);
        assertThat(nil.toString()).endsWith("[finished returned null]");
        Promise<Object> failed = new Promise<>();
        failed.setException(new IllegalStateException("secret"));
        assertThat(failed.toString()).endsWith("[finished raised IllegalStateException]");
        Promise<Object> cancelled = new Promise<>();
        cancelled.cancel();
        assertThat(cancelled.toString()).endsWith("[cancelled]");
    }

    /** Waits until {@code t} is parked (in {@code LockSupport.park}), however long that takes to happen. */
    static void awaitParked(Thread t) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(1))
                .until(() -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
    }

    /** How many completion nodes (waiters, listeners, callbacks) a promise holds; white-box, through reflection. */
    static int stackSize(Promise<?> p) {
        try {
            Field nodes = Promise.class.getDeclaredField("nodes");
            nodes.setAccessible(true);
            Object node = nodes.get(p);
            Field next = null;
            Field action = null;
            int n = 0;
            while (node != null) {
                if (next == null) {
                    next = node.getClass().getDeclaredField("next");
                    next.setAccessible(true);
                    action = node.getClass().getDeclaredField("action");
                    action.setAccessible(true);
                }
                if (action.get(node) != null) {
                    n++;
                }
                node = next.get(node);
            }
            return n;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** A Future that is not a Promise: delegates to one. */
    private record Foreign<T>(Promise<T> inner) implements Future<T> {
        @Override
        public boolean cancel() {
            return inner.cancel();
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return inner.cancel();
        }

        @Override
        public boolean isCancelled() {
            return inner.isCancelled();
        }

        @Override
        public boolean isRunning() {
            return inner.isRunning();
        }

        @Override
        public boolean isDone() {
            return inner.isDone();
        }

        @Override
        public T result() {
            return inner.result();
        }

        @Override
        public T result(Duration timeout) {
            return inner.result(timeout);
        }

        @Override
        public Throwable exception() {
            return inner.exception();
        }

        @Override
        public Throwable exception(Duration timeout) {
            return inner.exception(timeout);
        }

        @Override
        public T get() throws InterruptedException, ExecutionException {
            return inner.get();
        }

        @Override
        public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            return inner.get(timeout, unit);
        }

        @Override
        public Future<T> addDoneCallback(java.util.function.Consumer<? super Future<T>> fn) {
            inner.addDoneCallback(done -> fn.accept(this));
            return this;
        }

        @Override
        public CompletableFuture<T> toCompletableFuture() {
            return inner.toCompletableFuture();
        }
    }
}
