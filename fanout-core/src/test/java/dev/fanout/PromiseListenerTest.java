package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The internal listeners of {@link Promise} (what {@code wait} and {@code asCompleted} install), white-box. They must
 * not throw; if one does anyway (an {@code Error} out of a queue it adds to, say), the completing thread logs it, as it
 * does a failing callback, and the completion goes on.
 */
class PromiseListenerTest {
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Logger fanoutLog = Logger.getLogger("dev.fanout");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureLog() {
        fanoutLog.addHandler(capture);
        fanoutLog.setUseParentHandlers(false); // the failure logged here is expected: keep it off the console
    }

    @AfterEach
    void releaseLog() {
        fanoutLog.removeHandler(capture);
        fanoutLog.setUseParentHandlers(true);
    }

    @Test
    void aListenerThatThrowsIsLoggedAndTheCompletionGoesOn() {
        Promise<String> promise = new Promise<>();
        StackOverflowError failure = new StackOverflowError("listener");
        AtomicReference<Future<?>> told = new AtomicReference<>();
        AtomicReference<Future<String>> calledBack = new AtomicReference<>();
        promise.addListener(f -> {
            throw failure;
        });
        promise.addListener(told::set);
        promise.addDoneCallback(calledBack::set);

        promise.setResult("value");

        assertThat(told.get()).as("the next listener").isSameAs(promise);
        assertThat(calledBack.get()).as("the user's callback").isSameAs(promise);
        assertThat(promise.result()).isEqualTo("value");
        assertThat(logged).hasSize(1);
        LogRecord record = logged.get(0);
        assertThat(record.getLevel()).isEqualTo(Level.SEVERE); // System.Logger's ERROR
        assertThat(record.getMessage()).isEqualTo("exception notifying a waiter of " + promise);
        assertThat(record.getThrown()).isSameAs(failure);
    }
}
