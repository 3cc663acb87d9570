package dev.fanout.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * One call from a caller to a member of its cluster: many tasks one way, many replies the other. It hands the tasks
 * (serialized envelopes) to the member's {@link Runner}, acknowledges the replies the caller has, and returns the
 * replies that came since the last exchange, waiting up to {@code waitMillis} for one if there is none (a poll). One
 * Hazelcast call thus carries as many tasks and replies as queued up while the previous call was on its way.
 */
final class Exchange implements Callable<Exchange.Replies>, DataSerializable, HazelcastInstanceAware {
    private String executorId;
    private long[] acks;
    private boolean resync;
    private long waitMillis;
    private boolean release;
    private boolean tracked;
    private byte control; // NONE, CANCEL or QUERY the tasks of controlKeys
    private long[] controlKeys = new long[0];
    private long[] keys;
    private byte[][] envelopes;

    private transient HazelcastInstance hazelcast;

    /** For deserialization only. */
    public Exchange() {}

    Exchange(String executorId, long[] acks, boolean resync, long waitMillis, long[] keys, byte[][] envelopes) {
        this.executorId = executorId;
        this.acks = acks;
        this.resync = resync;
        this.waitMillis = waitMillis;
        this.keys = keys;
        this.envelopes = envelopes;
    }

    static final byte NONE = 0;
    static final byte CANCEL = 1;
    static final byte QUERY = 2;

    /** Tasks that keep a state entry ({@link TaskEnvelope#call()}, at most once) rather than a job in the runner. */
    Exchange tracked(boolean tracked) {
        this.tracked = tracked;
        return this;
    }

    /** Also cancels or looks up these untracked tasks: see {@link Runner#control}. */
    Exchange control(byte control, long[] keys) {
        this.control = control;
        this.controlKeys = keys;
        return this;
    }

    /** The caller's executor is done: the member stops its runner and drops its replies. */
    static Exchange release(String executorId) {
        Exchange e = new Exchange(executorId, new long[0], false, 0, new long[0], new byte[0][]);
        e.release = true;
        return e;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
        this.hazelcast = hazelcastInstance;
    }

    @Override
    public Replies call() throws InterruptedException {
        if (release) {
            Runner.release(hazelcast, executorId);
            return new Replies(List.of(), new byte[0]);
        }
        boolean ackOnly = keys.length == 0 && control == NONE && waitMillis == 0;
        Runner runner = ackOnly ? Runner.existing(hazelcast, executorId) : Runner.of(hazelcast, executorId);
        if (runner == null) {
            return new Replies(List.of(), new byte[0]); // released meanwhile: nothing to acknowledge
        }
        runner.ack(acks); // first: a task sent again after its error reply must not find its old job
        for (int i = 0; i < keys.length; i++) {
            runner.execute(keys[i], envelopes[i], tracked);
        }
        byte[] found = control == NONE ? new byte[0] : runner.control(controlKeys, control == CANCEL);
        return new Replies(runner.exchange(resync, waitMillis), found);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(executorId);
        out.writeLongArray(acks);
        out.writeBoolean(resync);
        out.writeLong(waitMillis);
        out.writeBoolean(release);
        out.writeBoolean(tracked);
        out.writeByte(control);
        out.writeLongArray(controlKeys);
        out.writeLongArray(keys);
        for (byte[] envelope : envelopes) {
            out.writeByteArray(envelope);
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        executorId = in.readString();
        acks = in.readLongArray();
        resync = in.readBoolean();
        waitMillis = in.readLong();
        release = in.readBoolean();
        tracked = in.readBoolean();
        control = in.readByte();
        controlKeys = in.readLongArray();
        keys = in.readLongArray();
        envelopes = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            envelopes[i] = in.readByteArray();
        }
    }

    @Override
    public String toString() {
        return "exchange with " + Names.executor(executorId) + ": " + keys.length + " tasks";
    }

    /** What an exchange brings back: replies of the member's {@link Runner}, each still serialized. */
    static final class Replies implements DataSerializable {
        private List<Runner.Reply> replies;
        private byte[] found;

        /** For deserialization only. */
        public Replies() {}

        Replies(List<Runner.Reply> replies, byte[] found) {
            this.replies = replies;
            this.found = found;
        }

        /** What the runner found of the exchange's control keys, in their order. */
        byte[] found() {
            return found;
        }

        List<Runner.Reply> replies() {
            return replies;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeInt(replies.size());
            for (Runner.Reply r : replies) {
                out.writeLong(r.seq());
                out.writeLong(r.key());
                out.writeByte(r.kind());
                out.writeByteArray(r.data());
            }
            out.writeByteArray(found);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            int n = in.readInt();
            replies = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                replies.add(new Runner.Reply(in.readLong(), in.readLong(), in.readByte(), in.readByteArray()));
            }
            found = in.readByteArray();
        }
    }
}
