package dev.fanout.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Objects;
import java.util.UUID;

/**
 * The state of one task, as the entry of the executor's state map holds it (at most once), and as the member's reply
 * carries it (either mode: at least once, only DONE and CANCELLED, from a {@link Runner}).
 *
 * <pre>
 *   (no entry)  PENDING     submitted, not started; the caller's cancel() and the member's start race for the entry
 *   RUNNING     started on {@code member} ({@code attempt}: 1)
 *   CANCELLED   cancel() won: the task never runs
 *   DONE        finished; {@code outcome} is the value or a {@link Failure}
 *   LOST        was RUNNING on a member that left, so it is not run again
 *   DELIVERED   tombstone of a task whose outcome the caller has: a late copy of the task finds it and does not run
 *
 *   PENDING -> RUNNING | CANCELLED            (putIfAbsent: exactly one winner)
 *   RUNNING -> DONE                           (set by the member that ran it)
 *   RUNNING -> LOST                           (its member left; replace: one winner)
 *   DONE | CANCELLED | LOST -> DELIVERED      (caller, after handing the outcome over; expires after
 *                                              HazelcastExecutor.TOMBSTONE_TTL_MILLIS, or never if it resent the task)
 * </pre>
 *
 * <p>An entry is never deleted while a copy of its task may still arrive: Hazelcast re-sends a task by itself when
 * the member it went to leaves, and the caller is not told, so a copy may reach a member after the caller has the
 * outcome. Were the entry gone, that copy would win the putIfAbsent and run the task again.
 *
 * <p>Every write is backed up: the entry must tell, after its owner died, whether the task had started.
 *
 * <p>Replies use two more kinds that never enter the map: {@code CLOSED} (the executor was shut down before the task
 * started) and RUNNING meaning "a copy of this task is running elsewhere: ask the map later".
 *
 * <p>A {@link DataSerializable} rather than {@link java.io.Serializable}: cheaper, written deterministically (so that
 * {@code IMap.replace(key, expected, update)} compares bytes reliably), and needing no factory registered on members.
 */
final class TaskState implements DataSerializable {
    enum Kind {
        RUNNING,
        CANCELLED,
        DONE,
        LOST,
        DELIVERED,
        CLOSED
    }

    static final TaskState CANCELLED = new TaskState(Kind.CANCELLED, null, null, 0, null);
    static final TaskState DELIVERED = new TaskState(Kind.DELIVERED, null, null, 0, null);
    static final TaskState CLOSED = new TaskState(Kind.CLOSED, null, null, 0, null);

    private Kind kind;
    private UUID member; // RUNNING, LOST: the member that runs or ran it
    private String address; // RUNNING, LOST: that member's address, for messages
    private int attempt; // RUNNING, DONE: how many times it was started
    private Object outcome; // DONE

    /** For deserialization only. */
    public TaskState() {}

    private TaskState(Kind kind, UUID member, String address, int attempt, Object outcome) {
        this.kind = kind;
        this.member = member;
        this.address = address;
        this.attempt = attempt;
        this.outcome = outcome;
    }

    static TaskState running(UUID member, String address, int attempt) {
        return new TaskState(Kind.RUNNING, member, address, attempt, null);
    }

    static TaskState done(Object outcome, int attempt) {
        return new TaskState(Kind.DONE, null, null, attempt, outcome);
    }

    static TaskState lost(UUID member, String address) {
        return new TaskState(Kind.LOST, member, address, 0, null);
    }

    Kind kind() {
        return kind;
    }

    UUID member() {
        return member;
    }

    String address() {
        return address;
    }

    int attempt() {
        return attempt;
    }

    Object outcome() {
        return outcome;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByte(kind.ordinal());
        switch (kind) {
            case RUNNING, LOST -> {
                out.writeLong(member.getMostSignificantBits());
                out.writeLong(member.getLeastSignificantBits());
                out.writeString(address);
                out.writeInt(attempt);
            }
            case DONE -> {
                out.writeInt(attempt);
                out.writeObject(outcome);
            }
            case CANCELLED, DELIVERED, CLOSED -> {}
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        kind = Kind.values()[in.readByte()];
        switch (kind) {
            case RUNNING, LOST -> {
                member = new UUID(in.readLong(), in.readLong());
                address = in.readString();
                attempt = in.readInt();
            }
            case DONE -> {
                attempt = in.readInt();
                outcome = in.readObject();
            }
            case CANCELLED, DELIVERED, CLOSED -> {}
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskState other
                && kind == other.kind
                && Objects.equals(member, other.member)
                && attempt == other.attempt;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, member, attempt);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case RUNNING -> "RUNNING(attempt " + attempt + " on " + address + ")";
            case LOST -> "LOST(on " + address + ")";
            case DONE -> "DONE(attempt " + attempt + ")";
            case CANCELLED, DELIVERED, CLOSED -> kind.name();
        };
    }
}
