package dev.fanout.contract;

import static dev.fanout.contract.FutureFixtures.LONG;
import static dev.fanout.contract.FutureFixtures.SHORT;
import static dev.fanout.contract.FutureFixtures.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.Future;
import dev.fanout.FutureTimeoutException;
import dev.fanout.contract.FutureBackend.Driver;
import dev.fanout.contract.FutureBackend.Job;
import dev.fanout.contract.FutureFixtures.Blocked;
import dev.fanout.contract.FutureFixtures.FanoutLog;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client side of API.md's {@code Future<T>} table, as a user sees it: states, {@code cancel}, {@code result},
 * {@code exception}, callbacks, the {@link java.util.concurrent.Future} methods and {@code toCompletableFuture()}.
 * Every test runs once per {@link FutureBackend}, so the futures a thread pool returns and a hand-driven
 * {@code Promise} are held to the same assertions.
 */
@Timeout(30)
class FutureContractTest {

    /** Runs the test once for each backend. */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @ParameterizedTest(name = "{0}")
    @EnumSource(FutureBackend.class)
    @interface EachBackend {}

    private Driver driver;

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    private <T> Job<T> job(FutureBackend backend) {
        if (driver == null) {
            driver = backend.open();
        }
        return driver.submit();
    }

    // ---- states --------------------------------------------------------------------------------------------------

    @EachBackend
    void pendingFutureIsNeitherRunningNorDoneNorCancelled(FutureBackend backend) {
        Future<String> f = this.<String>job(backend).future();

        assertThat(f.isRunning()).isFalse();
        assertThat(f.isDone()).isFalse();
        assertThat(f.isCancelled()).isFalse();
    }

    @EachBackend
    void startedFutureIsRunningAndNotDone(FutureBackend backend) {
        Future<String> f = this.<String>job(backend).start().future();

        assertThat(f.isRunning()).isTrue();
        assertThat(f.isDone()).isFalse();
        assertThat(f.isCancelled()).isFalse();
    }

    @EachBackend
    void finishedFutureIsDoneAndNoLongerRunning(FutureBackend backend) {
        Job<String> ok = job(backend);
        Job<String> failing = job(backend);

        ok.succeed("v");
        failing.fail(new IllegalStateException("boom"));

        for (Future<String> f : List.of(ok.future(), failing.future())) {
            assertThat(f.isDone()).as("%s done", f).isTrue();
            assertThat(f.isRunning()).as("%s running", f).isFalse();
            assertThat(f.isCancelled()).as("%s cancelled", f).isFalse();
        }
    }

    @EachBackend
    void cancelledFutureIsDoneAndNotRunning(FutureBackend backend) {
        Future<String> f = this.<String>job(backend).future();

        f.cancel();

        assertThat(f.isCancelled()).isTrue();
        assertThat(f.isDone()).isTrue();
        assertThat(f.isRunning()).isFalse();
    }

    // ---- cancel --------------------------------------------------------------------------------------------------

    @EachBackend
    void cancelOfPendingFutureCancelsItAndKeepsReturningTrue(FutureBackend backend) {
        Future<String> f = this.<String>job(backend).future();

        assertThat(f.cancel()).isTrue();
        assertThat(f.isCancelled()).isTrue();
        assertThat(f.cancel()).as("cancel() of a cancelled future").isTrue();
        assertThat(f.cancel(true)).as("cancel(true) of a cancelled future").isTrue();
        assertThat(f.cancel(false)).as("cancel(false) of a cancelled future").isTrue();
    }

    @EachBackend
    void cancelWithEitherFlagCancelsAPendingFuture(FutureBackend backend) {
        Future<String> a = this.<String>job(backend).future();
        Future<String> b = this.<String>job(backend).future();

        assertThat(a.cancel(true)).isTrue();
        assertThat(b.cancel(false)).isTrue();

        assertThat(a.isCancelled()).isTrue();
        assertThat(b.isCancelled()).isTrue();
    }

    @EachBackend
    void cancelOfRunningFutureReturnsFalseAndNeverInterruptsTheTask(FutureBackend backend) {
        Job<String> job = this.<String>job(backend).start();
        Future<String> f = job.future();

        assertThat(f.cancel()).isFalse();
        assertThat(f.cancel(true)).as("cancel(true) is cancel(): no interrupt").isFalse();
        assertThat(f.cancel(false)).isFalse();
        assertThat(f.isRunning()).isTrue();
        assertThat(f.isCancelled()).isFalse();

        // The pool's task blocks on a latch: had cancel(true) interrupted it, it would end with InterruptedException.
        job.succeed("v");
        assertThat(f.result()).isEqualTo("v");
    }

    @EachBackend
    void cancelOfFinishedFutureReturnsFalseAndKeepsTheOutcome(FutureBackend backend) {
        Job<String> ok = job(backend);
        Job<String> failing = job(backend);
        IllegalStateException boom = new IllegalStateException("boom");
        ok.succeed("v");
        failing.fail(boom);

        assertThat(ok.future().cancel()).isFalse();
        assertThat(failing.future().cancel(true)).isFalse();

        assertThat(ok.future().isCancelled()).isFalse();
        assertThat(ok.future().result()).isEqualTo("v");
        assertThat(failing.future().isCancelled()).isFalse();
        assertThat(failing.future().exception()).isSameAs(boom);
    }

    // ---- result --------------------------------------------------------------------------------------------------

    @EachBackend
    void resultReturnsTheValue(FutureBackend backend) {
        Job<String> job = job(backend);
        job.succeed("v");
        Future<String> f = job.future();

        assertThat(f.result()).isEqualTo("v");
        assertThat(f.result(LONG)).isEqualTo("v");
        assertThat(f.result(Duration.ZERO)).isEqualTo("v");
    }

    @EachBackend
    void resultOfANullValueIsNull(FutureBackend backend) {
        Job<String> job = job(backend);
        job.succeed(null);

        assertThat(job.future().result()).isNull();
        assertThat(job.future().exception()).isNull();
        assertThat(job.future().isDone()).isTrue();
    }

    @EachBackend
    void resultRethrowsTheVerySameRuntimeException(FutureBackend backend) {
        Job<String> job = job(backend);
        IllegalStateException boom = new IllegalStateException("boom");
        job.fail(boom);
        Future<String> f = job.future();

        assertThatThrownBy(f::result).isSameAs(boom);
        assertThatThrownBy(() -> f.result(LONG)).isSameAs(boom);
        assertThatThrownBy(() -> f.result(Duration.ZERO)).isSameAs(boom);
    }

    @EachBackend
    void resultRethrowsTheVerySameError(FutureBackend backend) {
        Job<String> job = job(backend);
        Error boom = new Error("boom");
        job.fail(boom);
        Future<String> f = job.future();

        assertThatThrownBy(f::result).isSameAs(boom);
        assertThatThrownBy(() -> f.result(LONG)).isSameAs(boom);
    }

    @EachBackend
    void resultWrapsACheckedExceptionInCompletionException(FutureBackend backend) {
        Job<String> job = job(backend);
        IOException boom = new IOException("boom");
        job.fail(boom);
        Future<String> f = job.future();

        assertThatThrownBy(f::result)
                .isExactlyInstanceOf(CompletionException.class)
                .cause()
                .isSameAs(boom);
        assertThatThrownBy(() -> f.result(LONG))
                .isExactlyInstanceOf(CompletionException.class)
                .cause()
                .isSameAs(boom);
    }

    @EachBackend
    void resultOfCancelledFutureThrowsCancellationException(FutureBackend backend) {
        Future<String> f = this.<String>job(backend).future();
        f.cancel();

        assertThatThrownBy(f::result).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> f.result(LONG)).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> f.result(Duration.ZERO)).isInstanceOf(CancellationException.class);
    }

    @EachBackend
    void resultTimesOutWithFutureTimeoutExceptionAndTheTaskGoesOn(FutureBackend backend) {
        Job<String> job = job(backend);
        Future<String> f = job.future();

        long start = System.nanoTime();
        assertThatThrownBy(() -> f.result(SHORT)).isInstanceOf(FutureTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(SHORT);
        job.start();
        assertThatThrownBy(() -> f.result(SHORT)).isInstanceOf(FutureTimeoutException.class);

        assertThat(f.isCancelled()).as("a timeout does not cancel").isFalse();
        job.succeed("v");
        assertThat(f.result(SHORT)).isEqualTo("v");
    }

    @EachBackend
    void zeroTimeoutDoesNotWait(FutureBackend backend) {
        Job<String> job = job(backend);
        Future<String> f = job.future();

        long start = System.nanoTime();
        assertThatThrownBy(() -> f.result(Duration.ZERO)).isInstanceOf(FutureTimeoutException.class);
        assertThatThrownBy(() -> f.exception(Duration.ZERO)).isInstanceOf(FutureTimeoutException.class);
        job.start();
        assertThatThrownBy(() -> f.result(Duration.ZERO)).isInstanceOf(FutureTimeoutException.class);
        assertThatThrownBy(() -> f.exception(Duration.ZERO)).isInstanceOf(FutureTimeoutException.class);
        // "Do not wait": nothing here may park until some timer runs out.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @EachBackend
    void hugeTimeoutWaitsForTheOutcome(FutureBackend backend) {
        Job<String> job = job(backend);
        Future<String> f = job.future();
        Duration forever = Duration.ofSeconds(Long.MAX_VALUE); // more nanoseconds than a long holds

        Blocked<String> result = Blocked.inCall("result-forever", () -> f.result(forever));
        Blocked<Throwable> exception = Blocked.inCall("exception-forever", () -> f.exception(forever));
        job.succeed("v");

        assertThat(result.join().value()).isEqualTo("v");
        assertThat(exception.join().value()).isNull();
    }

    @EachBackend
    void negativeTimeoutIsIllegalArgument(FutureBackend backend) {
        Job<String> done = job(backend);
        done.succeed("v");
        Duration negative = Duration.ofNanos(-1);

        for (Future<String> f : List.of(this.<String>job(backend).future(), done.future())) {
            assertThatThrownBy(() -> f.result(negative)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> f.exception(negative)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @EachBackend
    void nullArgumentsAreNullPointerExceptions(FutureBackend backend) {
        Future<String> f = this.<String>job(backend).future();

        assertThatThrownBy(() -> f.result(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> f.exception(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> f.addDoneCallback(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> f.get(1, null)).isInstanceOf(NullPointerException.class);
        assertThat(f.isDone()).isFalse();
    }

    // ---- exception -----------------------------------------------------------------------------------------------

    @EachBackend
    void exceptionIsNullOnSuccess(FutureBackend backend) {
        Job<String> job = job(backend);
        job.succeed("v");
        Future<String> f = job.future();

        assertThat(f.exception()).isNull();
        assertThat(f.exception(LONG)).isNull();
        assertThat(f.exception(Duration.ZERO)).isNull();
    }

    @EachBackend
    void exceptionReturnsWhatTheTaskThrewUnwrapped(FutureBackend backend) {
        List<Throwable> thrown =
                List.of(new IllegalStateException("unchecked"), new Error("error"), new IOException("checked"));

        for (Throwable boom : thrown) {
            Job<String> job = job(backend);
            job.fail(boom);

            assertThat(job.future().exception()).isSameAs(boom);
            assertThat(job.future().exception(LONG)).isSameAs(boom);
            assertThat(job.future().exception(Duration.ZERO)).isSameAs(boom);
        }
    }

    @EachBackend
    void exceptionOfCancelledFutureThrowsCancellationException(FutureBackend backend) {
        Future<String> f = this.<String>job(backend).future();
        f.cancel();

        assertThatThrownBy(f::exception).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> f.exception(LONG)).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> f.exception(Duration.ZERO)).isInstanceOf(CancellationException.class);
    }

    @EachBackend
    void exceptionTimesOutWithFutureTimeoutException(FutureBackend backend) {
        Job<String> job = this.<String>job(backend).start();

        assertThatThrownBy(() -> job.future().exception(SHORT)).isInstanceOf(FutureTimeoutException.class);
        assertThat(job.future().isRunning()).isTrue();
    }

    // ---- waiting threads -----------------------------------------------------------------------------------------

    @EachBackend
    void blockedWaitersAreWokenByTheValue(FutureBackend backend) {
        Job<String> job = job(backend);
        Future<String> f = job.future();
        Blocked<String> result = Blocked.inCall("result", f::result);
        Blocked<String> timedResult = Blocked.inCall("timed-result", () -> f.result(LONG));
        Blocked<Throwable> exception = Blocked.inCall("exception", f::exception);

        result.assertStillBlocked();
        job.succeed("v");

        assertThat(result.join().value()).isEqualTo("v");
        assertThat(timedResult.join().value()).isEqualTo("v");
        assertThat(exception.join().value()).isNull();
    }

    @EachBackend
    void blockedWaitersAreWokenByTheException(FutureBackend backend) {
        Job<String> job = job(backend);
        Future<String> f = job.future();
        IllegalStateException boom = new IllegalStateException("boom");
        Blocked<String> result = Blocked.inCall("result", f::result);
        Blocked<Throwable> exception = Blocked.inCall("timed-exception", () -> f.exception(LONG));

        job.fail(boom);

        assertThat(result.join().thrown()).isSameAs(boom);
        assertThat(exception.join().value()).isSameAs(boom);
    }

    @EachBackend
    void cancelWakesBlockedWaitersWithCancellationException(FutureBackend backend) {
        Future<String> f = this.<String>job(backend).future();
        List<Blocked<?>> waiters = List.of(
                Blocked.inCall("result", f::result),
                Blocked.inCall("timed-result", () -> f.result(LONG)),
                Blocked.inCall("exception", f::exception),
                Blocked.inCall("timed-exception", () -> f.exception(LONG)));

        assertThat(f.cancel()).isTrue();

        for (Blocked<?> w : waiters) {
            assertThat(w.join().thrown()).as(w.thread().getName()).isInstanceOf(CancellationException.class);
            assertThat(w.interruptFlagAfterCall()).isFalse();
        }
    }

    @EachBackend
    void interruptedWaiterGetsCancellationExceptionAndKeepsItsInterruptFlag(FutureBackend backend) {
        Future<String> f = this.<String>job(backend).future();
        List<Callable<?>> calls = List.of(f::result, () -> f.result(LONG), f::exception, () -> f.exception(LONG));

        for (Callable<?> call : calls) {
            Blocked<?> waiter = Blocked.inCall("waiter", call);

            waiter.interrupt().join();

            assertThat(waiter.thrown()).isInstanceOf(CancellationException.class);
            assertThat(waiter.interruptFlagAfterCall())
                    .as("interrupt flag after the call")
                    .isTrue();
        }
        assertThat(f.isCancelled())
                .as("interrupting a waiter does not cancel the future")
                .isFalse();
        assertThat(f.isDone()).isFalse();
    }

    @EachBackend
    void threadInterruptedBeforeWaitingGetsCancellationExceptionAndKeepsItsInterruptFlag(FutureBackend backend) {
        Future<String> f = this.<String>job(backend).future();

        Blocked<String> waiter = Blocked.start("pre-interrupted", () -> {
                    Thread.currentThread().interrupt();
                    return f.result(LONG);
                })
                .join();

        assertThat(waiter.thrown()).isInstanceOf(CancellationException.class);
        assertThat(waiter.interruptFlagAfterCall()).isTrue();
    }

    @EachBackend
    void doneFutureAnswersAnInterruptedThreadWithoutWaiting(FutureBackend backend) {
        Job<String> job = job(backend);
        job.succeed("v");

        Blocked<String> caller = Blocked.start("interrupted-caller", () -> {
                    Thread.currentThread().interrupt();
                    return job.future().result();
                })
                .join();

        assertThat(caller.value()).isEqualTo("v");
        assertThat(caller.interruptFlagAfterCall()).isTrue();
    }

    // ---- callbacks -----------------------------------------------------------------------------------------------

    /** What one callback saw when it ran. */
    private record Call(int index, Thread thread, Future<?> future, boolean futureDone) {}

    private static <T> Future<T> addRecordingCallback(Future<T> f, int index, BlockingQueue<Call> calls) {
        return f.addDoneCallback(done -> calls.add(new Call(index, Thread.currentThread(), done, done.isDone())));
    }

    @EachBackend
    void callbacksRunOnceInTheOrderAddedOnTheCompletingThreadGivenThisFuture(FutureBackend backend) {
        Job<String> job = job(backend);
        Future<String> f = job.future();
        BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
        for (int i = 0; i < 5; i++) {
            addRecordingCallback(f, i, calls);
        }
        job.start();
        assertThat(calls).as("no callback before the future is done").isEmpty();

        job.succeed("v");

        eventually().until(() -> calls.size() >= 5);
        assertThat(calls).extracting(Call::index).containsExactly(0, 1, 2, 3, 4);
        assertThat(calls).allSatisfy(c -> {
            assertThat(c.thread()).isSameAs(job.completer());
            assertThat(c.future()).isSameAs(f);
            assertThat(c.futureDone()).isTrue();
        });
        // Once: later calls on the done future run nothing again.
        assertThat(f.cancel()).isFalse();
        eventually().during(SHORT).until(() -> calls.size() == 5);
    }

    @EachBackend
    void callbacksRunWhenTheTaskFailsAndSeeItsException(FutureBackend backend) {
        Job<String> job = job(backend);
        IOException boom = new IOException("boom");
        BlockingQueue<Throwable> seen = new LinkedBlockingQueue<>();
        job.future().addDoneCallback(done -> seen.add(done.exception(Duration.ZERO)));

        job.fail(boom);

        eventually().until(() -> !seen.isEmpty());
        assertThat(seen).containsExactly(boom);
    }

    @EachBackend
    void callbackAddedToADoneFutureRunsAtOnceOnTheCallingThread(FutureBackend backend) {
        Job<String> ok = job(backend);
        Job<String> failing = job(backend);
        Job<String> cancelled = job(backend);
        ok.succeed("v");
        failing.fail(new IllegalStateException("boom"));
        cancelled.future().cancel();

        for (Future<String> f : List.of(ok.future(), failing.future(), cancelled.future())) {
            BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
            addRecordingCallback(f, 0, calls);

            assertThat(calls).as("ran before addDoneCallback returned").hasSize(1);
            Call call = calls.poll();
            assertThat(call.thread()).isSameAs(Thread.currentThread());
            assertThat(call.future()).isSameAs(f);
        }
    }

    @EachBackend
    void cancelRunsTheCallbacksInOrderOnTheCancellingThread(FutureBackend backend) {
        Future<String> f = this.<String>job(backend).future();
        BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
        addRecordingCallback(f, 0, calls);
        addRecordingCallback(f, 1, calls);

        Blocked<Boolean> canceller = Blocked.start("canceller", f::cancel).join();

        assertThat(canceller.value()).isTrue();
        assertThat(calls).extracting(Call::index).containsExactly(0, 1);
        assertThat(calls).allSatisfy(c -> {
            assertThat(c.thread()).isSameAs(canceller.thread());
            assertThat(c.future()).isSameAs(f);
        });
    }

    @EachBackend
    void throwingCallbackIsLoggedAtErrorAndLaterCallbacksStillRun(FutureBackend backend) {
        Job<String> job = job(backend);
        Future<String> f = job.future();
        RuntimeException doh = new RuntimeException("doh!");
        BlockingQueue<Call> calls = new LinkedBlockingQueue<>();

        try (FanoutLog log = new FanoutLog()) {
            addRecordingCallback(f, 0, calls);
            f.addDoneCallback(done -> {
                throw doh;
            });
            addRecordingCallback(f, 2, calls);

            job.succeed("v");

            eventually().until(() -> calls.size() == 2 && !log.callbackErrors().isEmpty());
            assertThat(calls).extracting(Call::index).containsExactly(0, 2);
            assertThat(log.callbackErrors()).singleElement().satisfies(r -> {
                assertThat(r.getLevel()).isEqualTo(Level.SEVERE);
                assertThat(r.getLoggerName()).isEqualTo("dev.fanout");
                assertThat(r.getThrown()).isSameAs(doh);
            });
        }
        assertThat(f.result())
                .as("a failing callback does not change the outcome")
                .isEqualTo("v");
    }

    @EachBackend
    void throwingCallbackAddedToADoneFutureIsLoggedNotThrown(FutureBackend backend) {
        Job<String> job = job(backend);
        job.succeed("v");
        Future<String> f = job.future();
        IllegalArgumentException doh = new IllegalArgumentException("doh!");

        try (FanoutLog log = new FanoutLog()) {
            Future<String> returned = f.addDoneCallback(done -> {
                throw doh;
            });

            assertThat(returned).isSameAs(f);
            List<LogRecord> errors = log.callbackErrors();
            assertThat(errors).singleElement().extracting(LogRecord::getThrown).isSameAs(doh);
            assertThat(errors.get(0).getMessage()).contains("exception calling callback for");
        }
    }

    @EachBackend
    void addDoneCallbackReturnsThisFuture(FutureBackend backend) {
        Job<String> pending = job(backend);
        Job<String> done = job(backend);
        done.succeed("v");

        for (Future<String> f : List.of(pending.future(), done.future())) {
            assertThat(f.addDoneCallback(x -> {})).isSameAs(f);
        }
    }

    // ---- java.util.concurrent.Future -----------------------------------------------------------------------------

    @EachBackend
    void getReturnsTheValue(FutureBackend backend) throws Exception {
        Job<String> job = job(backend);
        job.succeed("v");

        assertThat(job.future().get()).isEqualTo("v");
        assertThat(job.future().get(1, TimeUnit.SECONDS)).isEqualTo("v");
        assertThat(job.future().get(0, TimeUnit.SECONDS)).isEqualTo("v");
    }

    @EachBackend
    void getWrapsEveryFailureInExecutionException(FutureBackend backend) {
        List<Throwable> thrown =
                List.of(new IllegalStateException("unchecked"), new Error("error"), new IOException("checked"));

        for (Throwable boom : thrown) {
            Job<String> job = job(backend);
            job.fail(boom);
            Future<String> f = job.future();

            assertThatThrownBy(f::get)
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isSameAs(boom);
            assertThatThrownBy(() -> f.get(1, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isSameAs(boom);
        }
    }

    @EachBackend
    void getOfCancelledFutureThrowsCancellationException(FutureBackend backend) {
        Future<String> f = this.<String>job(backend).future();
        f.cancel();

        assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> f.get(1, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
    }

    @EachBackend
    void timedGetThrowsTimeoutException(FutureBackend backend) {
        Future<String> f = this.<String>job(backend).start().future();

        assertThatThrownBy(() -> f.get(SHORT.toMillis(), TimeUnit.MILLISECONDS))
                .isExactlyInstanceOf(TimeoutException.class);
        assertThatThrownBy(() -> f.get(0, TimeUnit.SECONDS)).isExactlyInstanceOf(TimeoutException.class);
        assertThat(f.isRunning()).isTrue();
    }

    @EachBackend
    void interruptedGetThrowsInterruptedException(FutureBackend backend) {
        Future<String> f = this.<String>job(backend).future();

        for (Callable<?> call : List.<Callable<?>>of(f::get, () -> f.get(LONG.toSeconds(), TimeUnit.SECONDS))) {
            Blocked<?> waiter = Blocked.inCall("get", call);

            waiter.interrupt().join();

            assertThat(waiter.thrown()).isInstanceOf(InterruptedException.class);
            // The JDK's convention: whoever throws InterruptedException has consumed the interrupt.
            assertThat(waiter.interruptFlagAfterCall()).isFalse();
        }
        assertThat(f.isDone()).isFalse();
    }

    // ---- toCompletableFuture -------------------------------------------------------------------------------------

    @EachBackend
    void completableViewCompletesWithTheValue(FutureBackend backend) throws Exception {
        Job<String> job = job(backend);
        CompletableFuture<String> view = job.future().toCompletableFuture();
        assertThat(view).isNotDone();

        job.succeed("v");

        assertThat(view.get(LONG.toSeconds(), TimeUnit.SECONDS)).isEqualTo("v");
    }

    @EachBackend
    void completableViewCompletesWithTheVerySameException(FutureBackend backend) throws Exception {
        for (Throwable boom : List.of(new IllegalStateException("unchecked"), new IOException("checked"))) {
            Job<String> job = job(backend);
            CompletableFuture<String> view = job.future().toCompletableFuture();

            job.fail(boom);

            Throwable seen = view.handle((v, t) -> t).get(LONG.toSeconds(), TimeUnit.SECONDS);
            assertThat(seen).isSameAs(boom);
            assertThat(view).isCompletedExceptionally();
            assertThatThrownBy(view::join)
                    .isInstanceOf(CompletionException.class)
                    .cause()
                    .isSameAs(boom);
        }
    }

    @EachBackend
    void completableViewIsCancelledWhenTheFutureIs(FutureBackend backend) {
        Future<String> f = this.<String>job(backend).future();
        CompletableFuture<String> view = f.toCompletableFuture();

        f.cancel();

        assertThat(view).isCancelled();
        assertThatThrownBy(view::join).isInstanceOf(CancellationException.class);
    }

    @EachBackend
    void completableViewOfADoneFutureIsCompleteAtOnce(FutureBackend backend) {
        Job<String> ok = job(backend);
        Job<String> cancelled = job(backend);
        ok.succeed("v");
        cancelled.future().cancel();

        assertThat(ok.future().toCompletableFuture()).isCompletedWithValue("v");
        assertThat(cancelled.future().toCompletableFuture()).isCancelled();
    }

    @EachBackend
    void cancellingTheViewCancelsAPendingTask(FutureBackend backend) {
        Future<String> f = this.<String>job(backend).future();
        CompletableFuture<String> view = f.toCompletableFuture();

        assertThat(view.cancel(true)).isTrue();

        assertThat(f.isCancelled()).isTrue();
        assertThat(view).isCancelled();
    }

    @EachBackend
    void cancellingTheViewOfARunningTaskReturnsFalseAndDoesNotInterruptIt(FutureBackend backend) throws Exception {
        Job<String> job = this.<String>job(backend).start();
        CompletableFuture<String> view = job.future().toCompletableFuture();

        assertThat(view.cancel(true)).isFalse();

        assertThat(view).isNotDone();
        assertThat(job.future().isRunning()).isTrue();
        job.succeed("v"); // an interrupted pool task would have ended with InterruptedException instead
        assertThat(view.get(LONG.toSeconds(), TimeUnit.SECONDS)).isEqualTo("v");
    }

    /**
     * Regression: {@code cancel} on a view completed by hand used to cancel the still pending task behind it and
     * return {@code true}, while the view stayed completed.
     */
    @EachBackend
    void completingTheViewByHandChangesOnlyTheView(FutureBackend backend) {
        Future<String> f = this.<String>job(backend).future();
        CompletableFuture<String> view = f.toCompletableFuture();

        assertThat(view.complete("by hand")).isTrue();
        // CompletableFuture.cancel: "false if this task could not be cancelled, typically because it has already
        // completed". A view completed by hand is no longer linked to the task, so the task stays alone.
        assertThat(view.cancel(true)).isFalse();

        assertThat(view).isCompletedWithValue("by hand");
        assertThat(f.isDone()).as("the task's future").isFalse();
        assertThat(f.isCancelled()).isFalse();
    }

    @EachBackend
    void eachCallReturnsANewIndependentView(FutureBackend backend) throws Exception {
        Job<String> job = job(backend);
        CompletableFuture<String> first = job.future().toCompletableFuture();
        CompletableFuture<String> second = job.future().toCompletableFuture();
        first.complete("by hand");

        job.succeed("v");

        assertThat(first).isCompletedWithValue("by hand");
        assertThat(second.get(LONG.toSeconds(), TimeUnit.SECONDS)).isEqualTo("v");
    }

    // ---- toString ------------------------------------------------------------------------------------------------

    @EachBackend
    void toStringShowsTheState(FutureBackend backend) {
        Job<String> job = job(backend);
        Job<String> failing = job(backend);
        Future<String> cancelled = this.<String>job(backend).future();
        cancelled.cancel();
        Function<Future<?>, String> text = Object::toString;

        List<String> states = new ArrayList<>();
        states.add(text.apply(job.future()));
        job.start();
        states.add(text.apply(job.future()));
        job.succeed("v");
        states.add(text.apply(job.future()));
        failing.fail(new IOException("boom"));
        states.add(text.apply(failing.future()));
        states.add(text.apply(cancelled));

        assertThat(states.get(0)).contains("pending");
        assertThat(states.get(1)).contains("running");
        assertThat(states.get(2)).contains("finished").contains("String");
        assertThat(states.get(3)).contains("finished").contains("IOException");
        assertThat(states.get(4)).contains("cancelled");
    }
}
