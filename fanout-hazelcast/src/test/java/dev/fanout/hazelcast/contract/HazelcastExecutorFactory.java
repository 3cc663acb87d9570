package dev.fanout.hazelcast.contract;

import com.hazelcast.core.HazelcastInstance;
import dev.fanout.Executor;
import dev.fanout.hazelcast.HazelcastExecutor;
import dev.fanout.hazelcast.TestClusters;
import dev.fanout.tck.ExecutorFactory;
import dev.fanout.tck.Signals;
import java.util.List;

/**
 * Two in-JVM members with two task threads each; every executor is a new HazelcastExecutor on the first. The members
 * deserialize the tasks of the contract's package and of this one.
 */
final class HazelcastExecutorFactory implements ExecutorFactory {
    static final int MEMBERS = 2;
    static final int THREADS = 2;

    private final List<HazelcastInstance> members = TestClusters.members(
            "contract",
            MEMBERS,
            THREADS,
            List.of(Signals.class.getPackageName(), HazelcastExecutorFactory.class.getPackageName()));

    @Override
    public Executor create() {
        return new HazelcastExecutor(members.get(0));
    }

    @Override
    public int concurrency() {
        return MEMBERS * THREADS;
    }

    /** The executor's own threads, {@code fanout-ID-completer-N}: the task ran on a member, its outcome arrives here. */
    @Override
    public String completerThreadNames() {
        return "fanout-[0-9a-f]{8}-completer-\\d+";
    }

    @Override
    public void close() {
        TestClusters.shutdown(members);
    }
}
