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
 * Replaces the entries of delivered at-most-once tasks with a {@link TaskState#DELIVERED} tombstone that expires after
 * {@code ttlMillis}, a batch of keys in one call per partition rather than one call per task; backed up.
 *
 * <p>A tombstone, not a delete: Hazelcast re-sends a task sent with {@code submitToKeyOwner} by itself when the member
 * it went to leaves (see {@link HazelcastExecutor}), so a copy of a delivered task may still reach a member, and a copy
 * that found no entry would claim it and run the task again. Also written where the entry is missing (its member died
 * before the backup of the entry was made): the copy finds the tombstone all the same.
 */
final class Forget implements EntryProcessor<Long, TaskState, Object>, DataSerializable {
    private static final long serialVersionUID = 1L;

    private long ttlMillis;

    /** For deserialization. */
    public Forget() {}

    Forget(long ttlMillis) {
        this.ttlMillis = ttlMillis;
    }

    @Override
    public Object process(Map.Entry<Long, TaskState> entry) {
        if (entry instanceof ExtendedMapEntry<Long, TaskState> e) {
            e.setValue(TaskState.DELIVERED, ttlMillis, TimeUnit.MILLISECONDS);
        } else {
            entry.setValue(TaskState.DELIVERED); // no TTL to be had: a tombstone for good is the safe side
        }
        return null;
    }

    @Override
    public EntryProcessor<Long, TaskState, Object> getBackupProcessor() {
        return this;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeLong(ttlMillis);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        ttlMillis = in.readLong();
    }
}
