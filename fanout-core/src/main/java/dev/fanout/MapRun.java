package dev.fanout;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * One call of {@link Executor#map}: submits the tasks (all at once, or {@code bufferSize} ahead of the consumer) and
 * hands out their results, in input order or, {@linkplain MapOptions#ordered(boolean) unordered}, in completion
 * order.
 *
 * <p>Threads: one consumer iterates; {@link #close()} may come from any thread; completion callbacks (unordered
 * hand-off, progress) run on the threads that complete the tasks. The futures not yet handed out and the flags are
 * guarded by {@code this}; the consumer never waits on a future, reads the input or submits while holding it, so
 * {@code close()} never blocks on a task, on a lazy input or on a full queue. States: OPEN -> ENDED (everything handed out, timed out, closed, or the input threw); ENDED is final.
 *
 * @param <X> the type of the items (a Pair for two inputs)
 * @param <R> the type of the results
 */
final class MapRun<X, R> implements MapResults<R>, Iterator<R> {
    private final TaskFunction<? super X, ? extends R> fn;
    private final int chunkSize;
    private final int bufferSize; // 0: every task submitted at the call
    private final boolean ordered;
    private final boolean timed;
    private final long deadline;
    private final MapOptions.ProgressListener progress;

    // guarded by this
    /**
     * Null once nothing more will be submitted (input exhausted, or ended): the results must not keep an abandoned
     * pool reachable, so that its cleaner can shut it down (CPython's map holds the executor by a weak reference).
     */
    private volatile Executor executor;

    private volatile Iterator<? extends X> input; // null once exhausted; read by the consumer without this
    private final ArrayDeque<Future<?>> inOrder = new ArrayDeque<>(); // ordered: not yet handed out, input order
    private final Set<Future<?>> inFlight; // unordered: not yet handed out
    /** Ordered: the future the consumer is waiting for; close() cancels it with the rest. Set under this. */
    private volatile Future<?> awaited;

    private volatile boolean ended; // written under this; read without it by the consumer's chunk fast path
    private boolean iterated;
    /**
     * The id of the thread whose close() came while results were left: a next() on another thread then throws
     * CancellationException, not NoSuchElementException. An id, not the Thread, so as not to keep a worker reachable.
     */
    private long closedEarlyBy = NOT_CLOSED_EARLY;

    private static final long NOT_CLOSED_EARLY = -1L;

    private long submittedItems;
    private boolean exhaustionUnreported;
    /** Futures whose progress callback is still to be added, once this lock is let go. */
    private List<Watched> progressToWatch;

    /** The progress listener is called under this lock only, never under {@code this}, so it may call close(). */
    private final Object progressLock = new Object();
    // guarded by progressLock
    private long doneItems;
    private volatile long totalItems = -1L;

    /** Unordered: put in {@link #completed} by close(), which ends the consumer's wait. */
    private static final Future<?> CLOSED = new Promise<>();

    /** Unordered: futures in the order they completed, fed by their callbacks. */
    private final LinkedBlockingQueue<Future<?>> completed;

    // touched by the consumer thread only
    private Object[] chunk; // outcomes of the chunk being handed out; slots cleared once handed out
    private int chunkIndex;

    MapRun(Executor executor, TaskFunction<? super X, ? extends R> fn, Iterator<? extends X> input, MapOptions o) {
        this.executor = executor;
        this.fn = fn;
        this.input = input;
        this.chunkSize = o.chunkSize();
        this.bufferSize = o.bufferSize().orElse(0);
        this.ordered = o.isOrdered();
        this.timed = o.timeout().isPresent();
        this.deadline = timed ? System.nanoTime() + Timeouts.toNanos(o.timeout().get()) : 0L;
        this.progress = o.progressListener();
        this.inFlight = ordered ? null : Collections.newSetFromMap(new IdentityHashMap<>());
        this.completed = ordered ? null : new LinkedBlockingQueue<>();
        this.progressToWatch = progress == null ? null : new ArrayList<>();
    }

    /** How many tasks the consumer submits before it registers them under the lock, when it submits several. */
    private static final int BATCH = 64;

    /** Submits the first tasks: all of them, or the first bufferSize. */
    MapRun<X, R> start() {
        try {
            long left = bufferSize == 0 ? Long.MAX_VALUE : bufferSize;
            for (int n; left > 0 && (n = submit((int) Math.min(BATCH, left))) > 0; ) {
                left -= n;
            }
        } catch (RuntimeException | Error e) {
            close(); // nobody can reach the tasks submitted so far: do not leave them running
            throw e;
        }
        watchProgress();
        return this;
    }

    /**
     * Reads up to {@code max} items (or chunks) and submits their tasks, then registers them under this lock, once
     * for the batch; returns how many, 0 once the input is exhausted or the map has ended. Consumer thread only, and
     * without holding this while reading or submitting: both can block (a lazy input, a pool's full queue), and
     * close() from another thread must not wait for them. Tasks submitted as the map ends are cancelled here.
     */
    private int submit(int max) {
        Iterator<? extends X> in = input;
        Executor ex = executor;
        if (ended || in == null) {
            return 0;
        }
        Future<?>[] batch = new Future<?>[max];
        int[] sizes = progress == null && chunkSize == 1 ? null : new int[max]; // null: one item each
        int n = 0;
        boolean exhausted = false;
        try {
            while (n < max) {
                if (!in.hasNext()) {
                    exhausted = true;
                    break;
                }
                Future<?> future;
                int items;
                if (chunkSize == 1) {
                    X item = in.next();
                    TaskFunction<? super X, ? extends R> f = fn;
                    future = ex.submit((Task<R>) () -> f.apply(item));
                    items = 1;
                } else {
                    ArrayList<X> chunkItems = new ArrayList<>(chunkSize);
                    do {
                        chunkItems.add(in.next());
                    } while (chunkItems.size() < chunkSize && in.hasNext());
                    future = ex.submit(new ChunkTask<>(fn, chunkItems));
                    items = chunkItems.size();
                }
                if (sizes != null) {
                    sizes[n] = items;
                }
                batch[n++] = future;
            }
        } finally {
            register(batch, sizes, n, exhausted); // also when the input or submit threw: close() then cancels them
        }
        return n;
    }

    /** Registers a batch of submitted tasks, or cancels them if the map has ended meanwhile. */
    private void register(Future<?>[] batch, int[] sizes, int n, boolean exhausted) {
        synchronized (this) {
            if (!ended) {
                for (int i = 0; i < n; i++) {
                    Future<?> future = batch[i];
                    int items = sizes == null ? 1 : sizes[i];
                    submittedItems += items;
                    if (ordered) {
                        inOrder.addLast(future);
                    } else {
                        inFlight.add(future);
                        // May run at once on this thread; only adds to a queue, so it is fine under this lock.
                        future.addDoneCallback(completed::add);
                    }
                    if (progress != null) {
                        progressToWatch.add(new Watched(future, items)); // added once the caller has let go of this
                    }
                }
                if (exhausted) {
                    input = null;
                    totalItems = submittedItems;
                    executor = null;
                    exhaustionUnreported = true; // reported by the caller once it has let go of this
                }
                return;
            }
        }
        for (int i = 0; i < n; i++) {
            batch[i].cancel(); // the map ended (closed, timed out) while these were being submitted
        }
    }

    /**
     * Adds the progress callbacks of the tasks just submitted, and reports the end of the input once its total is
     * known (even if no task completes after that). Called without holding this, since callbacks of tasks already
     * done run at once on this thread.
     */
    private void watchProgress() {
        if (progress == null) {
            return;
        }
        List<Watched> fresh;
        boolean exhausted;
        synchronized (this) {
            fresh = progressToWatch;
            progressToWatch = new ArrayList<>();
            exhausted = exhaustionUnreported;
            exhaustionUnreported = false;
        }
        for (Watched w : fresh) {
            w.future().addDoneCallback(done -> reportProgress(w.items()));
        }
        if (exhausted) {
            reportProgress(0);
        }
    }

    /** A submitted task and how many items it holds, for progress. */
    private record Watched(Future<?> future, int items) {}

    /** Adds {@code items} done and calls the listener, one call at a time so that it sees {@code done} grow. */
    private void reportProgress(int items) {
        synchronized (progressLock) {
            doneItems += items;
            long total = totalItems;
            progress.onProgress(doneItems, total);
        }
    }

    @Override
    public synchronized Iterator<R> iterator() {
        if (iterated) {
            throw new IllegalStateException("map results can be iterated only once");
        }
        iterated = true;
        return this;
    }

    @Override
    public Stream<R> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED), false)
                .onClose(this::close);
    }

    @Override
    public boolean hasNext() {
        if (hasChunkLeft()) {
            return true;
        }
        synchronized (this) {
            return !ended && !(ordered ? inOrder.isEmpty() : inFlight.isEmpty());
        }
    }

    @Override
    public R next() {
        if (hasChunkLeft()) {
            return fromChunk();
        }
        Future<?> head = null;
        synchronized (this) {
            if (!hasNext()) {
                // Closed by another thread between this consumer's hasNext() and next(): as for a consumer already
                // waiting in next(), the close cuts the step short. After its own close, the iteration is just over.
                throw closedEarlyBy != NOT_CLOSED_EARLY
                                && closedEarlyBy != Thread.currentThread().getId()
                        ? new CancellationException("the map results were closed by another thread")
                        : new NoSuchElementException();
            }
            if (ordered) {
                head = inOrder.pollFirst();
                awaited = head;
            }
        }
        if (bufferSize > 0) {
            try {
                submit(1); // one result handed out lets one more task in
            } catch (RuntimeException | Error e) {
                if (head != null) {
                    head.cancel();
                }
                endAndCancel();
                throw e;
            }
        }
        watchProgress();
        Object outcome;
        if (ordered) {
            try {
                outcome = awaitOrCancelAll(head);
            } finally {
                awaited = null; // results are not kept once handed out
            }
        } else {
            outcome = nextCompleted();
        }
        if (chunkSize == 1) {
            @SuppressWarnings("unchecked")
            R result = (R) outcome;
            return result;
        }
        chunk = (Object[]) outcome;
        chunkIndex = 0;
        return fromChunk();
    }

    /**
     * Ordered: the head's result; on timeout, cancels it and every remaining task and ends the iteration. The wait goes
     * through exception(timeout), which reports the task's own exception instead of throwing it: a
     * FutureTimeoutException the task threw must fail only its step, not pass for the map's time limit.
     */
    private Object awaitOrCancelAll(Future<?> head) {
        if (!timed) {
            return head.result();
        }
        try {
            head.exception(Duration.ofNanos(Math.max(0L, deadline - System.nanoTime())));
        } catch (FutureTimeoutException e) {
            head.cancel();
            endAndCancel();
            throw e;
        }
        return head.result(); // done by now: the value, or the task's exception rethrown
    }

    /** Unordered: the result of whichever task completes first; on timeout, cancels every remaining task. */
    private Object nextCompleted() {
        Future<?> done;
        try {
            done = timed
                    ? completed.poll(Math.max(0L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                    : completed.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancellationException c = new CancellationException("interrupted while waiting for map results");
            c.initCause(e);
            throw c;
        }
        if (done == CLOSED) {
            completed.add(CLOSED); // for any later call
            throw new CancellationException("the map results were closed");
        }
        int left;
        synchronized (this) {
            if (done != null) {
                inFlight.remove(done);
            }
            left = inFlight.size();
        }
        if (done == null) {
            endAndCancel();
            throw new FutureTimeoutException("map timed out with " + left + " tasks unfinished");
        }
        return done.result(Duration.ZERO);
    }

    /**
     * Whether items of the chunk being handed out are left. Once the iteration has ended (close() may come from any
     * thread) they are dropped: the iteration ends there, chunk or not. Consumer thread only.
     */
    private boolean hasChunkLeft() {
        if (chunk == null) {
            return false;
        }
        if (ended) {
            chunk = null;
            return false;
        }
        return chunkIndex < chunk.length;
    }

    private R fromChunk() {
        Object outcome = chunk[chunkIndex];
        chunk[chunkIndex++] = null; // results are not kept once handed out
        if (chunkIndex == chunk.length) {
            chunk = null;
        }
        if (outcome instanceof ItemFailure failure) {
            throw failure.propagate();
        }
        @SuppressWarnings("unchecked")
        R result = (R) outcome;
        return result;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (!ended && !(ordered ? inOrder.isEmpty() : inFlight.isEmpty())) {
                closedEarlyBy = Thread.currentThread().getId();
            }
        }
        endAndCancel();
    }

    private void endAndCancel() {
        List<Future<?>> left;
        synchronized (this) {
            ended = true;
            input = null;
            executor = null;
            left = new ArrayList<>(ordered ? inOrder : inFlight);
            Future<?> head = awaited;
            if (head != null) {
                left.add(head); // the consumer waits for it: cancelled if not started, so that the wait ends too
            }
            if (ordered) {
                inOrder.clear();
            } else {
                inFlight.clear();
                completed.clear();
                completed.add(CLOSED); // wakes the consumer, whose next completion may have been cleared
            }
        }
        for (Future<?> f : left) {
            f.cancel(); // outside the lock: cancelling runs the future's callbacks
        }
    }

    // ---- two inputs ----------------------------------------------------------------------------------------------

    /** A pair of items from two inputs; serializable so that it can travel with its task. */
    record Pair<A, B>(A a, B b) implements Serializable {}

    /** Zips two iterators, stopping at the shorter: the second is not touched once the first is exhausted. */
    static <A, B> Iterator<Pair<A, B>> zip(Iterator<? extends A> as, Iterator<? extends B> bs) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return as.hasNext() && bs.hasNext();
            }

            @Override
            public Pair<A, B> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return new Pair<>(as.next(), bs.next());
            }
        };
    }

    // ---- chunks --------------------------------------------------------------------------------------------------

    /** Runs the function over a chunk of items; each item's outcome is its value or an ItemFailure. */
    static final class ChunkTask<X, R> implements Task<Object[]> {
        private static final long serialVersionUID = 1L;
        private final TaskFunction<? super X, ? extends R> fn;
        private final ArrayList<X> items; // a serializable type: the chunk travels to cluster members

        ChunkTask(TaskFunction<? super X, ? extends R> fn, ArrayList<X> items) {
            this.fn = fn;
            this.items = items;
        }

        @Override
        public Object[] call() {
            Object[] outcomes = new Object[items.size()];
            for (int i = 0; i < outcomes.length; i++) {
                try {
                    outcomes[i] = fn.apply(items.get(i));
                } catch (Throwable t) {
                    outcomes[i] = new ItemFailure(t);
                }
            }
            return outcomes;
        }
    }

    /** The exception of one item of a chunk. */
    static final class ItemFailure implements Serializable {
        private static final long serialVersionUID = 1L;
        private final Throwable exception;

        ItemFailure(Throwable exception) {
            this.exception = exception;
        }

        /** As Future.result(): the same unchecked instance, or a checked one wrapped in CompletionException. */
        RuntimeException propagate() {
            if (exception instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            if (exception instanceof Error error) {
                throw error;
            }
            throw new CompletionException(exception);
        }
    }
}
