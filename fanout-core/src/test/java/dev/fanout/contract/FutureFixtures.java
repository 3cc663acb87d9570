package dev.fanout.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fanout.Future;
import dev.fanout.Promise;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.awaitility.core.ConditionFactory;

/**
 * What the contract tests of futures, {@code wait} and {@code asCompleted} share: futures in each state, a thread
 * blocked in one call, a capture of Fanout's log, and a {@link Future} that is not a {@link Promise}.
 */
final class FutureFixtures {
    /** A wait that must not run out in a passing test; only a broken implementation reaches it. */
    static final Duration LONG = Duration.ofSeconds(30);

    /** A wait that is meant to run out. */
    static final Duration SHORT = Duration.ofMillis(50);

    private FutureFixtures() {}

    /** Awaitility, polling often: the conditions here turn true within microseconds of the event. */
    static ConditionFactory eventually() {
        return await().atMost(LONG).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
    }

    static <T> Promise<T> pending() {
        return new Promise<>();
    }

    static <T> Promise<T> running() {
        Promise<T> p = new Promise<>();
        assertThat(p.setRunningOrNotifyCancel()).isTrue();
        return p;
    }

    static <T> Promise<T> cancelled() {
        Promise<T> p = new Promise<>();
        assertThat(p.cancel()).isTrue();
        return p;
    }

    static <T> Promise<T> succeeded(T value) {
        Promise<T> p = running();
        p.setResult(value);
        return p;
    }

    static <T> Promise<T> failed(Throwable exception) {
        Promise<T> p = running();
        p.setException(exception);
        return p;
    }

    /** The futures of {@code fs} compared by identity, since "the very objects passed in" is what the API promises. */
    static Set<Object> identities(Collection<?> fs) {
        Set<Object> set = Collections.newSetFromMap(new IdentityHashMap<>());
        set.addAll(fs);
        return set;
    }

    static Set<Object> identities(Object... fs) {
        return identities(List.of(fs));
    }

    /** Where the futures handed to {@code wait} and {@code asCompleted} come from. */
    enum Flavour {
        /** Fanout's own future, which {@code wait} and {@code asCompleted} watch through internal listeners. */
        PROMISE,
        /** Another implementation of {@link Future}, which they can watch only through its done-callbacks. */
        FOREIGN;

        <T> Future<T> of(Promise<T> promise) {
            return this == PROMISE ? promise : new ForeignFuture<>(promise);
        }
    }

    /**
     * A {@link Future} implemented outside Fanout, as a user or another backend may write one: it delegates to a
     * promise but is not one, and hands itself (not the promise) to its callbacks.
     */
    static final class ForeignFuture<T> implements Future<T> {
        private final Promise<T> delegate;

        ForeignFuture(Promise<T> delegate) {
            this.delegate = delegate;
        }

        @Override
        public boolean cancel() {
            return delegate.cancel();
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return delegate.cancel(mayInterruptIfRunning);
        }

        @Override
        public boolean isCancelled() {
            return delegate.isCancelled();
        }

        @Override
        public boolean isRunning() {
            return delegate.isRunning();
        }

        @Override
        public boolean isDone() {
            return delegate.isDone();
        }

        @Override
        public T result() {
            return delegate.result();
        }

        @Override
        public T result(Duration timeout) {
            return delegate.result(timeout);
        }

        @Override
        public Throwable exception() {
            return delegate.exception();
        }

        @Override
        public Throwable exception(Duration timeout) {
            return delegate.exception(timeout);
        }

        @Override
        public Future<T> addDoneCallback(Consumer<? super Future<T>> fn) {
            delegate.addDoneCallback(done -> fn.accept(this));
            return this;
        }

        @Override
        public CompletableFuture<T> toCompletableFuture() {
            return delegate.toCompletableFuture();
        }

        @Override
        public T get() throws InterruptedException, ExecutionException {
            return delegate.get();
        }

        @Override
        public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            return delegate.get(timeout, unit);
        }

        @Override
        public String toString() {
            return "Foreign" + delegate;
        }
    }

    /**
     * A daemon thread making one call that may block, and what came of it: the value, the exception, and whether the
     * thread's interrupt flag was set when the call returned.
     */
    static final class Blocked<R> {
        private final Thread thread;
        private final CountDownLatch ended = new CountDownLatch(1);
        private volatile R value;
        private volatile Throwable thrown;
        private volatile boolean interruptFlagAfterCall;

        private Blocked(String name, Callable<R> call) {
            thread = new Thread(
                    () -> {
                        try {
                            value = call.call();
                        } catch (Throwable t) {
                            thrown = t;
                        } finally {
                            interruptFlagAfterCall = Thread.currentThread().isInterrupted();
                            ended.countDown();
                        }
                    },
                    name);
            thread.setDaemon(true); // a broken test must not keep the JVM alive
        }

        /** Starts {@code call} on a new thread and returns once that thread is parked, waiting inside the call. */
        static <R> Blocked<R> inCall(String name, Callable<R> call) {
            Blocked<R> b = new Blocked<>(name, call);
            b.thread.start();
            b.awaitParked();
            return b;
        }

        /** Starts {@code call} on a new thread and returns at once. */
        static <R> Blocked<R> start(String name, Callable<R> call) {
            Blocked<R> b = new Blocked<>(name, call);
            b.thread.start();
            return b;
        }

        void awaitParked() {
            eventually().until(() -> {
                assertThat(ended.getCount())
                        .as("%s returned (%s / %s) instead of blocking", thread.getName(), value, thrown)
                        .isEqualTo(1);
                Thread.State s = thread.getState();
                return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
            });
        }

        /** Asserts that the call stays blocked for a little while (it has nothing to return yet). */
        void assertStillBlocked() {
            assertThat(join(SHORT))
                    .as("%s returned early: %s / %s", thread.getName(), value, thrown)
                    .isFalse();
        }

        Thread thread() {
            return thread;
        }

        Blocked<R> interrupt() {
            thread.interrupt();
            return this;
        }

        /** Waits for the call to return, failing the test if it does not within {@link #LONG}. */
        Blocked<R> join() {
            assertThat(join(LONG)).as("%s is still blocked", thread.getName()).isTrue();
            return this;
        }

        /** Waits at most {@code seconds} for the call to return, and says whether it did. */
        boolean joined(long seconds) {
            return join(Duration.ofSeconds(seconds));
        }

        private boolean join(Duration d) {
            try {
                return ended.await(d.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        R value() {
            assertThat(thrown).as("what %s threw", thread.getName()).isNull();
            return value;
        }

        Throwable thrown() {
            return thrown;
        }

        boolean interruptFlagAfterCall() {
            return interruptFlagAfterCall;
        }
    }

    /**
     * Captures what Fanout logs on the logger {@code dev.fanout}. The JDK's {@link System.Logger} goes to
     * java.util.logging unless another backend is installed, so a handler there sees every record. Close it (in a
     * try-with-resources) to take the handler off again.
     */
    static final class FanoutLog implements AutoCloseable {
        private final Logger logger = Logger.getLogger("dev.fanout"); // held strongly: JUL keeps loggers weakly
        private final boolean parentHandlers = logger.getUseParentHandlers();
        private final List<LogRecord> records = new CopyOnWriteArrayList<>();
        private final Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };

        FanoutLog() {
            handler.setLevel(Level.ALL);
            logger.addHandler(handler);
            logger.setUseParentHandlers(false); // the expected stack traces need not clutter the build's output
        }

        List<LogRecord> records() {
            return records;
        }

        /** The records logged at ERROR ({@code SEVERE} in java.util.logging) about a failing callback. */
        List<LogRecord> callbackErrors() {
            return records.stream()
                    .filter(r -> r.getLevel() == Level.SEVERE)
                    .filter(r -> r.getMessage() != null && r.getMessage().contains("exception calling callback for"))
                    .toList();
        }

        @Override
        public void close() {
            logger.removeHandler(handler);
            logger.setUseParentHandlers(parentHandlers);
        }
    }
}
