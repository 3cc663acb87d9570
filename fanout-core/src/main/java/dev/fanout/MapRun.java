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
 * guarded by {@code this}; the consumer never waits on a future while holding it, so {@code close()} never blocks on a
 * task. States: OPEN -> ENDED (everything handed out, timed out, closed, or the input threw); ENDED is final.
 *
 * @param <X> the type of the items (a Pair for two inputs)
 * @param <R> the type of the results
 */
final class MapRun<X, R> implements MapResults<R>, Iterator<R> {
    private final Executor executor;
    private final TaskFunction<? super X, ? extends R> fn;
    private final int chunkSize;
    private final int bufferSize; // 0: every task submitted at the call
    private final boolean ordered;
    private final boolean timed;
    private final long deadline;
    private final MapOptions.ProgressListener progress;

    // guarded by this
    private Iterator<? extends X> input; // null once exhausted
    private final ArrayDeque<Future<?>> inOrder = new ArrayDeque<>(); // ordered: not yet handed out, input order
    private final Set<Future<?>> inFlight; // unordered: not yet handed out
    private boolean ended;
    private boolean iterated;
    private long submittedItems;
    private long doneItems;
    private boolean inputExhausted;
    private boolean exhaustionUnreported;
    private final List<Unhooked> unhooked = new ArrayList<>(); // progress callbacks to add, outside this

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
    }

    /** Submits the first tasks: all of them, or the first bufferSize. */
    MapRun<X, R> start() {
        try {
            synchronized (this) {
                int limit = bufferSize == 0 ? Integer.MAX_VALUE : bufferSize;
                for (int i = 0; i < limit && submitNext(); i++) {}
            }
        } catch (RuntimeException | Error e) {
            close(); // nobody can reach the tasks submitted so far: do not leave them running
            throw e;
        }
        hookProgress();
        reportExhaustion();
        return this;
    }

    /** Reads the next item (or chunk) and submits its task; false once the input is exhausted. Holds this. */
    private boolean submitNext() {
        if (input == null) {
            return false;
        }
        if (!input.hasNext()) {
            input = null;
            inputExhausted = true;
            exhaustionUnreported = true; // reported by the caller once it has let go of this
            return false;
        }
        Future<?> future;
        int items;
        if (chunkSize == 1) {
            X item = input.next();
            TaskFunction<? super X, ? extends R> f = fn;
            future = executor.submit((Task<R>) () -> f.apply(item));
            items = 1;
        } else {
            List<X> chunkItems = new ArrayList<>(chunkSize);
            do {
                chunkItems.add(input.next());
            } while (chunkItems.size() < chunkSize && input.hasNext());
            future = executor.submit(new ChunkTask<>(fn, chunkItems));
            items = chunkItems.size();
        }
        submittedItems += items;
        if (ordered) {
            inOrder.addLast(future);
        } else {
            inFlight.add(future);
            future.addDoneCallback(completed::add);
        }
        if (progress != null) {
            // Not hooked here: a future already done would run the callback at once, on this thread, which holds
            // this, and reportProgress takes progress then this (see hookProgress).
            unhooked.add(new Unhooked(future, items));
        }
        return true;
    }

    /**
     * Adds the progress callbacks of the futures submitted since the last call. Must not hold this: a callback of a
     * future already done runs at once on this thread and takes the progress lock, then this; holding this here
     * deadlocked against a worker reporting the progress of another item, which holds the progress lock and waits for
     * this.
     */
    private void hookProgress() {
        if (progress == null) {
            return;
        }
        List<Unhooked> now;
        synchronized (this) {
            if (unhooked.isEmpty()) {
                return;
            }
            now = new ArrayList<>(unhooked);
            unhooked.clear();
        }
        for (Unhooked u : now) {
            int items = u.items();
            u.future().addDoneCallback(done -> reportProgress(items));
        }
    }

    /** A future whose progress callback is not added yet, and how many items it carries. */
    private record Unhooked(Future<?> future, int items) {}

    /** Now that the total is known, tells the listener, even if no task completes after this. Must not hold this. */
    private void reportExhaustion() {
        boolean report;
        synchronized (this) {
            report = exhaustionUnreported;
            exhaustionUnreported = false;
        }
        if (report) {
            reportProgress(0);
        }
    }

    /**
     * Adds {@code items} done and calls the listener, one call at a time so that it sees {@code done} grow. Lock order:
     * progress, then this; so it must not be called holding this.
     */
    private void reportProgress(int items) {
        if (progress == null) {
            return;
        }
        synchronized (progress) {
            long done;
            long total;
            synchronized (this) {
                doneItems += items;
                done = doneItems;
                total = inputExhausted ? submittedItems : -1L;
            }
            progress.onProgress(done, total);
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
        if (chunk != null && chunkIndex < chunk.length) {
            return true;
        }
        synchronized (this) {
            return !ended && !(ordered ? inOrder.isEmpty() : inFlight.isEmpty());
        }
    }

    @Override
    public R next() {
        if (chunk != null && chunkIndex < chunk.length) {
            return fromChunk();
        }
        Future<?> head = null;
        synchronized (this) {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            if (bufferSize > 0) {
                try {
                    submitNext(); // one result handed out lets one more task in
                } catch (RuntimeException | Error e) {
                    endAndCancel();
                    throw e;
                }
            }
            if (ordered) {
                head = inOrder.pollFirst();
            }
        }
        hookProgress();
        reportExhaustion();
        Object outcome = ordered ? awaitOrCancelAll(head) : nextCompleted();
        if (chunkSize == 1) {
            @SuppressWarnings("unchecked")
            R result = (R) outcome;
            return result;
        }
        chunk = (Object[]) outcome;
        chunkIndex = 0;
        return fromChunk();
    }

    /** Ordered: the head's result; on timeout, cancels it and every remaining task and ends the iteration. */
    private Object awaitOrCancelAll(Future<?> head) {
        if (!timed) {
            return head.result();
        }
        try {
            return head.result(Duration.ofNanos(Math.max(0L, deadline - System.nanoTime())));
        } catch (FutureTimeoutException e) {
            head.cancel();
            endAndCancel();
            throw e;
        }
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
        endAndCancel();
    }

    private void endAndCancel() {
        List<Future<?>> left;
        synchronized (this) {
            ended = true;
            input = null;
            left = new ArrayList<>(ordered ? inOrder : inFlight);
            if (ordered) {
                inOrder.clear();
            } else {
                inFlight.clear();
                completed.clear();
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
        private final List<X> items;

        ChunkTask(TaskFunction<? super X, ? extends R> fn, List<X> items) {
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
