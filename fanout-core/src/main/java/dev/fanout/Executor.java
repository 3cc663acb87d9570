package dev.fanout;

import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Stream;

/**
 * Python's {@code concurrent.futures.Executor}: runs tasks and hands back {@link Future}s. Every backend implements
 * it: the local {@link ThreadPool} and the cluster executor alike.
 *
 * <p>It is {@link AutoCloseable}: {@code close()} waits for every task to finish, so a try-with-resources block is
 * the "submit and wait for all" pattern.
 *
 * <pre>{@code
 * try (Executor pool = new ThreadPool(10)) {
 *     for (String result : pool.map(name -> task(name), names)) {
 *         System.out.println(result);
 *     }
 * }
 * }</pre>
 */
public interface Executor extends java.util.concurrent.Executor, AutoCloseable {

    /**
     * Schedules {@code task} and returns its future at once. A lambda that returns a value picks this overload.
     *
     * @param task the task
     * @param <T> the type of its result
     * @return the task's future
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedExecutionException if the executor is shut down
     * @throws BrokenExecutorException if the executor is broken
     */
    <T> Future<T> submit(Task<T> task);

    /**
     * Schedules a task that returns nothing and returns its future at once; the future's result is {@code null}.
     *
     * @param task the task
     * @return the task's future
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedExecutionException if the executor is shut down
     * @throws BrokenExecutorException if the executor is broken
     */
    default Future<Void> submit(VoidTask task) {
        Objects.requireNonNull(task, "task");
        return submit(() -> {
            task.run();
            return null;
        });
    }

    /**
     * Schedules a plain {@link Callable} object. A lambda picks {@link #submit(Task)} instead.
     *
     * @param task the task
     * @param <T> the type of its result
     * @return the task's future
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedExecutionException if the executor is shut down
     * @throws BrokenExecutorException if the executor is broken
     */
    default <T> Future<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        if (task instanceof Task<T> t) {
            return submit(t);
        }
        return submit((Task<T>) task::call);
    }

    /**
     * Runs {@code command} as a task whose future nobody holds, for code that expects a
     * {@link java.util.concurrent.Executor}. An exception it throws goes to the worker thread's uncaught exception
     * handler, so it is not lost silently.
     *
     * @param command the command
     * @throws NullPointerException if {@code command} is null
     * @throws RejectedExecutionException if the executor is shut down
     */
    @Override
    default void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        submit((Task<Void>) () -> {
            try {
                command.run();
            } catch (RuntimeException | Error e) {
                Thread current = Thread.currentThread();
                current.getUncaughtExceptionHandler().uncaughtException(current, e);
                throw e;
            }
            return null;
        });
    }

    /**
     * Python's {@code Executor.map}: applies {@code fn} to every item concurrently and gives the results in input
     * order. Every task is submitted at this call, before the first result is read, so they run even if the results
     * are never iterated. For a huge or endless input, bound it with {@link MapOptions#bufferSize(int)}.
     *
     * @param fn the function, applied to each item in a task of its own
     * @param items the input; read completely by this call
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @return the results in input order
     * @throws NullPointerException if an argument is null (null items are passed to {@code fn})
     * @throws RejectedExecutionException if the executor is shut down
     */
    default <T, R> MapResults<R> map(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
        return map(fn, items, MapOptions.defaults());
    }

    /**
     * Python's {@code Executor.map} with options: a {@linkplain MapOptions#timeout(java.time.Duration) timeout}
     * counted from this call, a {@linkplain MapOptions#bufferSize(int) bound} on how far the input is read ahead of
     * the consumer, and {@linkplain MapOptions#chunkSize(int) chunking}.
     *
     * @param fn the function, applied to each item
     * @param items the input
     * @param options how to run the map
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @return the results in input order
     * @throws NullPointerException if an argument is null (null items are passed to {@code fn})
     * @throws RejectedExecutionException if the executor is shut down
     */
    default <T, R> MapResults<R> map(
            TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items, MapOptions options) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(options, "options");
        return new MapRun<T, R>(this, fn, items.iterator(), options).start();
    }

    /**
     * {@link #map(TaskFunction, Iterable, MapOptions) map} over a {@link Stream}, read lazily when
     * {@linkplain MapOptions#bufferSize(int) bounded}. The stream stays the caller's to close.
     *
     * @param fn the function, applied to each item
     * @param items the input
     * @param options how to run the map
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @return the results, in input order unless {@linkplain MapOptions#ordered(boolean) unordered}
     * @throws NullPointerException if an argument is null
     * @throws RejectedExecutionException if the executor is shut down
     */
    default <T, R> MapResults<R> map(
            TaskFunction<? super T, ? extends R> fn, Stream<? extends T> items, MapOptions options) {
        Objects.requireNonNull(items, "items");
        return map(fn, iterable(items.iterator()), options);
    }

    /**
     * {@link #map(TaskFunction, Iterable, MapOptions) map} over an {@link Iterator}, read lazily when
     * {@linkplain MapOptions#bufferSize(int) bounded}.
     *
     * @param fn the function, applied to each item
     * @param items the input
     * @param options how to run the map
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @return the results, in input order unless {@linkplain MapOptions#ordered(boolean) unordered}
     * @throws NullPointerException if an argument is null
     * @throws RejectedExecutionException if the executor is shut down
     */
    default <T, R> MapResults<R> map(
            TaskFunction<? super T, ? extends R> fn, Iterator<? extends T> items, MapOptions options) {
        Objects.requireNonNull(items, "items");
        return map(fn, iterable(items), options);
    }

    /**
     * Like {@link #map(TaskFunction, Iterable)}, but hands out results in completion order, so one slow item does not
     * hold back the others: {@code map(fn, items, MapOptions.defaults().ordered(false))}.
     *
     * @param fn the function, applied to each item
     * @param items the input; read completely by this call
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @return the results in completion order
     * @throws NullPointerException if an argument is null
     * @throws RejectedExecutionException if the executor is shut down
     */
    default <T, R> MapResults<R> mapUnordered(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
        return map(fn, items, MapOptions.defaults().ordered(false));
    }

    /**
     * Like {@link #map(TaskFunction, Iterable, MapOptions)}, but hands out results in completion order, whatever
     * {@code options} say about ordering.
     *
     * @param fn the function, applied to each item
     * @param items the input
     * @param options how to run the map
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @return the results in completion order
     * @throws NullPointerException if an argument is null
     * @throws RejectedExecutionException if the executor is shut down
     */
    default <T, R> MapResults<R> mapUnordered(
            TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items, MapOptions options) {
        Objects.requireNonNull(options, "options");
        return map(fn, items, options.ordered(false));
    }

    /** A one-shot Iterable over an iterator, for the Stream and Iterator overloads of map. */
    private static <T> Iterable<T> iterable(Iterator<T> iterator) {
        return () -> iterator;
    }

    /**
     * Python's {@code Executor.map} over two inputs: applies {@code fn} to pairs of items taken in step, stopping at
     * the end of the shorter input (at most one item past the end of the longer one is looked at, so an endless
     * second input is fine). Results come in input order.
     *
     * @param fn the function, applied to each pair
     * @param as the first input
     * @param bs the second input
     * @param <A> the type of the first input's items
     * @param <B> the type of the second input's items
     * @param <R> the type of the results
     * @return the results in input order
     * @throws NullPointerException if an argument is null
     * @throws RejectedExecutionException if the executor is shut down
     */
    default <A, B, R> MapResults<R> map(
            TaskBiFunction<? super A, ? super B, ? extends R> fn, Iterable<? extends A> as, Iterable<? extends B> bs) {
        return map(fn, as, bs, MapOptions.defaults());
    }

    /**
     * Python's {@code Executor.map} over two inputs, with options.
     *
     * @param fn the function, applied to each pair
     * @param as the first input
     * @param bs the second input
     * @param options how to run the map
     * @param <A> the type of the first input's items
     * @param <B> the type of the second input's items
     * @param <R> the type of the results
     * @return the results in input order
     * @throws NullPointerException if an argument is null
     * @throws RejectedExecutionException if the executor is shut down
     */
    default <A, B, R> MapResults<R> map(
            TaskBiFunction<? super A, ? super B, ? extends R> fn,
            Iterable<? extends A> as,
            Iterable<? extends B> bs,
            MapOptions options) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(as, "as");
        Objects.requireNonNull(bs, "bs");
        Objects.requireNonNull(options, "options");
        TaskFunction<MapRun.Pair<A, B>, R> onPair = pair -> fn.apply(pair.a(), pair.b());
        return new MapRun<MapRun.Pair<A, B>, R>(this, onPair, MapRun.zip(as.iterator(), bs.iterator()), options)
                .start();
    }

    /** Same as {@code shutdown(true, false)}: no new tasks, and wait until every task has finished. */
    default void shutdown() {
        shutdown(true, false);
    }

    /**
     * Stops taking tasks: every later {@code submit} throws {@link RejectedExecutionException}. Running tasks are
     * never interrupted. Safe to call more than once, and from a task (which is then not waited for).
     *
     * @param wait whether to block until every task that was submitted and not cancelled has finished
     * @param cancelFutures whether to cancel every task not yet started, before this call returns
     */
    void shutdown(boolean wait, boolean cancelFutures);

    /**
     * Whether {@link #shutdown(boolean, boolean)} has been called.
     *
     * @return {@code true} once shut down
     */
    boolean isShutdown();

    /** Same as {@code shutdown(true, false)}: waits for every task to finish. */
    @Override
    default void close() {
        shutdown(true, false);
    }
}
