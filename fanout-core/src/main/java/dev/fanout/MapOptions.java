package dev.fanout;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How {@link Executor#map(TaskFunction, Iterable, MapOptions) map} runs: an immutable value, built from
 * {@link #defaults()} with withers that return a new instance.
 *
 * <pre>{@code
 * MapOptions options = MapOptions.defaults().bufferSize(64).chunkSize(100).timeout(Duration.ofMinutes(5));
 * }</pre>
 */
public final class MapOptions {
    private static final MapOptions DEFAULTS = new MapOptions(null, 0, 0, true, null);

    private final Duration timeout; // null: no timeout
    private final int bufferSize; // 0: unbounded, every task submitted at the call
    private final int chunkSize; // 0: not set, which means 1 unless the backend picks its own default
    private final boolean ordered;
    private final ProgressListener progress; // null: none

    private MapOptions(Duration timeout, int bufferSize, int chunkSize, boolean ordered, ProgressListener progress) {
        this.timeout = timeout;
        this.bufferSize = bufferSize;
        this.chunkSize = chunkSize;
        this.ordered = ordered;
        this.progress = progress;
    }

    /**
     * Told how far a map has got: {@code done} items of {@code total}.
     *
     * <p>Called once each time a task completes (finished or cancelled; with chunking, a task is a chunk), and once
     * more when the end of the input is reached. Calls come one at a time, on the thread that completed the task or
     * on the consumer's thread, and {@code done} never goes down. Keep it quick: a slow listener holds up the
     * workers.
     */
    @FunctionalInterface
    public interface ProgressListener {
        /**
         * Reports progress.
         *
         * @param done how many items have completed
         * @param total how many items the input has, or {@code -1} while the map has not reached its end
         */
        void onProgress(long done, long total);
    }

    /**
     * No timeout, no buffer bound (every task is submitted at the call, as Python does), one item per task.
     *
     * @return the default options
     */
    public static MapOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A time limit for the whole map, counted from the {@code map} call. When it passes, the step of the iteration
     * that is waiting throws {@link FutureTimeoutException}, the task it waited for and every remaining task are
     * cancelled (those not started yet), and the iteration ends.
     *
     * @param timeout the time limit; {@link Duration#ZERO} means results that are not ready at once time out
     * @return new options with this timeout
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public MapOptions timeout(Duration timeout) {
        Timeouts.toNanos(timeout);
        return new MapOptions(timeout, bufferSize, chunkSize, ordered, progress);
    }

    /**
     * Bounds how far the map reads ahead of the consumer: the call submits the first {@code bufferSize} tasks, and
     * each result handed out lets one more in. The input is then read lazily, so an endless {@link Iterable} works
     * and memory stays bounded. With {@link #chunkSize(int) chunking} the bound counts tasks, that is chunks.
     *
     * @param bufferSize how many tasks may be submitted and not yet handed out; at least 1
     * @return new options with this bound
     * @throws IllegalArgumentException if {@code bufferSize < 1}
     */
    public MapOptions bufferSize(int bufferSize) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize must be at least 1, got " + bufferSize);
        }
        return new MapOptions(timeout, bufferSize, chunkSize, ordered, progress);
    }

    /**
     * Sends {@code chunkSize} items to a worker as one task, which saves the cost of a task per item when items are
     * small. The caller sees the same results item by item: an item that throws fails only its own step.
     *
     * @param chunkSize how many items go in one task; at least 1 (when not set: 1 on the thread pool, and a larger
     *     default on backends where each task is costly to send, see {@link #isChunkSizeSet()})
     * @return new options with this chunk size
     * @throws IllegalArgumentException if {@code chunkSize < 1}
     */
    public MapOptions chunkSize(int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1, got " + chunkSize);
        }
        return new MapOptions(timeout, bufferSize, chunkSize, ordered, progress);
    }

    /**
     * Whether results come in input order (the default, as Python's {@code map}) or in completion order. Unordered,
     * one slow item does not hold back the results after it; the bound of {@link #bufferSize(int)} and the
     * {@link #timeout(Duration)} work the same way. Within a {@linkplain #chunkSize(int) chunk}, items keep their
     * order.
     *
     * @param ordered {@code false} for completion order
     * @return new options with this ordering
     */
    public MapOptions ordered(boolean ordered) {
        return new MapOptions(timeout, bufferSize, chunkSize, ordered, progress);
    }

    /**
     * Reports the map's progress to {@code listener}, for example to draw a progress bar.
     *
     * @param listener told {@code done} and {@code total} as tasks complete
     * @return new options with this listener
     * @throws NullPointerException if {@code listener} is null
     */
    public MapOptions progress(ProgressListener listener) {
        return new MapOptions(timeout, bufferSize, chunkSize, ordered, Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Whether results come in input order.
     *
     * @return {@code true} for input order (the default), {@code false} for completion order
     */
    public boolean isOrdered() {
        return ordered;
    }

    /**
     * The progress listener, if one was set.
     *
     * @return the listener, or {@code null}
     */
    public ProgressListener progressListener() {
        return progress;
    }

    /**
     * The time limit, if one was set.
     *
     * @return the timeout, or empty for none
     */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /**
     * The read-ahead bound, if one was set.
     *
     * @return the buffer size, or empty when every task is submitted at the call
     */
    public OptionalInt bufferSize() {
        return bufferSize == 0 ? OptionalInt.empty() : OptionalInt.of(bufferSize);
    }

    /**
     * The number of items per task.
     *
     * @return the chunk size, 1 when not chunking
     */
    public int chunkSize() {
        return chunkSize == 0 ? 1 : chunkSize;
    }

    /**
     * Whether {@link #chunkSize(int)} was called. A backend whose tasks are costly to send may pick its own chunk size
     * when it was not (the cluster backend sends several items per task); {@code chunkSize(1)} asks for one item per
     * task on every backend.
     *
     * @return {@code true} if a chunk size was set
     */
    public boolean isChunkSizeSet() {
        return chunkSize != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MapOptions other
                && Objects.equals(timeout, other.timeout)
                && bufferSize == other.bufferSize
                && chunkSize == other.chunkSize
                && ordered == other.ordered
                && Objects.equals(progress, other.progress);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timeout, bufferSize, chunkSize, ordered, progress);
    }

    @Override
    public String toString() {
        return "MapOptions[timeout=" + (timeout == null ? "none" : timeout)
                + ", bufferSize=" + (bufferSize == 0 ? "unbounded" : bufferSize)
                + ", chunkSize=" + (chunkSize == 0 ? "default" : chunkSize)
                + (ordered ? "" : ", unordered")
                + (progress == null ? "" : ", with progress") + "]";
    }
}
