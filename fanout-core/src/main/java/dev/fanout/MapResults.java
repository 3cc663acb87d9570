package dev.fanout;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The results of a {@link Executor#map map}, in input order: iterate them once, with a for-each loop, an
 * {@link #iterator()} or a {@link #stream()}.
 *
 * <p>Each step of the iteration blocks until that item's task is done, then returns its result or throws its
 * exception as {@link Future#result()} does; after a step that threw, the iteration may go on with the next item.
 * Results are not kept once handed out. {@link #close()} cancels every task not started yet and ends the iteration:
 * use try-with-resources to stop a map early without leaving work behind.
 *
 * <pre>{@code
 * try (MapResults<String> pages = pool.map(url -> download(url), urls)) {
 *     for (String page : pages) {
 *         if (found(page)) break; // close() cancels the downloads not started yet
 *     }
 * }
 * }</pre>
 *
 * @param <R> the type of the results
 */
public interface MapResults<R> extends Iterable<R>, AutoCloseable {

    /**
     * The iterator over the results. Its {@code next()} blocks until the next result in input order is ready.
     *
     * @return the iterator
     * @throws IllegalStateException if the results were iterated already
     */
    @Override
    Iterator<R> iterator();

    /**
     * The results as a sequential, ordered {@link Stream}; closing the stream closes these results.
     *
     * @return the stream
     * @throws IllegalStateException if the results were iterated already
     */
    Stream<R> stream();

    /**
     * Collects every result into a list, in input order, then closes. Throws at the first item whose task failed,
     * after cancelling the tasks not started yet.
     *
     * @return the results
     * @throws IllegalStateException if the results were iterated already
     */
    default List<R> toList() {
        try (MapResults<R> self = this) {
            List<R> all = new ArrayList<>();
            self.iterator().forEachRemaining(all::add);
            return all;
        }
    }

    /**
     * Cancels every task not started yet and ends the iteration. Tasks already running finish on their own. Does not
     * block; safe to call more than once and from another thread.
     *
     * <p>A consumer blocked in {@code next()} when another thread closes: in input order, it gets its result if the
     * task it waits for was already running, or a {@link java.util.concurrent.CancellationException} if not; in
     * completion order, it gets a {@code CancellationException} at once. Either way {@code hasNext()} is then false.
     * So does a consumer's {@code next()} after {@code hasNext()} said true, when another thread closed in between.
     * After a close on the consumer's own thread, {@code next()} throws {@code NoSuchElementException}.
     */
    @Override
    void close();
}
