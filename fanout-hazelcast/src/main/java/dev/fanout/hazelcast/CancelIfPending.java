package dev.fanout.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code putIfAbsent(key, CANCELLED)} as an entry processor, so that {@code shutdown(cancelFutures)} cancels every
 * pending at-most-once task in one call per partition. Returns the state found, null if it cancelled the task. Runs on
 * the partition thread, like the member's own claim of the entry, so exactly one of them wins.
 *
 * <p>The backup gets CANCELLED for the keys this processor cancelled, and only those: the owner decides, and the
 * backup copies its decision rather than deciding again on its own copy of the entry.
 */
final class CancelIfPending implements EntryProcessor<Long, TaskState, TaskState>, DataSerializable {
    private static final long serialVersionUID = 1L;

    /**
     * On the owner: the keys cancelled so far. A member runs one instance for every partition of a call, on their
     * partition threads at once, hence a concurrent set; a partition's backup takes only its own keys from it.
     */
    private final transient Set<Long> cancelled = ConcurrentHashMap.newKeySet();

    /** For deserialization. */
    public CancelIfPending() {}

    @Override
    public TaskState process(Map.Entry<Long, TaskState> entry) {
        TaskState found = entry.getValue();
        if (found == null) {
            entry.setValue(TaskState.CANCELLED);
            cancelled.add(entry.getKey());
        }
        return found;
    }

    @Override
    public EntryProcessor<Long, TaskState, TaskState> getBackupProcessor() {
        return cancelled.isEmpty() ? null : new OnBackup(Set.copyOf(cancelled));
    }

    @Override
    public void writeData(ObjectDataOutput out) {}

    @Override
    public void readData(ObjectDataInput in) {}

    /** Writes CANCELLED on the backup of each key the owner cancelled. */
    static final class OnBackup implements EntryProcessor<Long, TaskState, TaskState>, DataSerializable {
        private static final long serialVersionUID = 1L;

        private transient Set<Long> keys; // written by writeData: Hazelcast never uses Java serialization here

        /** For deserialization. */
        public OnBackup() {}

        OnBackup(Set<Long> keys) {
            this.keys = keys;
        }

        @Override
        public TaskState process(Map.Entry<Long, TaskState> entry) {
            if (keys.contains(entry.getKey())) {
                entry.setValue(TaskState.CANCELLED);
            }
            return null;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeLongArray(keys.stream().mapToLong(Long::longValue).toArray());
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            keys = new java.util.HashSet<>();
            for (long k : in.readLongArray()) {
                keys.add(k);
            }
        }
    }
}
