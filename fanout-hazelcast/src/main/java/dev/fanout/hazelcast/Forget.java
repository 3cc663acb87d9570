package dev.fanout.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.util.Map;

/** Deletes the entries of delivered tasks, a batch of keys in one call per member rather than one call per task. */
final class Forget implements EntryProcessor<Long, TaskState, Object>, DataSerializable {
    private static final long serialVersionUID = 1L;

    /** For deserialization. */
    public Forget() {}

    @Override
    public Object process(Map.Entry<Long, TaskState> entry) {
        entry.setValue(null);
        return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) {}

    @Override
    public void readData(ObjectDataInput in) {}
}
