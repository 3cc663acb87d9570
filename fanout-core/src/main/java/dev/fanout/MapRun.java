package dev.fanout;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * One call of {@link Executor#map}: submits the tasks (all at once, or {@code bufferSize} ahead of the consumer) and
 * hands out their results in input order.
 *
 * <p>Threads: one consumer iterates; {@link #close()} may come from any thread. The queue of futures and the flags
 * are guarded by {@code this}; the consumer never waits on a future while holding it, so {@code close()} never
 * blocks. States: OPEN -> ENDED (input and futures exhausted, timed out, closed, or the input threw).
 *
 * @param <X> the type of the items (a Pair for two inputs)
 * @param <R> the type of the results
 */
final class MapRun<X, R> implements MapResults<R>, Iterator<R> {
    private final Executor executor;
    private final TaskFunction<? super X, ? extends R> fn;
    private final int chunkSize;
    private final int bufferSize; // 0: every task submitted at the call
    private final boolean timed;
    private final long deadline;

    // guarded by this
    private Iterator<? extends X> input; // null once exhausted
    private final ArrayDeque<Future<?>> futures = new ArrayDeque<>();
    private boolean ended;
    private boolean iterated;

    // touched by the consumer thread only
    private Object[] chunk; // outcomes of the chunk being handed out; slots cleared once handed out
    private int chunkIndex;

    MapRun(Executor executor, TaskFunction<? super X, ? extends R> fn, Iterator<? extends X> input, MapOptions o) {
        this.executor = executor;
        this.fn = fn;
        this.input = input;
        this.chunkSize = o.chunkSize();
        this.bufferSize = o.bufferSize().orElse(0);
        this.timed = o.timeout().isPresent();
        this.deadline = timed ? System.nanoTime() + Timeouts.toNanos(o.timeout().get()) : 0L;
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
        return this;
    }

    /** Reads the next item (or chunk) and submits its task; false once the input is exhausted. Holds this. */
    private boolean submitNext() {
        if (input == null) {
            return false;
        }
        if (!input.hasNext()) {
            input = null;
            return false;
        }
        if (chunkSize == 1) {
            X item = input.next();
            TaskFunction<? super X, ? extends R> f = fn;
            futures.addLast(executor.submit((Task<R>) () -> f.apply(item)));
        } else {
            List<X> items = new ArrayList<>(chunkSize);
            do {
                items.add(input.next());
            } while (items.size() < chunkSize && input.hasNext());
            futures.addLast(executor.submit(new ChunkTask<>(fn, items)));
        }
        return true;
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
            return !ended && !futures.isEmpty();
        }
    }

    @Override
    public R next() {
        if (chunk != null && chunkIndex < chunk.length) {
            return fromChunk();
        }
        Future<?> head;
        synchronized (this) {
            if (ended || futures.isEmpty()) {
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
            head = futures.pollFirst();
        }
        Object outcome = awaitOrCancelAll(head);
        if (chunkSize == 1) {
            @SuppressWarnings("unchecked")
            R result = (R) outcome;
            return result;
        }
        chunk = (Object[]) outcome;
        chunkIndex = 0;
        return fromChunk();
    }

    /** The head's result; on timeout, cancels it and every remaining task and ends the iteration. */
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
            left = new ArrayList<>(futures);
            futures.clear();
        }
        for (Future<?> f : left) {
            f.cancel(); // outside the lock: cancelling runs the future's callbacks
        }
        chunk = null;
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
                return unchecked;
            }
            if (exception instanceof Error error) {
                throw error;
            }
            return new CompletionException(exception);
        }
    }
}
