package dev.fanout;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The outcome of a task that runs elsewhere: Python's {@code concurrent.futures.Future}, and a
 * {@link java.util.concurrent.Future} too.
 *
 * <p>A future is <em>pending</em> (queued), <em>running</em>, <em>cancelled</em> or <em>finished</em> (with a value or
 * an exception). It moves forward only: pending to running or cancelled, running to finished. Cancelled and finished
 * are the two <em>done</em> states, and a future that is done stays so.
 *
 * <p>Nothing a caller uses to get results declares a checked exception: {@link #result()} rethrows the task's own
 * unchecked exception, wraps a checked one in {@link CompletionException}, and throws
 * {@link CancellationException} and {@link FutureTimeoutException} for cancellation and timeouts.
 *
 * <pre>{@code
 * Future<String> page = pool.submit(() -> download(url));
 * page.addDoneCallback(f -> log.info("downloaded " + url));
 * String body = page.result(Duration.ofSeconds(30));
 * }</pre>
 *
 * @param <T> the type of the result
 */
public interface Future<T> extends java.util.concurrent.Future<T> {

    /**
     * Cancels the task if it has not started. A running or finished task is not touched: this never interrupts.
     * Waiters and callbacks see a cancelled future at once.
     *
     * @return {@code true} if the future is now cancelled (by this call or an earlier one), {@code false} if it is
     *     running or finished
     */
    boolean cancel();

    /**
     * Same as {@link #cancel()}: Fanout never interrupts a running task, so {@code mayInterruptIfRunning} is ignored.
     *
     * @param mayInterruptIfRunning ignored
     * @return as {@link #cancel()}
     */
    @Override
    boolean cancel(boolean mayInterruptIfRunning);

    /**
     * Whether the future was cancelled. A cancelled future is also done.
     *
     * @return {@code true} if cancelled
     */
    @Override
    boolean isCancelled();

    /**
     * Whether the task is running now: started and not finished.
     *
     * @return {@code true} if running
     */
    boolean isRunning();

    /**
     * Whether the future is done: finished (with a value or an exception) or cancelled.
     *
     * @return {@code true} if done
     */
    @Override
    boolean isDone();

    /**
     * Waits as long as it takes for the future to be done and returns its value.
     *
     * @return the value of the task ({@code null} for a void task)
     * @throws CancellationException if the future was cancelled, or if the waiting thread was interrupted (its
     *     interrupt flag is then still set)
     * @throws CompletionException wrapping the task's exception if it was a checked one
     * @throws RuntimeException the very instance the task threw, if it threw an unchecked exception
     * @throws Error the very instance the task threw, if it threw an error
     */
    T result();

    /**
     * Waits at most {@code timeout} for the future to be done and returns its value. {@link Duration#ZERO} does not
     * wait at all.
     *
     * @param timeout how long to wait; not negative
     * @return the value of the task ({@code null} for a void task)
     * @throws FutureTimeoutException if the future is not done in time (the task goes on)
     * @throws CancellationException if the future was cancelled, or if the waiting thread was interrupted
     * @throws CompletionException wrapping the task's exception if it was a checked one
     * @throws RuntimeException the very instance the task threw, if unchecked
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    T result(Duration timeout);

    /**
     * Waits as long as it takes for the future to be done and returns the task's exception as it was thrown
     * (unwrapped), or {@code null} if the task succeeded.
     *
     * @return the exception, or {@code null}
     * @throws CancellationException if the future was cancelled, or if the waiting thread was interrupted
     */
    Throwable exception();

    /**
     * Waits at most {@code timeout} for the future to be done and returns the task's exception as it was thrown, or
     * {@code null} if the task succeeded.
     *
     * @param timeout how long to wait; not negative
     * @return the exception, or {@code null}
     * @throws FutureTimeoutException if the future is not done in time
     * @throws CancellationException if the future was cancelled, or if the waiting thread was interrupted
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    Throwable exception(Duration timeout);

    /**
     * Runs {@code fn}, given this very future, once the future is done (finished or cancelled).
     *
     * <p>Callbacks run in the order they were added, on the thread that completes the future (the worker that ran the
     * task, or the thread that called {@link #cancel()}); a callback added to a future that is already done runs at
     * once on the calling thread. Of the two rules, that one wins when they meet: a callback added just as the future
     * becomes done runs at once on the adding thread, possibly before the completing thread has run the callbacks added
     * earlier (as in CPython); each callback still runs exactly once. An exception thrown by a callback is logged at
     * {@code ERROR} on the logger
     * {@code dev.fanout} and does not stop the callbacks after it. A callback should be quick: it holds up the thread
     * that runs it.
     *
     * @param fn the callback
     * @return this future, to add more callbacks in a chain
     * @throws NullPointerException if {@code fn} is null
     */
    Future<T> addDoneCallback(Consumer<? super Future<T>> fn);

    /**
     * A {@link CompletableFuture} that completes when this future does: with its value, its exception, or cancelled.
     * Cancelling the view cancels this future if its task has not started (a running task is never interrupted, and
     * then the view stays incomplete until the task finishes). Completing the view by hand changes only the view.
     *
     * <p>The view is completed by a callback of this future, so dependent stages added without an executor run on the
     * thread that completes this future.
     *
     * @return a new view of this future
     */
    CompletableFuture<T> toCompletableFuture();
}
