package dev.fanout.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.util.Map;

/**
 * {@code putIfAbsent(key, CANCELLED)} as an entry processor, so that {@code shutdown(cancelFutures)} cancels every
 * pending task in one call per member. Returns the state found, null if it cancelled the task. Runs on the partition
 * thread, like the member's own claim of the entry, so exactly one of them wins.
 */
final class CancelIfPending implements EntryProcessor<Long, TaskState, TaskState>, DataSerializable {
    private static final long serialVersionUID = 1L;

    /** For deserialization. */
    public CancelIfPending() {}

    @Override
    public TaskState process(Map.Entry<Long, TaskState> entry) {
        TaskState found = entry.getValue();
        if (found == null) {
            entry.setValue(TaskState.CANCELLED);
        }
        return found;
    }

    @Override
    public void writeData(ObjectDataOutput out) {}

    @Override
    public void readData(ObjectDataInput in) {}
}
