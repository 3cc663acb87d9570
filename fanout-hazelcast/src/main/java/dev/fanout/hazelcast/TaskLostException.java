package dev.fanout.hazelcast;

/**
 * A task of an {@linkplain HazelcastExecutor.Delivery#AT_MOST_ONCE at-most-once} executor was running on a member that
 * left the cluster (it crashed, was killed, or lost its network) before its outcome was stored. The task may or may not
 * have done its work, and it is not run again: this is its future's exception, which {@code result()} throws.
 *
 * <p>It is a {@link RuntimeException}, not a {@link dev.fanout.BrokenExecutorException}: it is the outcome of one task,
 * while the executor goes on running the others; and {@code result()} rethrows it as it is.
 */
public class TaskLostException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String task;
    private final String member;

    /**
     * Creates the exception.
     *
     * @param task the task's name, {@code fanout-ID#N}
     * @param member the address of the member that was running it
     */
    public TaskLostException(String task, String member) {
        super(task + " was running on member " + member + " when it left the cluster; at-most-once delivery does"
                + " not run it again, so it may or may not have done its work");
        this.task = task;
        this.member = member;
    }

    /**
     * The task's name: the executor's name and the task's number, {@code fanout-ID#N}.
     *
     * @return the task's name
     */
    public String task() {
        return task;
    }

    /**
     * The address of the member that was running the task when it left.
     *
     * @return the member's address, {@code host:port}
     */
    public String member() {
        return member;
    }
}
