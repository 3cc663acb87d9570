package dev.fanout.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * What travels to a member for one task: the user's task and the identity of its state entry. It travels serialized
 * in an {@link Exchange} to the member that owns the entry (or, resent, with {@code submitToKeyOwner}).
 *
 * <p>At least once, the member's {@link Runner} decides whether it runs and {@link #runUntracked()} runs it. At most
 * once, {@link #call()} first claims the task's entry (see {@link TaskState} for the transitions), runs the task only
 * if it won, stores the outcome in the entry, and replies with it. A copy that finds the entry taken replies with what
 * it found, so a task resubmitted after a failure never runs twice.
 */
final class TaskEnvelope implements Callable<TaskState>, DataSerializable, HazelcastInstanceAware {
    /** Key of the {@link TaskListener} in the member's user context; set by the worker to print what it runs. */
    static final String LISTENER_KEY = "dev.fanout.hazelcast.TaskListener";

    private String executorId;
    private long key;
    private int send; // 1 for the caller's first send, n for its (n-1)th resend; for the worker's log
    private Callable<?> task;

    private transient HazelcastInstance hazelcast;

    /** For deserialization only. */
    public TaskEnvelope() {}

    TaskEnvelope(String executorId, long key, Callable<?> task) {
        this(executorId, key, 1, task);
    }

    private TaskEnvelope(String executorId, long key, int send, Callable<?> task) {
        this.executorId = executorId;
        this.key = key;
        this.send = send;
        this.task = task;
    }

    /** The envelope of the caller's next send of the same task: a copy with the send number one higher. */
    TaskEnvelope nextSend() {
        return new TaskEnvelope(executorId, key, send + 1, task);
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
        this.hazelcast = hazelcastInstance;
    }

    /** At most once: claims the entry, and runs the task if the claim won. */
    @Override
    public TaskState call() {
        IMap<Long, TaskState> states = hazelcast.getMap(Names.stateMap(executorId));
        Member me = hazelcast.getCluster().getLocalMember();
        String where = me.getAddress().toString();
        TaskState running = TaskState.running(me.getUuid(), where, 1);
        TaskState found = states.putIfAbsent(key, running); // backed up: the claim must outlive this member
        if (found == null) {
            return runAndStore(states);
        }
        if (found.kind() != TaskState.Kind.RUNNING || isMember(found)) {
            tell(found);
            return found; // cancelled, finished, lost, or a copy running on a live member (the caller watches it)
        }
        // It was running on a member that left: one copy marks it lost, whoever wins the replace.
        TaskState next = TaskState.lost(found.member(), found.address());
        if (states.replace(key, found, next)) {
            tell(next);
            return next;
        }
        TaskState now = states.get(key);
        tell(now);
        // Another copy won: report what it made of the task. No entry: its tombstone expired (the caller is done with
        // the task), or the entry was lost with its member.
        return now == null ? TaskState.DELIVERED : now;
    }

    /**
     * Runs the task with no state entry (at least once, through a {@link Runner}, which decided that it runs) and
     * returns its outcome.
     */
    TaskState runUntracked() {
        return TaskState.done(run(send), send);
    }

    /** Tells the worker's listener, runs the task, and returns its value or its exception as a {@link Failure}. */
    private Object run(int attempt) {
        if (hazelcast.getUserContext().get(LISTENER_KEY) instanceof TaskListener l) {
            l.started(executorId, key, attempt, send, task);
        }
        try {
            return task.call();
        } catch (Throwable t) {
            return new Failure(t);
        }
    }

    /** Tells the worker's listener that this copy found the task taken, and in what state (null: gone). */
    private void tell(TaskState found) {
        if (hazelcast.getUserContext().get(LISTENER_KEY) instanceof TaskListener l) {
            l.skipped(executorId, key, send, found);
        }
    }

    private boolean isMember(TaskState running) {
        for (Member m : hazelcast.getCluster().getMembers()) {
            if (m.getUuid().equals(running.member())) {
                return true;
            }
        }
        return false;
    }

    private TaskState runAndStore(IMap<Long, TaskState> states) {
        int attempt = 1;
        if (hazelcast.getExecutorService(Names.executor(executorId)).isShutdown()) {
            // A stale copy arriving after the executor was closed, in a state map created anew: never run it.
            states.delete(key);
            return TaskState.CLOSED;
        }
        Object outcome = run(attempt);
        TaskState done = TaskState.done(outcome, attempt);
        try {
            store(states, done);
        } catch (HazelcastSerializationException e) {
            done = TaskState.done(new Failure(Outcomes.notSerializable(outcome, e)), attempt);
            store(states, done);
        }
        return done;
    }

    /**
     * Writes the outcome into the task's entry before the reply leaves, so that the caller's later tombstone comes
     * after it; backed up. Synchronous, not {@code setAsync}: the entry is local to this member (the task runs on its owner), and each of Hazelcast's async
     * calls completes through a step on its default async executor, which on a machine of one or two cores starts a
     * new thread per call, costing more than the wait. A failure to write is not the task's: the reply carries the
     * outcome, and the entry only serves a caller that lost the reply.
     */
    private void store(IMap<Long, TaskState> states, TaskState done) {
        try {
            states.set(key, done);
        } catch (HazelcastSerializationException e) {
            throw e;
        } catch (RuntimeException e) {
            // the member is stopping, or the partition is moving: the reply still carries the outcome
        }
    }

    /** For the worker's log: {@code fanout-1a2b3c#42}. */
    static String taskName(String executorId, long key) {
        return Names.executor(executorId) + "#" + key;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(executorId);
        out.writeLong(key);
        out.writeInt(send);
        out.writeObject(task);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        executorId = in.readString();
        key = in.readLong();
        send = in.readInt();
        task = in.readObject();
    }

    @Override
    public String toString() {
        return "task " + taskName(executorId, key);
    }

    /**
     * Told of each copy of a task a member receives; the worker prints them, so that a task run twice can be traced
     * to the copy that ran it. Runs on the member's executor thread.
     */
    interface TaskListener {
        /** The copy won the task's entry and starts it: {@code attempt} counts runs, {@code send} the caller's sends. */
        void started(String executorId, long key, int attempt, int send, Callable<?> task);

        /** The copy found the task taken and does not run it; {@code found} is the entry (null: none anymore). */
        default void skipped(String executorId, long key, int send, TaskState found) {}
    }
}
