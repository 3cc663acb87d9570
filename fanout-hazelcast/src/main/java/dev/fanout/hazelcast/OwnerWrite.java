package dev.fanout.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * Writes a task's state on the entry's owner only, without a backup: how an at-least-once member claims a task
 * ({@code ifAbsent}: the same compare-and-set against {@code cancel()} as a {@code putIfAbsent}) and stores its
 * outcome. Returns the state found, null if it wrote.
 *
 * <p>Why no backup: the task runs on the owner of its entry, so the entry's RUNNING and DONE states only ever describe
 * work on that very member. If the member dies, the task is run again anyway (at-least-once), and its backup entry,
 * which is still empty, says exactly that: not started. Two synchronous backups per task were most of the cost of a
 * task on a cluster of several members. What must survive the owner stays backed up: a CANCELLED entry (a cancelled
 * task never runs), the DELIVERED tombstone, and every state of an at-most-once task.
 */
final class OwnerWrite implements EntryProcessor<Long, TaskState, TaskState>, DataSerializable {
    private static final long serialVersionUID = 1L;

    // Hazelcast writes this class with writeData (DataSerializable wins over Serializable), never with Java
    // serialization, which is why a field of a type that is not Serializable may be transient here.
    private transient TaskState state;
    private boolean ifAbsent;

    /** For deserialization. */
    public OwnerWrite() {}

    private OwnerWrite(TaskState state, boolean ifAbsent) {
        this.state = state;
        this.ifAbsent = ifAbsent;
    }

    /** Writes {@code state} if the entry is empty; returns what it found, null if it wrote. */
    static OwnerWrite claim(TaskState state) {
        return new OwnerWrite(state, true);
    }

    /** Writes {@code state} whatever the entry holds. */
    static OwnerWrite store(TaskState state) {
        return new OwnerWrite(state, false);
    }

    @Override
    public TaskState process(Map.Entry<Long, TaskState> entry) {
        TaskState found = entry.getValue();
        if (ifAbsent && found != null) {
            return found;
        }
        entry.setValue(state);
        return null;
    }

    @Override
    public EntryProcessor<Long, TaskState, TaskState> getBackupProcessor() {
        return null; // the point of this processor: see the class description
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeObject(state);
        out.writeBoolean(ifAbsent);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        state = in.readObject();
        ifAbsent = in.readBoolean();
    }
}
