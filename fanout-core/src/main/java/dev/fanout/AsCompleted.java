package dev.fanout;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What {@link Futures#asCompleted(java.util.Collection) Futures.asCompleted} returns: the futures in the order they
 * complete, those already done first, each once. Iterate it once.
 *
 * <p>Beyond Python, futures can be {@linkplain #add added} while it is iterated, as Dask's {@code as_completed.add}
 * allows, for work that discovers more work as it goes:
 *
 * <pre>{@code
 * AsCompleted<Page> pages = Futures.asCompleted(List.of(pool.submit(() -> fetch(root))));
 * for (Future<Page> done : pages) {
 *     for (String link : done.result().links()) {
 *         pages.add(pool.submit(() -> fetch(link)));
 *     }
 * }
 * }</pre>
 *
 * <p>The iteration ends once every future added so far has been handed out (its {@code hasNext()} returns false), or
 * when the timeout passes; adding after that is an error. So add from the loop body, or from elsewhere before the
 * loop can run dry. {@code add} is thread-safe; the iterator is for one thread.
 *
 * @param <T> the type of the futures' results
 */
public final class AsCompleted<T> implements Iterable<Future<T>> {
    private final boolean timed;
    private final long deadline;
    private final LinkedBlockingQueue<Future<T>> completed = new LinkedBlockingQueue<>();
    private final Promise.Listener listener;

    // guarded by this
    /** The futures not handed out yet, to drop duplicates: the set the asCompleted call de-duplicated with. */
    private final Set<Future<T>> seen;

    private final ArrayDeque<Future<T>> alreadyDone = new ArrayDeque<>();
    private final Futures.Registrations registrations = new Futures.Registrations();
    private int total;
    private int yielded;
    private boolean ended;
    private boolean iterated;

    /** {@code nanos < 0}: no timeout. */
    @SuppressWarnings("unchecked")
    AsCompleted(Set<Future<T>> unique, long nanos) {
        this.timed = nanos >= 0L;
        this.deadline = System.nanoTime() + Math.max(nanos, 0L);
        this.listener = f -> completed.add((Future<T>) f);
        this.seen = unique; // already free of duplicates: build no second set
        synchronized (this) {
            for (Future<T> f : unique) {
                track(f, alreadyDone); // handed out before anything that completes from now on
            }
        }
    }

    /**
     * Adds a future to the iteration: it is handed out once it is done (at once if it is done already), after the
     * futures already waiting to be handed out. A future added twice before it is handed out is handed out once; one
     * added again after it was handed out is handed out again (the iteration does not keep futures it has handed out).
     *
     * @param future the future
     * @return this, for chaining
     * @throws NullPointerException if {@code future} is null
     * @throws IllegalStateException if the iteration has ended
     */
    @SuppressWarnings("unchecked")
    public synchronized AsCompleted<T> add(Future<? extends T> future) {
        Objects.requireNonNull(future, "future");
        if (ended) {
            throw new IllegalStateException("cannot add futures to an asCompleted iteration that has ended");
        }
        // A Future<? extends T> is read-only: reading it as a Future<T> is safe. A done one goes where a
        // consumer parked in next() waits, as a completing one does, so that it is handed out at once.
        addLocked((Future<T>) future, completed);
        return this;
    }

    private void addLocked(Future<T> f, Queue<Future<T>> ifDone) {
        if (seen.add(f)) {
            track(f, ifDone);
        }
    }

    private void track(Future<T> f, Queue<Future<T>> ifDone) {
        total++;
        if (f.isDone()) {
            ifDone.add(f);
        } else {
            registrations.add(f, listener);
        }
    }

    /**
     * The iterator. Its {@code next()} blocks until a future completes; once the timeout (counted from the
     * {@code asCompleted} call) has passed, it throws {@link FutureTimeoutException} with the message
     * {@code N (of M) futures unfinished} and the iteration ends. An interrupted {@code next()} throws
     * {@link java.util.concurrent.CancellationException} and keeps the thread's interrupt flag.
     *
     * @return the iterator
     * @throws IllegalStateException if called a second time
     */
    @Override
    public synchronized Iterator<Future<T>> iterator() {
        if (iterated) {
            throw new IllegalStateException("asCompleted can be iterated only once");
        }
        iterated = true;
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                synchronized (AsCompleted.this) {
                    if (!ended && yielded >= total) {
                        ended = true;
                    }
                    return !ended;
                }
            }

            @Override
            public Future<T> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Future<T> next;
                synchronized (AsCompleted.this) {
                    next = alreadyDone.poll();
                }
                if (next == null) {
                    next = takeCompleted();
                }
                synchronized (AsCompleted.this) {
                    yielded++;
                    seen.remove(next); // handed out: keep neither the future nor its result alive
                }
                return next;
            }
        };
    }

    private Future<T> takeCompleted() {
        Future<T> next;
        try {
            next = timed
                    ? completed.poll(Math.max(0L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                    : completed.take();
        } catch (InterruptedException e) {
            throw Futures.interrupted();
        }
        if (next == null) {
            String message;
            synchronized (this) {
                ended = true;
                registrations.removeAll();
                seen.clear(); // the iteration is over: keep none of the futures alive
                alreadyDone.clear();
                completed.clear();
                message = (total - yielded) + " (of " + total + ") futures unfinished";
            }
            throw new FutureTimeoutException(message);
        }
        return next;
    }
}
