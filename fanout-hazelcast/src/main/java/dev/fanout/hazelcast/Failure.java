package dev.fanout.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;

/**
 * The outcome of a task that threw: carried back to the caller inside the reply rather than as the invocation's
 * exception, so that Hazelcast does not rewrap or clone it, and {@code result()} rethrows the task's exception as the
 * task threw it.
 */
final class Failure implements DataSerializable {
    private Throwable exception;

    /** For deserialization only. */
    public Failure() {}

    Failure(Throwable exception) {
        this.exception = exception;
    }

    Throwable exception() {
        return exception;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeObject(exception);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        exception = in.readObject();
    }
}
