package dev.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Waiting on many futures at once: Python's {@code wait} and {@code as_completed}, and the bridge from
 * {@link CompletionStage}.
 *
 * <p>Each call installs one small listener on each future that is not yet done and takes it back when it returns, so
 * waiting on N futures costs O(N) in all, however they complete. A cancelled future counts as done at once.
 */
public final class Futures {
    private Futures() {}

    /**
     * Waits, as long as it takes, until every future is done: {@code wait(fs, ReturnWhen.ALL_COMPLETED)}.
     *
     * @param fs the futures; duplicates count once
     * @param <T> the type of the results
     * @return the done futures (all of them) and the not-done ones (none)
     * @throws NullPointerException if {@code fs} or one of its futures is null
     * @throws CancellationException if the waiting thread is interrupted (its interrupt flag stays set)
     */
    public static <T> DoneAndNotDone<T> wait(Collection<? extends Future<? extends T>> fs) {
        return waitUntil(fs, -1L, ReturnWhen.ALL_COMPLETED);
    }

    /**
     * Waits, as long as it takes, until the condition {@code returnWhen} holds.
     *
     * @param fs the futures; duplicates count once
     * @param returnWhen when to return
     * @param <T> the type of the results
     * @return the futures that were done when the call returned, and the others
     * @throws NullPointerException if an argument or one of the futures is null
     * @throws CancellationException if the waiting thread is interrupted (its interrupt flag stays set)
     */
    public static <T> DoneAndNotDone<T> wait(Collection<? extends Future<? extends T>> fs, ReturnWhen returnWhen) {
        return waitUntil(fs, -1L, returnWhen);
    }

    /**
     * Waits at most {@code timeout} until every future is done. Never throws on timeout: look at
     * {@link DoneAndNotDone#notDone()}.
     *
     * @param fs the futures; duplicates count once
     * @param timeout how long to wait at most; {@link Duration#ZERO} does not wait
     * @param <T> the type of the results
     * @return the futures that were done when the call returned, and the others
     * @throws NullPointerException if an argument or one of the futures is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws CancellationException if the waiting thread is interrupted (its interrupt flag stays set)
     */
    public static <T> DoneAndNotDone<T> wait(Collection<? extends Future<? extends T>> fs, Duration timeout) {
        return waitUntil(fs, Timeouts.toNanos(timeout), ReturnWhen.ALL_COMPLETED);
    }

    /**
     * Python's {@code wait(fs, timeout, return_when)}: waits until the condition {@code returnWhen} holds or
     * {@code timeout} passes, whichever comes first. Never throws on timeout.
     *
     * <pre>{@code
     * DoneAndNotDone<String> dn = Futures.wait(fs, Duration.ofSeconds(5), ReturnWhen.FIRST_COMPLETED);
     * dn.done().forEach(f -> System.out.println(f.result()));
     * }</pre>
     *
     * @param fs the futures; duplicates count once
     * @param timeout how long to wait at most; {@link Duration#ZERO} does not wait
     * @param returnWhen when to return: {@code FIRST_COMPLETED}, {@code FIRST_EXCEPTION} (a cancelled future is done
     *     but has not failed; with no failure this waits for all) or {@code ALL_COMPLETED}
     * @param <T> the type of the results
     * @return the futures that were done when the call returned, and the others, as the very objects passed in
     * @throws NullPointerException if an argument or one of the futures is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws CancellationException if the waiting thread is interrupted (its interrupt flag stays set)
     */
    public static <T> DoneAndNotDone<T> wait(
            Collection<? extends Future<? extends T>> fs, Duration timeout, ReturnWhen returnWhen) {
        return waitUntil(fs, Timeouts.toNanos(timeout), returnWhen);
    }

    /** {@code nanos < 0}: no timeout. */
    private static <T> DoneAndNotDone<T> waitUntil(
            Collection<? extends Future<? extends T>> fs, long nanos, ReturnWhen returnWhen) {
        Objects.requireNonNull(returnWhen, "returnWhen");
        Set<Future<T>> unique = distinct(fs);
        List<Future<T>> notDone = new ArrayList<>();
        boolean anyDone = false;
        boolean anyFailed = false;
        for (Future<T> f : unique) {
            if (f.isDone()) {
                anyDone = true;
                anyFailed |= failed(f);
            } else {
                notDone.add(f);
            }
        }
        boolean satisfied = switch (returnWhen) {
            case FIRST_COMPLETED -> anyDone;
            case FIRST_EXCEPTION -> anyFailed;
            case ALL_COMPLETED -> false;
        };
        if (!satisfied && !notDone.isEmpty() && nanos != 0L) {
            WaitLatch latch = new WaitLatch(returnWhen, notDone.size());
            Registrations registrations = Registrations.install(notDone, latch);
            try {
                latch.await(nanos);
            } finally {
                registrations.removeAll();
            }
        }
        return split(unique);
    }

    /**
     * Python's {@code as_completed(fs)}: iterates over the futures as they complete, those already done first, each
     * once, waiting as long as it takes.
     *
     * <pre>{@code
     * for (Future<String> f : Futures.asCompleted(fs)) {
     *     System.out.println(f.result());
     * }
     * }</pre>
     *
     * <p>The returned iterable can be iterated once; its iterator blocks in {@code next()} until a future completes.
     * More futures can be {@linkplain AsCompleted#add added} while it is iterated.
     *
     * @param fs the futures; duplicates are dropped
     * @param <T> the type of the results
     * @return the futures in completion order
     * @throws NullPointerException if {@code fs} or one of its futures is null
     */
    public static <T> AsCompleted<T> asCompleted(Collection<? extends Future<? extends T>> fs) {
        return new AsCompleted<>(fs, -1L);
    }

    /**
     * Python's {@code as_completed(fs, timeout)}: iterates over the futures as they complete, those already done
     * first, each once. The timeout counts from this call: once it has passed, {@code next()} throws
     * {@link FutureTimeoutException} with the message {@code N (of M) futures unfinished} and the iteration ends.
     *
     * @param fs the futures; duplicates are dropped
     * @param timeout how long the whole iteration may take; {@link Duration#ZERO} yields only what is already done
     * @param <T> the type of the results
     * @return the futures in completion order
     * @throws NullPointerException if an argument or one of the futures is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public static <T> AsCompleted<T> asCompleted(Collection<? extends Future<? extends T>> fs, Duration timeout) {
        long nanos = Timeouts.toNanos(timeout);
        return new AsCompleted<>(fs, nanos);
    }

    /**
     * Wraps a {@link CompletionStage} (for example a {@link java.util.concurrent.CompletableFuture}) as a Fanout
     * {@link Future}, so that it can take part in {@link #wait}, {@link #asCompleted} and callbacks.
     *
     * <p>The future is running from the start, since the stage's work is under way elsewhere, so its
     * {@link Future#cancel()} returns {@code false}. It finishes when the stage completes: with its value, or with
     * its exception unwrapped from {@link CompletionException} (a cancelled stage gives a
     * {@link CancellationException}).
     *
     * @param stage the stage
     * @param <T> the type of the result
     * @return a future that completes with the stage
     * @throws NullPointerException if {@code stage} is null
     */
    public static <T> Future<T> fromCompletionStage(CompletionStage<? extends T> stage) {
        Objects.requireNonNull(stage, "stage");
        Promise<T> promise = new Promise<>();
        promise.setRunningOrNotifyCancel();
        stage.whenComplete((value, exception) -> {
            if (exception == null) {
                promise.setResult(value);
            } else {
                promise.setException(unwrap(exception));
            }
        });
        return promise;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // ---- shared machinery ----------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    static <T> Set<Future<T>> distinct(Collection<? extends Future<? extends T>> fs) {
        Objects.requireNonNull(fs, "fs");
        Set<Future<T>> unique = new LinkedHashSet<>(Math.max(16, fs.size() * 2));
        for (Future<? extends T> f : fs) {
            // A Future<? extends T> is read-only, so reading it as a Future<T> is safe.
            unique.add((Future<T>) Objects.requireNonNull(f, "fs contains a null future"));
        }
        return unique;
    }

    private static <T> DoneAndNotDone<T> split(Set<Future<T>> unique) {
        Set<Future<T>> done = new LinkedHashSet<>();
        Set<Future<T>> notDone = new LinkedHashSet<>();
        for (Future<T> f : unique) {
            (f.isDone() ? done : notDone).add(f);
        }
        return new DoneAndNotDone<>(done, notDone);
    }

    /** Whether a done future finished with an exception (cancelled does not count). */
    static boolean failed(Future<?> f) {
        if (f instanceof Promise<?> p) {
            return p.isFailed();
        }
        return f.isDone() && !f.isCancelled() && f.exception(Duration.ZERO) != null;
    }

    static CancellationException interrupted() {
        Thread.currentThread().interrupt();
        CancellationException e = new CancellationException("interrupted while waiting for futures");
        e.initCause(new InterruptedException());
        return e;
    }

    /**
     * The listeners one wait or asCompleted installed, to be taken back. Promises get an internal listener that can be
     * removed; other Future implementations get a done-callback, which stays until they complete and then does nothing
     * useful.
     *
     * <p>Each future gets its own {@link Registration}, which forgets the future the moment it is done: an asCompleted
     * iteration lives as long as its caller wants, and must not keep the futures it has yielded (and their results)
     * alive, as CPython's as_completed does not (bpo-14406). Registrations of done futures are dropped from the list
     * whenever it has doubled, so an iteration that keeps adding futures stays bounded too. Not thread-safe: guarded
     * by its owner.
     */
    static final class Registrations {
        private final ArrayList<Registration> registrations = new ArrayList<>();
        private int compactAt = 64;

        static Registrations install(Collection<? extends Future<?>> fs, Promise.Listener listener) {
            Registrations rs = new Registrations();
            rs.registrations.ensureCapacity(fs.size());
            for (Future<?> f : fs) {
                rs.add(f, listener);
            }
            return rs;
        }

        void add(Future<?> f, Promise.Listener listener) {
            if (registrations.size() >= compactAt) {
                registrations.removeIf(r -> r.future == null);
                compactAt = Math.max(64, registrations.size() * 2);
            }
            Registration r = new Registration(listener);
            r.future = f; // before the listener goes in, which may call r at once and so clear it again
            if (f instanceof Promise<?> p) {
                Promise.Node node = p.addListener(r);
                if (r.future != null) {
                    r.node = node;
                    registrations.add(r);
                }
            } else {
                f.addDoneCallback(r::onDone);
                if (r.future != null) {
                    registrations.add(r);
                }
            }
        }

        /** Calls {@code action} with each future that was not done when its listener last looked. */
        void forEachPending(java.util.function.Consumer<Future<?>> action) {
            for (Registration r : registrations) {
                Future<?> f = r.future;
                if (f != null) {
                    action.accept(f);
                }
            }
        }

        void removeAll() {
            for (Registration r : registrations) {
                Future<?> f = r.future;
                Promise.Node node = r.node;
                r.future = null;
                r.node = null;
                if (f instanceof Promise<?> p) {
                    p.removeNode(node); // null node: done meanwhile, nothing left to remove
                }
            }
            registrations.clear();
        }
    }

    /**
     * One future's listener: passes the completion on, then drops its references to the future. In that order, so
     * that a future is always either still referenced here or already passed on ({@link Registrations#forEachPending}).
     */
    private static final class Registration implements Promise.Listener {
        private final Promise.Listener listener;
        volatile Future<?> future; // null once done or removed
        volatile Promise.Node node; // for a Promise: its listener node, to remove it

        Registration(Promise.Listener listener) {
            this.listener = listener;
        }

        @Override
        public void onDone(Future<?> done) {
            try {
                listener.onDone(done);
            } finally {
                future = null;
                node = null;
            }
        }
    }

    /**
     * The waiter of one wait call. States: armed -> fired (once, by the completion that makes the condition hold).
     * Only the thread that created it parks on it.
     */
    private static final class WaitLatch implements Promise.Listener {
        private final ReturnWhen returnWhen;
        private final AtomicInteger remaining;
        private final Thread waiter = Thread.currentThread();
        private volatile boolean fired;

        WaitLatch(ReturnWhen returnWhen, int pending) {
            this.returnWhen = returnWhen;
            this.remaining = new AtomicInteger(pending);
        }

        @Override
        public void onDone(Future<?> future) {
            boolean fire = switch (returnWhen) {
                case FIRST_COMPLETED -> true;
                case FIRST_EXCEPTION -> failed(future) || remaining.decrementAndGet() == 0;
                case ALL_COMPLETED -> remaining.decrementAndGet() == 0;
            };
            if (fire && !fired) {
                fired = true;
                LockSupport.unpark(waiter);
            }
        }

        void await(long nanos) {
            long deadline = System.nanoTime() + nanos;
            while (!fired) {
                if (Thread.interrupted()) {
                    throw interrupted();
                }
                if (nanos < 0L) {
                    LockSupport.park(this);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0L) {
                        return;
                    }
                    LockSupport.parkNanos(this, left);
                }
            }
        }
    }
}
