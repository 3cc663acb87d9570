package dev.fanout;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

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
    /**
     * Futures that completed after the call, in completion order: listeners on the completing threads add to it and
     * unpark the consumer if it waits. A lock-free queue, so that a completing thread never blocks on the consumer.
     */
    private final ConcurrentLinkedQueue<Future<T>> completed = new ConcurrentLinkedQueue<>();
    /** The consumer while it is parked (or about to park) for {@link #completed}; null otherwise. */
    private volatile Thread waiter;

    private final Promise.Listener listener;

    // guarded by this
    /**
     * Once {@link #add} has been called: the futures not handed out yet, to drop duplicates (by identity, as futures
     * compare). Null until then, so that the common iteration pays no hash lookup per future: the futures given at the
     * call are de-duplicated once, without it.
     */
    private IdentityHashMap<Future<T>, Boolean> seen;

    private final ArrayDeque<Future<T>> alreadyDone = new ArrayDeque<>();
    private final Futures.Registrations registrations = new Futures.Registrations();
    private int total;
    private int yielded;
    private boolean ended;
    private boolean iterated;

    /** {@code nanos < 0}: no timeout. */
    @SuppressWarnings("unchecked")
    AsCompleted(Collection<? extends Future<? extends T>> fs, long nanos) {
        Objects.requireNonNull(fs, "fs");
        this.timed = nanos >= 0L;
        this.deadline = System.nanoTime() + Math.max(nanos, 0L);
        this.listener = f -> {
            completed.add((Future<T>) f);
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        };
        Object[] unique = distinct(fs);
        synchronized (this) {
            for (Object f : unique) {
                // A Future<? extends T> is read-only, so reading it as a Future<T> is safe. Those done already are
                // handed out first, in the order given, before anything that completes from now on.
                track((Future<T>) f, true);
            }
        }
    }

    /**
     * The futures, without duplicates (by identity), in the order given. A hash set costs two cache misses per future
     * on a large collection, more than the rest of the iteration; so a first pass marks each future's bucket in a
     * bitmap, and only the futures that share a bucket with another go through a hash set.
     */
    static Object[] distinct(Collection<?> fs) {
        Object[] all = fs.toArray();
        for (Object f : all) {
            Objects.requireNonNull(f, "fs contains a null future");
        }
        int n = all.length;
        if (n < 2 || fs instanceof java.util.Set) {
            return all;
        }
        // 8 buckets per future (2^bits in all, at least 64): about one future in eight shares its bucket
        int bits = Math.max(6, Math.min(30, 64 - Long.numberOfLeadingZeros(8L * n - 1)));
        int shift = 32 - bits;
        long[] once = new long[1 << (bits - 6)];
        long[] twice = new long[once.length];
        int[] buckets = new int[n]; // read again below: the identity hash is in each future's header, far apart
        boolean collisions = false;
        for (int i = 0; i < n; i++) {
            int b = (System.identityHashCode(all[i]) * 0x9E3779B9) >>> shift; // its top bits, mixed
            buckets[i] = b;
            long bit = 1L << b;
            if ((once[b >>> 6] & bit) != 0) {
                twice[b >>> 6] |= bit;
                collisions = true;
            } else {
                once[b >>> 6] |= bit;
            }
        }
        if (!collisions) {
            return all;
        }
        IdentityHashMap<Object, Boolean> exact = new IdentityHashMap<>();
        int kept = 0;
        for (int i = 0; i < n; i++) {
            int b = buckets[i];
            if ((twice[b >>> 6] & (1L << b)) == 0 || exact.put(all[i], Boolean.TRUE) == null) {
                all[kept++] = all[i];
            }
        }
        return kept == n ? all : java.util.Arrays.copyOf(all, kept);
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
        if (seen == null) {
            seen = notHandedOut();
        }
        // A Future<? extends T> is read-only: reading it as a Future<T> is safe.
        Future<T> f = (Future<T>) future;
        if (seen.put(f, Boolean.TRUE) == null) {
            track(f, false);
        }
        return this;
    }

    /**
     * The futures tracked and not handed out yet: waiting here, or completed and queued. Registrations first, then the
     * queue: a completing future's listener queues it before its registration lets go of it, so none is missed. One
     * the consumer has just taken from the queue and not yet handed out may be missed: an add racing with its
     * hand-out, which may then count as coming after it.
     */
    @SuppressWarnings("unchecked")
    private IdentityHashMap<Future<T>, Boolean> notHandedOut() {
        IdentityHashMap<Future<T>, Boolean> s = new IdentityHashMap<>();
        registrations.forEachPending(f -> s.put((Future<T>) f, Boolean.TRUE));
        for (Future<T> f : completed) {
            s.put(f, Boolean.TRUE);
        }
        for (Future<T> f : alreadyDone) {
            s.put(f, Boolean.TRUE);
        }
        return s;
    }

    /**
     * Tracks a future not seen yet. A done one is queued: at the call, with those already done; later, where a
     * consumer parked in next() waits, as a completing one is, so that it is handed out at once.
     */
    private void track(Future<T> f, boolean atTheCall) {
        total++;
        if (!f.isDone()) {
            registrations.add(f, listener);
        } else if (atTheCall) {
            alreadyDone.add(f);
        } else {
            listener.onDone(f);
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
                    return hasNextLocked();
                }
            }

            @Override
            public Future<T> next() {
                Future<T> next;
                synchronized (AsCompleted.this) {
                    if (!hasNextLocked()) {
                        throw new NoSuchElementException();
                    }
                    next = alreadyDone.poll();
                    if (next != null) {
                        handedOutLocked(next);
                        return next;
                    }
                }
                next = takeCompleted();
                synchronized (AsCompleted.this) {
                    handedOutLocked(next);
                }
                return next;
            }
        };
    }

    private boolean hasNextLocked() {
        if (!ended && yielded >= total) {
            ended = true;
        }
        return !ended;
    }

    private void handedOutLocked(Future<T> f) {
        yielded++;
        if (seen != null) {
            seen.remove(f); // keep neither the future nor its result alive
        }
    }

    /** The next future to complete: waits for one, parked, until the deadline if there is one. Consumer only. */
    private Future<T> takeCompleted() {
        if (Thread.interrupted()) {
            throw Futures.interrupted();
        }
        for (; ; ) {
            Future<T> next = completed.poll();
            if (next != null) {
                return next;
            }
            long nanos = timed ? deadline - System.nanoTime() : 0L;
            if (timed && nanos <= 0L) {
                throw timedOut();
            }
            waiter = Thread.currentThread();
            next = completed.poll(); // again, now that a completing thread would see the waiter and unpark it
            if (next == null) {
                if (timed) {
                    LockSupport.parkNanos(this, nanos);
                } else {
                    LockSupport.park(this);
                }
            }
            waiter = null;
            if (next != null) {
                return next;
            }
            if (Thread.interrupted()) {
                throw Futures.interrupted();
            }
        }
    }

    private FutureTimeoutException timedOut() {
        String message;
        synchronized (this) {
            ended = true;
            registrations.removeAll();
            seen = null; // the iteration is over: keep none of the futures alive
            alreadyDone.clear();
            completed.clear();
            message = (total - yielded) + " (of " + total + ") futures unfinished";
        }
        return new FutureTimeoutException(message);
    }
}
