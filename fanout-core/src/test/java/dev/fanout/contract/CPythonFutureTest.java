package dev.fanout.contract;

import static dev.fanout.contract.FutureFixtures.cancelled;
import static dev.fanout.contract.FutureFixtures.failed;
import static dev.fanout.contract.FutureFixtures.pending;
import static dev.fanout.contract.FutureFixtures.running;
import static dev.fanout.contract.FutureFixtures.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.FutureTimeoutException;
import dev.fanout.InvalidStateException;
import dev.fanout.Promise;
import dev.fanout.contract.FutureFixtures.Blocked;
import dev.fanout.contract.FutureFixtures.FanoutLog;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A port of CPython's {@code Lib/test/test_concurrent_futures/test_future.py} ({@code FutureTests}) to Fanout's
 * {@link Promise}. CPython's module-level futures become fresh promises in the same states: {@code OSError} becomes
 * {@link IOException}, {@code TimeoutError} {@link FutureTimeoutException}, {@code CancelledError}
 * {@link CancellationException}, {@code InvalidStateError} {@link InvalidStateException}; what CPython prints to
 * stderr for a failing callback is read from the {@code dev.fanout} log. Where CPython sleeps to let the main thread
 * start waiting, the port waits until the waiting thread is parked.
 *
 * <p>Not ported:
 *
 * <ul>
 *   <li>{@code CANCELLED_AND_NOTIFIED_FUTURE}: a CPython-internal state (cancelled, and waiters told so). A Fanout
 *       future that is cancelled is done and notified at once (API.md), so the cases that use it are folded into the
 *       cancelled ones.
 *   <li>{@code test_class_str}: checks the text of Python class objects ({@code <class 'concurrent.futures.Future'>});
 *       Java has no counterpart.
 *   <li>{@code test_get_snapshot}: tests {@code Future._get_snapshot}, a private CPython helper with no public
 *       counterpart in Fanout.
 * </ul>
 */
@Timeout(30)
class CPythonFutureTest {

    /** Ports {@code FutureTests.test_done_callback_with_result}. */
    @Test
    void testDoneCallbackWithResult() {
        AtomicReference<Integer> callbackResult = new AtomicReference<>();
        Promise<Integer> f = new Promise<>();
        f.addDoneCallback(cf -> callbackResult.set(cf.result()));

        f.setResult(5);

        assertThat(callbackResult.get()).isEqualTo(5);
    }

    /** Ports {@code FutureTests.test_done_callback_with_exception}. */
    @Test
    void testDoneCallbackWithException() {
        AtomicReference<Throwable> callbackException = new AtomicReference<>();
        Promise<Integer> f = new Promise<>();
        f.addDoneCallback(cf -> callbackException.set(cf.exception()));

        f.setException(new Exception("test"));

        assertThat(callbackException.get()).hasMessage("test");
    }

    /** Ports {@code FutureTests.test_done_callback_with_cancel}. */
    @Test
    void testDoneCallbackWithCancel() {
        AtomicBoolean wasCancelled = new AtomicBoolean();
        Promise<Integer> f = new Promise<>();
        f.addDoneCallback(cf -> wasCancelled.set(cf.isCancelled()));

        assertThat(f.cancel()).isTrue();

        assertThat(wasCancelled).isTrue();
    }

    /** Ports {@code FutureTests.test_done_callback_raises}. */
    @Test
    void testDoneCallbackRaises() {
        AtomicBoolean raisingWasCalled = new AtomicBoolean();
        AtomicBoolean fnWasCalled = new AtomicBoolean();
        try (FanoutLog log = new FanoutLog()) {
            Promise<Integer> f = new Promise<>();
            f.addDoneCallback(cf -> {
                raisingWasCalled.set(true);
                throw new IllegalStateException("doh!");
            });
            f.addDoneCallback(cf -> fnWasCalled.set(true));

            f.setResult(5);

            assertThat(raisingWasCalled).isTrue();
            assertThat(fnWasCalled).isTrue();
            assertThat(log.callbackErrors())
                    .singleElement()
                    .satisfies(r -> assertThat(r.getThrown()).hasMessage("doh!"));
        }
    }

    /** Ports {@code FutureTests.test_done_callback_already_successful}. */
    @Test
    void testDoneCallbackAlreadySuccessful() {
        AtomicReference<Integer> callbackResult = new AtomicReference<>();
        Promise<Integer> f = new Promise<>();
        f.setResult(5);

        f.addDoneCallback(cf -> callbackResult.set(cf.result()));

        assertThat(callbackResult.get()).isEqualTo(5);
    }

    /** Ports {@code FutureTests.test_done_callback_already_failed}. */
    @Test
    void testDoneCallbackAlreadyFailed() {
        AtomicReference<Throwable> callbackException = new AtomicReference<>();
        Promise<Integer> f = new Promise<>();
        f.setException(new Exception("test"));

        f.addDoneCallback(cf -> callbackException.set(cf.exception()));

        assertThat(callbackException.get()).hasMessage("test");
    }

    /** Ports {@code FutureTests.test_done_callback_already_cancelled}. */
    @Test
    void testDoneCallbackAlreadyCancelled() {
        AtomicBoolean wasCancelled = new AtomicBoolean();
        Promise<Integer> f = new Promise<>();
        assertThat(f.cancel()).isTrue();

        f.addDoneCallback(cf -> wasCancelled.set(cf.isCancelled()));

        assertThat(wasCancelled).isTrue();
    }

    /** Ports {@code FutureTests.test_done_callback_raises_already_succeeded}. */
    @Test
    void testDoneCallbackRaisesAlreadySucceeded() {
        try (FanoutLog log = new FanoutLog()) {
            Promise<Integer> f = new Promise<>();
            // Set the result first to simulate a future that runs instantly, so that the callback runs at once.
            f.setResult(5);

            f.addDoneCallback(cf -> {
                throw new IllegalStateException("doh!");
            });

            assertThat(log.callbackErrors()).singleElement().satisfies(r -> {
                assertThat(r.getMessage()).contains("exception calling callback for");
                assertThat(r.getThrown()).hasMessage("doh!");
            });
        }
    }

    /**
     * Ports {@code FutureTests.test_repr}, against the format {@link Promise#toString()} documents
     * ({@code Future@1b6d3586[finished returned String]}) in place of CPython's {@code <Future at 0x... state=...>}.
     */
    @Test
    void testRepr() {
        assertThat(pending().toString()).matches("Future@[0-9a-f]+\\[pending]");
        assertThat(running().toString()).matches("Future@[0-9a-f]+\\[running]");
        assertThat(cancelled().toString()).matches("Future@[0-9a-f]+\\[cancelled]");
        assertThat(failed(new IOException()).toString()).matches("Future@[0-9a-f]+\\[finished raised IOException]");
        assertThat(succeeded(42).toString()).matches("Future@[0-9a-f]+\\[finished returned Integer]");
    }

    /** Ports {@code FutureTests.test_cancel}; {@code f4} (CANCELLED_AND_NOTIFIED) is one more cancelled future. */
    @Test
    void testCancel() {
        Promise<Integer> f1 = pending();
        Promise<Integer> f2 = running();
        Promise<Integer> f3 = cancelled();
        Promise<Integer> f4 = cancelled();
        Promise<Integer> f5 = failed(new IOException());
        Promise<Integer> f6 = succeeded(5);

        assertThat(f1.cancel()).isTrue();
        assertThat(f1.isCancelled()).isTrue();

        assertThat(f2.cancel()).isFalse();
        assertThat(f2.isRunning()).isTrue();

        assertThat(f3.cancel()).isTrue();
        assertThat(f3.isCancelled()).isTrue();

        assertThat(f4.cancel()).isTrue();
        assertThat(f4.isCancelled()).isTrue();

        assertThat(f5.cancel()).isFalse();
        assertThat(f5.isDone()).isTrue();
        assertThat(f5.isCancelled()).isFalse();

        assertThat(f6.cancel()).isFalse();
        assertThat(f6.isDone()).isTrue();
        assertThat(f6.isCancelled()).isFalse();
    }

    /** Ports {@code FutureTests.test_cancelled}. */
    @Test
    void testCancelled() {
        assertThat(pending().isCancelled()).isFalse();
        assertThat(running().isCancelled()).isFalse();
        assertThat(cancelled().isCancelled()).isTrue();
        assertThat(failed(new IOException()).isCancelled()).isFalse();
        assertThat(succeeded(42).isCancelled()).isFalse();
    }

    /** Ports {@code FutureTests.test_done}. */
    @Test
    void testDone() {
        assertThat(pending().isDone()).isFalse();
        assertThat(running().isDone()).isFalse();
        assertThat(cancelled().isDone()).isTrue();
        assertThat(failed(new IOException()).isDone()).isTrue();
        assertThat(succeeded(42).isDone()).isTrue();
    }

    /** Ports {@code FutureTests.test_running}. */
    @Test
    void testRunning() {
        assertThat(pending().isRunning()).isFalse();
        assertThat(running().isRunning()).isTrue();
        assertThat(cancelled().isRunning()).isFalse();
        assertThat(failed(new IOException()).isRunning()).isFalse();
        assertThat(succeeded(42).isRunning()).isFalse();
    }

    /** Ports {@code FutureTests.test_result_with_timeout}. */
    @Test
    void testResultWithTimeout() {
        assertThatThrownBy(() -> pending().result(Duration.ZERO)).isInstanceOf(FutureTimeoutException.class);
        assertThatThrownBy(() -> running().result(Duration.ZERO)).isInstanceOf(FutureTimeoutException.class);
        assertThatThrownBy(() -> cancelled().result(Duration.ZERO)).isInstanceOf(CancellationException.class);
        // IOException is checked: Fanout's result() wraps it, with the original as the cause.
        assertThatThrownBy(() -> failed(new IOException()).result(Duration.ZERO))
                .hasCauseInstanceOf(IOException.class);
        assertThat(succeeded(42).result(Duration.ZERO)).isEqualTo(42);
    }

    /** Ports {@code FutureTests.test_result_with_success}. */
    @Test
    void testResultWithSuccess() {
        Promise<Integer> f1 = pending();
        Blocked<Integer> main = Blocked.inCall("main", () -> f1.result(Duration.ofSeconds(5)));

        Blocked.start("notification", () -> {
                    f1.setResult(42);
                    return null;
                })
                .join();

        assertThat(main.join().value()).isEqualTo(42);
    }

    /** Ports {@code FutureTests.test_result_with_cancel}. */
    @Test
    void testResultWithCancel() {
        Promise<Integer> f1 = pending();
        Blocked<Integer> main = Blocked.inCall("main", () -> f1.result(FutureFixtures.LONG));

        Blocked.start("notification", f1::cancel).join();

        assertThat(main.join().thrown()).isInstanceOf(CancellationException.class);
    }

    /** Ports {@code FutureTests.test_exception_with_timeout}. */
    @Test
    void testExceptionWithTimeout() {
        assertThatThrownBy(() -> pending().exception(Duration.ZERO)).isInstanceOf(FutureTimeoutException.class);
        assertThatThrownBy(() -> running().exception(Duration.ZERO)).isInstanceOf(FutureTimeoutException.class);
        assertThatThrownBy(() -> cancelled().exception(Duration.ZERO)).isInstanceOf(CancellationException.class);
        assertThat(failed(new IOException()).exception(Duration.ZERO)).isInstanceOf(IOException.class);
        assertThat(succeeded(42).exception(Duration.ZERO)).isNull();
    }

    /**
     * Ports {@code FutureTests.test_exception_with_success}; CPython sets the private state by hand, the port uses
     * {@code setException}.
     */
    @Test
    void testExceptionWithSuccess() {
        Promise<Integer> f1 = pending();
        Blocked<Throwable> main = Blocked.inCall("main", () -> f1.exception(FutureFixtures.LONG));

        Blocked.start("notification", () -> {
                    f1.setException(new IOException());
                    return null;
                })
                .join();

        assertThat(main.join().value()).isInstanceOf(IOException.class);
    }

    /**
     * Ports {@code FutureTests.test_multiple_set_result}. CPython's message names the state and the future's repr;
     * the port checks that it names the future as its {@code toString()} shows it.
     */
    @Test
    void testMultipleSetResult() {
        Promise<Integer> f = pending();
        f.setResult(1);

        assertThatThrownBy(() -> f.setResult(2))
                .isInstanceOf(InvalidStateException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("finished returned Integer");

        assertThat(f.isDone()).isTrue();
        assertThat(f.result()).isEqualTo(1);
    }

    /** Ports {@code FutureTests.test_multiple_set_exception}. */
    @Test
    void testMultipleSetException() {
        Promise<Integer> f = pending();
        IllegalArgumentException e = new IllegalArgumentException();
        f.setException(e);

        assertThatThrownBy(() -> f.setException(new Exception()))
                .isInstanceOf(InvalidStateException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("finished raised IllegalArgumentException");

        assertThat(f.exception()).isSameAs(e);
    }
}
