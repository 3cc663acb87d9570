package dev.fanout.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How an at-least-once member writes a task's state, with less backing up than a plain {@code IMap} write: it claims
 * the task on the entry's owner only ({@code ifAbsent}: the same compare-and-set against {@code cancel()} as a
 * {@code putIfAbsent}), and stores the outcome on the owner for good and on the backup for a while. Returns the state
 * found, null if it wrote.
 *
 * <p>Why the claim needs no backup: the task runs on the owner of its entry, so RUNNING only ever describes work on
 * that very member. If the member dies, an at-least-once task runs again anyway, and its backup entry, still empty,
 * says exactly that: not started. Why the outcome's backup may expire: the owner replaces the outcome with a tombstone
 * that is not backed up, and the backup only serves if the owner dies before the caller has the outcome, which member
 * loss detection and recovery settle within seconds ({@link HazelcastExecutor#OUTCOME_BACKUP_TTL_MILLIS}). Backing up
 * the claim, and the tombstone over each outcome, made a task on three members cost 2.0x raw Hazelcast instead of
 * 1.6x. What must survive the owner stays backed up for good: a CANCELLED entry (a cancelled task never
 * runs), and every state of an at-most-once task.
 */
final class OwnerWrite implements EntryProcessor<Long, TaskState, TaskState>, DataSerializable {
    private static final long serialVersionUID = 1L;

    // Hazelcast writes this class with writeData (DataSerializable wins over Serializable), never with Java
    // serialization, which is why a field of a type that is not Serializable may be transient here.
    private transient TaskState state;
    private boolean ifAbsent;
    private long ttlMillis; // 0: no expiry
    private long backupTtlMillis; // 0: no backup

    /** For deserialization. */
    public OwnerWrite() {}

    private OwnerWrite(TaskState state, boolean ifAbsent, long ttlMillis, long backupTtlMillis) {
        this.state = state;
        this.ifAbsent = ifAbsent;
        this.ttlMillis = ttlMillis;
        this.backupTtlMillis = backupTtlMillis;
    }

    /** Writes {@code state} if the entry is empty, on the owner only; returns what it found, null if it wrote. */
    static OwnerWrite claim(TaskState state) {
        return new OwnerWrite(state, true, 0, 0);
    }

    /**
     * Writes {@code state} whatever the entry holds: on the owner for good (until the caller's tombstone), and on the
     * backup for {@code backupTtlMillis} only, since the tombstone that replaces it on the owner is not backed up.
     */
    static OwnerWrite store(TaskState state, long backupTtlMillis) {
        return new OwnerWrite(state, false, 0, backupTtlMillis);
    }

    @Override
    public TaskState process(Map.Entry<Long, TaskState> entry) {
        TaskState found = entry.getValue();
        if (ifAbsent && found != null) {
            return found;
        }
        if (ttlMillis > 0 && entry instanceof ExtendedMapEntry<Long, TaskState> e) {
            e.setValue(state, ttlMillis, TimeUnit.MILLISECONDS);
        } else {
            entry.setValue(state);
        }
        return null;
    }

    @Override
    public EntryProcessor<Long, TaskState, TaskState> getBackupProcessor() {
        return backupTtlMillis > 0 ? new OwnerWrite(state, false, backupTtlMillis, 0) : null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeObject(state);
        out.writeBoolean(ifAbsent);
        out.writeLong(ttlMillis);
        out.writeLong(backupTtlMillis);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        state = in.readObject();
        ifAbsent = in.readBoolean();
        ttlMillis = in.readLong();
        backupTtlMillis = in.readLong();
    }
}
