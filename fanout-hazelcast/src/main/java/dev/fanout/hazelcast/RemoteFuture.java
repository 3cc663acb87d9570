package dev.fanout.hazelcast;

import dev.fanout.InvalidStateException;
import dev.fanout.Promise;

/**
 * The future of one task on the cluster: the same {@link Promise} the thread pool completes, plus what it takes to
 * reach the task's state on the cluster ({@link #cancel()} and {@link #isRunning()} ask it: the runner of the member
 * it was sent to at least once, its state entry at most once) and to resubmit it.
 *
 * <p>Local state moves as the {@link Promise}'s does (pending, running, cancelled, finished); the task's state on the
 * cluster is in its runner's job or in {@link TaskState}. The promise becomes running when the cluster says so (a {@code cancel()} that
 * lost, or {@code isRunning()} asking), so that it never claims a start the cluster has not seen.
 */
final class RemoteFuture<T> extends Promise<T> {
    private final HazelcastExecutor owner;
    final long key;

    /** What the next send carries; each resend gets a copy with the next send number. Completer threads, in turn. */
    private volatile TaskEnvelope envelope;

    /**
     * Set once the task was resubmitted or its reply lost: a stale copy may still reach a member, so its entry is
     * kept as a tombstone instead of being deleted. Written and read on completer threads, one at a time per task.
     */
    volatile boolean resent;

    /** The channel the task was last handed to (none if it went alone); set by the channel. */
    volatile Channel channel;

    /** How many times in a row the cluster was asked about this task without an answer; for the back-off. */
    volatile int polls;

    RemoteFuture(HazelcastExecutor owner, long key, TaskEnvelope envelope) {
        this.owner = owner;
        this.key = key;
        this.envelope = envelope;
    }

    /**
     * Cancels the task if no member has started it. Asks the member that owns the task's state, so this blocks for a
     * round trip to the cluster (unless the future is done already); exactly one of this call and the start of the
     * task wins, so a task cancelled here never runs.
     *
     * @return {@code true} if the task is now cancelled, {@code false} if it started or finished (or the cluster could
     *     not be asked)
     */
    @Override
    public boolean cancel() {
        if (isDone()) {
            return isCancelled();
        }
        if (super.isRunning()) {
            return false;
        }
        TaskState found = owner.claimForCancel(this);
        if (found == null || found.kind() == TaskState.Kind.CANCELLED) {
            return super.cancel() || isCancelled();
        }
        if (found.kind() == TaskState.Kind.RUNNING) {
            markRunning();
        }
        return false;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return cancel();
    }

    /**
     * Whether a member runs the task now. While the future is pending this asks the cluster (one round trip), since
     * members do not report the start of each task.
     */
    @Override
    public boolean isRunning() {
        if (super.isRunning()) {
            return true;
        }
        if (isDone()) {
            return false;
        }
        TaskState state = owner.stateOf(this);
        if (state != null && state.kind() == TaskState.Kind.RUNNING) {
            markRunning();
            return super.isRunning();
        }
        return false;
    }

    /** Whether the cluster was seen to run the task; never asks it. */
    boolean isRunningLocally() {
        return super.isRunning();
    }

    /** The cancellation the cluster already agreed to: no remote call. */
    void cancelLocally() {
        super.cancel();
    }

    void markRunning() {
        try {
            setRunningOrNotifyCancel();
        } catch (IllegalStateException alreadyRunningOrDone) {
            // running or finished meanwhile: nothing to record
        }
    }

    /** Hands over a stored outcome: the value, or the exception the task threw. */
    @SuppressWarnings("unchecked")
    void deliver(Object outcome) {
        try {
            if (outcome instanceof Failure failure) {
                setException(failure.exception());
            } else {
                setResult((T) outcome);
            }
        } catch (InvalidStateException alreadyDone) {
            // delivered by another path, or failed as broken meanwhile: the first outcome stays
        }
    }

    void fail(Throwable exception) {
        try {
            setException(exception);
        } catch (InvalidStateException alreadyDone) {
            // the first outcome stays
        }
    }

    /** The envelope of the first send. */
    TaskEnvelope envelope() {
        return envelope;
    }

    /** The envelope of a resend: the next send number. */
    TaskEnvelope nextEnvelope() {
        TaskEnvelope next = envelope.nextSend();
        envelope = next;
        return next;
    }

    String taskName() {
        return envelope.toString().substring("task ".length());
    }
}
