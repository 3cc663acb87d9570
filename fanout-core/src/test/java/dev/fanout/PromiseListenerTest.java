package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.LogCapture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The internal listeners of {@link Promise} (what {@code wait} and {@code asCompleted} install), white-box. They must
 * not throw; if one does anyway (an {@code Error} out of a queue it adds to, say), the completing thread logs it, as it
 * does a failing callback, and the completion goes on.
 */
class PromiseListenerTest {
    @RegisterExtension
    final LogCapture log = new LogCapture();

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
        assertThat(log.records()).hasSize(1);
        LogRecord record = log.records().get(0);
        assertThat(record.getLevel()).isEqualTo(Level.SEVERE); // System.Logger's ERROR
        assertThat(record.getMessage()).isEqualTo("exception notifying a waiter of " + promise);
        assertThat(record.getThrown()).isSameAs(failure);
    }
}
