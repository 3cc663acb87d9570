package dev.fanout.proof;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.FutureTimeoutException;
import dev.fanout.InvalidStateException;
import dev.fanout.Promise;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lincheck over {@link Promise}: every concurrent history of {@code cancel}, {@code setRunningOrNotifyCancel},
 * {@code setResult}, {@code setException}, {@code addDoneCallback}, {@code result(Duration.ZERO)} and the state
 * queries must be explainable by one sequential order of the same calls on {@link PromiseSpec}, the state machine of
 * API.md written as plain sequential code. After every run, {@link #everyCallbackRanExactlyOnce()} checks the
 * callbacks: a done future has run each of them exactly once, having seen its final outcome; a pending one none.
 *
 * <p>Model checking explores thread switches at every shared-memory access of the CAS on {@code outcome} and of the
 * Treiber stack of completion nodes; stress mode runs the same scenarios on real threads. Blocking waits are checked
 * by {@link PromiseWaitersLincheckTest}.
 */
@Tag("lincheck")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public class PromiseLincheckTest {
    private final Promise<Integer> promise = new Promise<>();
    private final List<Callback> callbacks = new CopyOnWriteArrayList<>();

    @Operation
    public boolean cancel() {
        return promise.cancel();
    }

    @Operation
    public String setRunningOrNotifyCancel() {
        try {
            return String.valueOf(promise.setRunningOrNotifyCancel());
        } catch (IllegalStateException e) {
            return "IllegalStateException";
        }
    }

    @Operation
    public String setResult(@Param(name = "value") int value) {
        try {
            promise.setResult(value);
            return "ok";
        } catch (InvalidStateException e) {
            return "InvalidStateException";
        }
    }

    @Operation
    public String setException() {
        try {
            promise.setException(new ArithmeticException("boom"));
            return "ok";
        } catch (InvalidStateException e) {
            return "InvalidStateException";
        }
    }

    /** Returns whether the callback ran at once on the calling thread: exactly when the future was already done. */
    @Operation
    public boolean addDoneCallback() {
        Callback callback = new Callback(Thread.currentThread());
        callbacks.add(callback);
        promise.addDoneCallback(callback::run);
        return callback.ranOnAdder;
    }

    @Operation
    public String result() {
        return describe(promise);
    }

    @Operation
    public boolean isDone() {
        return promise.isDone();
    }

    @Operation
    public boolean isRunning() {
        return promise.isRunning();
    }

    @Operation
    public boolean isCancelled() {
        return promise.isCancelled();
    }

    @Validate
    public void everyCallbackRanExactlyOnce() {
        boolean done = promise.isDone();
        String outcome = describe(promise);
        for (Callback c : callbacks) {
            if (done) {
                if (c.calls.get() != 1) {
                    throw new AssertionError("callback ran " + c.calls.get() + " times on a done future: " + promise);
                }
                if (!outcome.equals(c.seen)) {
                    throw new AssertionError("callback saw " + c.seen + " but the outcome is " + outcome);
                }
            } else if (c.calls.get() != 0) {
                throw new AssertionError("callback ran on a future that is not done: " + promise);
            }
        }
    }

    /** What {@code result(Duration.ZERO)} says, as a comparable string. */
    static String describe(Promise<Integer> p) {
        try {
            return "value " + p.result(Duration.ZERO);
        } catch (FutureTimeoutException e) {
            return "not done";
        } catch (CancellationException e) {
            return "cancelled";
        } catch (ArithmeticException e) {
            return "raised " + e.getMessage();
        }
    }

    private final class Callback {
        final Thread adder;
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean ranOnAdder;
        volatile String seen;

        Callback(Thread adder) {
            this.adder = adder;
        }

        void run(dev.fanout.Future<Integer> f) {
            if (f != promise || !f.isDone()) {
                throw new AssertionError("callback given " + f);
            }
            seen = describe(promise);
            if (Thread.currentThread() == adder) {
                ranOnAdder = true;
            }
            calls.incrementAndGet();
        }
    }

    @Test
    @Timeout(600)
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(Scale.times(LincheckRuns.MODEL_ITERATIONS))
                .invocationsPerIteration(LincheckRuns.MODEL_INVOCATIONS)
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(PromiseSpec.class)
                .check(getClass());
        LincheckRuns.record(
                "Promise model checking", Scale.times(LincheckRuns.MODEL_ITERATIONS), LincheckRuns.MODEL_INVOCATIONS);
    }

    @Test
    @Timeout(600)
    void stress() {
        new StressOptions()
                .iterations(Scale.times(LincheckRuns.STRESS_ITERATIONS))
                .invocationsPerIteration(LincheckRuns.STRESS_INVOCATIONS)
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(PromiseSpec.class)
                .check(getClass());
        LincheckRuns.record(
                "Promise stress", Scale.times(LincheckRuns.STRESS_ITERATIONS), LincheckRuns.STRESS_INVOCATIONS);
    }

    @Test
    void theSpecificationAgreesWithItselfOnASimpleHistory() {
        PromiseSpec spec = new PromiseSpec();
        assertThat(spec.addDoneCallback()).isFalse();
        assertThat(spec.setRunningOrNotifyCancel()).isEqualTo("true");
        assertThat(spec.cancel()).isFalse();
        assertThat(spec.setResult(2)).isEqualTo("ok");
        assertThat(spec.setException()).isEqualTo("InvalidStateException");
        assertThat(spec.result()).isEqualTo("value 2");
        assertThat(spec.addDoneCallback()).isTrue();
    }
}
