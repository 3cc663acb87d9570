package dev.fanout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The settable {@link Future}: what executors complete, and what users and tests can create themselves.
 * {@code new Promise<>()} is pending.
 *
 * <p>Executors drive it with {@link #setRunningOrNotifyCancel()} before the task runs, then {@link #setResult} or
 * {@link #setException} once it has. Code that only consumes results should hold it as a {@link Future}.
 *
 * <p>Every method is thread-safe and none holds a lock: the state changes by compare-and-set, so exactly one of two
 * racing transitions wins (for example {@code cancel()} against {@code setRunningOrNotifyCancel()}), and the loser is
 * told so by its return value or exception.
 *
 * @param <T> the type of the result
 */
public class Promise<T> implements Future<T> {
    /*
     * The state lives in one field, `outcome`, so that a single CAS moves it:
     *
     *   PENDING    null          new; the task is queued
     *   RUNNING    RUNNING       setRunningOrNotifyCancel() returned true
     *   CANCELLED  CANCELLED     cancel() won against the start of the task
     *   FINISHED   NIL, a Failure, or the value itself
     *
     *   PENDING -> RUNNING | CANCELLED | FINISHED
     *   RUNNING -> FINISHED
     *   CANCELLED and FINISHED are terminal: "done".
     *
     * Whoever makes the future done then calls finishCompletion(), which swaps the stack of completion nodes
     * (`nodes`: waiting threads, internal listeners, user callbacks, newest first) for DONE. A push against DONE
     * fails, and the pusher handles its node itself, at once. So every node is taken by exactly one thread and
     * handled exactly once, and nothing is added after the swap. The outcome CAS happens-before the swap, and a pusher
     * that sees DONE reads the outcome after it, so everybody who handles a node sees the outcome.
     *
     * Nodes are removed (timed-out waiters, the listeners of a Futures.wait that returned) by clearing their action
     * and unlinking the cleared ones, as java.util.concurrent.FutureTask does: nodes are only ever pushed at the head,
     * so unlinking never loses a live node, and the completer skips cleared ones.
     */

    private static final System.Logger LOG = System.getLogger("dev.fanout");

    private static final Object RUNNING = new Marker("running");
    private static final Object CANCELLED = new Marker("cancelled");
    /** The outcome of a future finished with the value {@code null}. */
    private static final Object NIL = new Marker("null");
    /** What awaitDone returns when the wait timed out or the waiter was interrupted; never stored. */
    private static final Object TIMED_OUT = new Marker("timed out");

    private static final Object INTERRUPTED = new Marker("interrupted");
    private static final Node DONE = new Node(null);

    private static final VarHandle OUTCOME;
    private static final VarHandle NODES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            OUTCOME = lookup.findVarHandle(Promise.class, "outcome", Object.class);
            NODES = lookup.findVarHandle(Promise.class, "nodes", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile Object outcome;
    private volatile Node nodes;

    /** Creates a pending promise. */
    public Promise() {}

    // ---- executor side -------------------------------------------------------------------------------------------

    /**
     * Marks the future running, unless it was cancelled. Meant for executors, just before they run the task.
     *
     * @return {@code true} if the future was pending and is now running (run the task); {@code false} if it was
     *     cancelled (skip the task)
     * @throws IllegalStateException if the future is already running or finished
     */
    public boolean setRunningOrNotifyCancel() {
        if (OUTCOME.compareAndSet(this, null, RUNNING)) {
            return true;
        }
        if (outcome == CANCELLED) {
            return false;
        }
        throw new IllegalStateException("Future in unexpected state: " + this);
    }

    /**
     * Finishes the future with {@code value}: wakes every waiter, then runs the callbacks on this thread, outside any
     * lock.
     *
     * @param value the result; may be {@code null}
     * @throws InvalidStateException if the future is already finished or cancelled (the first outcome is kept)
     */
    public void setResult(T value) {
        complete(value == null ? NIL : value);
    }

    /**
     * Finishes the future with the exception {@code exception}: wakes every waiter, then runs the callbacks on this
     * thread, outside any lock.
     *
     * @param exception what the task threw
     * @throws NullPointerException if {@code exception} is null
     * @throws InvalidStateException if the future is already finished or cancelled (the first outcome is kept)
     */
    public void setException(Throwable exception) {
        complete(new Failure(Objects.requireNonNull(exception, "exception")));
    }

    private void complete(Object newOutcome) {
        for (; ; ) {
            Object current = outcome;
            if (current != null && current != RUNNING) {
                throw new InvalidStateException(this + " already has an outcome");
            }
            if (OUTCOME.compareAndSet(this, current, newOutcome)) {
                break;
            }
        }
        finishCompletion();
    }

    // ---- state ---------------------------------------------------------------------------------------------------

    @Override
    public boolean cancel() {
        for (; ; ) {
            Object current = outcome;
            if (current == CANCELLED) {
                return true;
            }
            if (current != null) {
                return false;
            }
            if (OUTCOME.compareAndSet(this, null, CANCELLED)) {
                finishCompletion();
                return true;
            }
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return cancel();
    }

    @Override
    public boolean isCancelled() {
        return outcome == CANCELLED;
    }

    @Override
    public boolean isRunning() {
        return outcome == RUNNING;
    }

    @Override
    public boolean isDone() {
        return isDone(outcome);
    }

    private static boolean isDone(Object outcome) {
        return outcome != null && outcome != RUNNING;
    }

    /** Whether the future finished with an exception (not cancelled). Does not block. */
    boolean isFailed() {
        return outcome instanceof Failure;
    }

    // ---- results -------------------------------------------------------------------------------------------------

    @Override
    public T result() {
        return reportResult(awaitDone(false, 0L));
    }

    @Override
    public T result(Duration timeout) {
        return reportResult(awaitDone(true, Timeouts.toNanos(timeout)));
    }

    @Override
    public Throwable exception() {
        return reportException(awaitDone(false, 0L));
    }

    @Override
    public Throwable exception(Duration timeout) {
        return reportException(awaitDone(true, Timeouts.toNanos(timeout)));
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        Object o = awaitDone(false, 0L);
        if (o == INTERRUPTED) {
            throw new InterruptedException();
        }
        return reportGet(o);
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit");
        Object o = awaitDone(true, Math.max(0L, unit.toNanos(timeout)));
        if (o == INTERRUPTED) {
            throw new InterruptedException();
        }
        if (o == TIMED_OUT) {
            throw new TimeoutException("future not done after " + timeout + " " + unit);
        }
        return reportGet(o);
    }

    @SuppressWarnings("unchecked")
    private T reportResult(Object o) {
        if (o == NIL) {
            return null;
        }
        if (o instanceof Failure failure) {
            Throwable t = failure.exception;
            if (t instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            if (t instanceof Error error) {
                throw error;
            }
            throw new CompletionException(t);
        }
        checkCancelledOrUnfinished(o);
        return (T) o;
    }

    private Throwable reportException(Object o) {
        if (o instanceof Failure failure) {
            return failure.exception;
        }
        if (o == NIL) {
            return null;
        }
        checkCancelledOrUnfinished(o);
        return null;
    }

    @SuppressWarnings("unchecked")
    private T reportGet(Object o) throws ExecutionException {
        if (o == NIL) {
            return null;
        }
        if (o instanceof Failure failure) {
            throw new ExecutionException(failure.exception);
        }
        if (o == CANCELLED) {
            throw new CancellationException("future was cancelled");
        }
        return (T) o;
    }

    /** Throws for the outcomes that carry no result: cancelled, timed out, interrupted. */
    private void checkCancelledOrUnfinished(Object o) {
        if (o == CANCELLED) {
            throw new CancellationException("future was cancelled");
        }
        if (o == TIMED_OUT) {
            throw new FutureTimeoutException("future not done in time: " + this);
        }
        if (o == INTERRUPTED) {
            Thread.currentThread().interrupt();
            CancellationException e = new CancellationException("interrupted while waiting for " + this);
            e.initCause(new InterruptedException());
            throw e;
        }
    }

    /**
     * Waits until the future is done, the time is up or the thread is interrupted. Returns the outcome, TIMED_OUT or
     * INTERRUPTED (with the interrupt flag cleared). A future that is already done returns its outcome even to an
     * interrupted thread.
     */
    private Object awaitDone(boolean timed, long nanos) {
        Object o = outcome;
        if (isDone(o)) {
            return o;
        }
        if (timed && nanos <= 0L) {
            return TIMED_OUT;
        }
        long deadline = timed ? System.nanoTime() + nanos : 0L;
        Node node = null;
        boolean queued = false;
        for (; ; ) {
            o = outcome;
            if (isDone(o)) {
                return o;
            }
            if (Thread.interrupted()) {
                if (queued) {
                    removeNode(node);
                }
                return INTERRUPTED;
            }
            if (node == null) {
                node = new Node(Thread.currentThread());
            } else if (!queued) {
                queued = push(node); // false: done meanwhile, seen at the top of the loop
            } else if (timed) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0L) {
                    removeNode(node);
                    return TIMED_OUT;
                }
                LockSupport.parkNanos(this, remaining);
            } else {
                LockSupport.park(this);
            }
        }
    }

    // ---- callbacks and listeners ---------------------------------------------------------------------------------

    @Override
    public Future<T> addDoneCallback(Consumer<? super Future<T>> fn) {
        Objects.requireNonNull(fn, "fn");
        if (isDone() || !push(new Node(fn))) {
            runCallback(fn);
        }
        return this;
    }

    /**
     * Calls {@code listener} once the future is done, on the completing thread, before the user's callbacks. If the
     * future is already done, calls it now on this thread and returns null; otherwise returns the node, which
     * {@link #removeNode} takes back. A listener may still be called once after its removal began.
     */
    Node addListener(Listener listener) {
        if (!isDone()) {
            Node node = new Node(listener);
            if (push(node)) {
                return node;
            }
        }
        runListener(listener);
        return null;
    }

    /** An internal observer of completion, called before user callbacks. Must not throw. */
    interface Listener {
        void onDone(Future<?> future);
    }

    private boolean push(Node node) {
        for (; ; ) {
            Node head = nodes;
            if (head == DONE) {
                return false;
            }
            node.next = head;
            if (NODES.compareAndSet(this, head, node)) {
                return true;
            }
        }
    }

    /** Takes a node back: its action is cleared at once and the node unlinked when nobody else is unlinking. */
    void removeNode(Node node) {
        if (node == null) {
            return;
        }
        node.action = null;
        retry:
        for (; ; ) {
            Node pred = null;
            Node q = nodes;
            if (q == DONE) {
                return;
            }
            while (q != null) {
                Node next = q.next;
                if (q.action != null) {
                    pred = q;
                } else if (pred != null) {
                    pred.next = next;
                    if (pred.action == null) {
                        continue retry; // pred was removed meanwhile: start again
                    }
                } else if (!NODES.compareAndSet(this, q, next)) {
                    continue retry;
                }
                q = next;
            }
            return;
        }
    }

    private void finishCompletion() {
        Node head = (Node) NODES.getAndSet(this, DONE);
        if (head == null) {
            return;
        }
        if (head.next == null) { // the common case: one waiter, listener or callback
            handle(head.action, true);
            handle(head.action, false);
            return;
        }
        int n = 0;
        for (Node q = head; q != null; q = q.next) {
            n++;
        }
        Object[] actions = new Object[n];
        for (Node q = head; q != null && n > 0; q = q.next) {
            actions[--n] = q.action; // oldest first
        }
        for (Object action : actions) {
            handle(action, true);
        }
        for (Object action : actions) {
            handle(action, false);
        }
    }

    /** First pass: wake waiters and tell listeners; second pass: run the user's callbacks. */
    @SuppressWarnings("unchecked")
    private void handle(Object action, boolean firstPass) {
        if (action == null) {
            return;
        }
        if (firstPass) {
            if (action instanceof Thread waiter) {
                LockSupport.unpark(waiter);
            } else if (action instanceof Listener listener) {
                runListener(listener);
            }
        } else if (action instanceof Consumer<?> fn) {
            runCallback((Consumer<? super Future<T>>) fn);
        }
    }

    private void runCallback(Consumer<? super Future<T>> fn) {
        try {
            fn.accept(this);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, () -> "exception calling callback for " + this, t);
        }
    }

    private void runListener(Listener listener) {
        try {
            listener.onDone(this);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, () -> "exception notifying a waiter of " + this, t);
        }
    }

    // ---- interop and printing ------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<T> toCompletableFuture() {
        CompletableView<T> view = new CompletableView<>(this);
        addDoneCallback(view::settle);
        return view;
    }

    /** The view returned by {@link #toCompletableFuture()}. */
    private static final class CompletableView<T> extends CompletableFuture<T> {
        private final Promise<T> source;

        CompletableView(Promise<T> source) {
            this.source = source;
        }

        @SuppressWarnings("unchecked")
        void settle(Future<T> done) {
            Object o = source.outcome;
            if (o == CANCELLED) {
                super.cancel(false);
            } else if (o instanceof Failure failure) {
                completeExceptionally(failure.exception);
            } else {
                complete(o == NIL ? null : (T) o);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (isDone()) {
                // Completed by hand or settled already: the view no longer speaks for the task, and a completed
                // CompletableFuture cannot be cancelled.
                return isCancelled();
            }
            if (source.cancel()) {
                super.cancel(false); // the callback may still be running on the thread that cancelled first
                return true;
            }
            return isCancelled();
        }
    }

    /**
     * Names the state and, when finished, the type of the value or exception, never the value itself: for example
     * {@code Future@1b6d3586[finished returned String]}.
     */
    @Override
    public String toString() {
        Object o = outcome;
        String state;
        if (o == null) {
            state = "pending";
        } else if (o == RUNNING || o == CANCELLED) {
            state = o.toString();
        } else if (o instanceof Failure failure) {
            state = "finished raised " + failure.exception.getClass().getSimpleName();
        } else if (o == NIL) {
            state = "finished returned null";
        } else {
            state = "finished returned " + o.getClass().getSimpleName();
        }
        return "Future@" + Integer.toHexString(System.identityHashCode(this)) + "[" + state + "]";
    }

    /** A completion node: a waiting Thread, a Listener or a user callback (Consumer); null once removed. */
    static final class Node {
        volatile Object action;
        volatile Node next;

        Node(Object action) {
            this.action = action;
        }
    }

    /** The outcome of a future that finished with an exception. */
    private static final class Failure {
        final Throwable exception;

        Failure(Throwable exception) {
            this.exception = exception;
        }
    }

    private static final class Marker {
        private final String name;

        Marker(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
