package dev.fanout.contract;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fanout.ThreadPool;
import dev.fanout.tck.ExecutorFactory;

/**
 * The executor contract against a {@link ThreadPool} on virtual threads (JDK 21+), whose thread-per-task path is not the
 * platform pool's: a task starts a thread of its own, a thread runs the queued tasks behind it, then ends.
 */
class VirtualThreadPoolExecutorContractTest extends ThreadPoolExecutorContractTest {
    @Override
    ThreadPool.Builder configure(ThreadPool.Builder builder) {
        return builder.virtualThreads();
    }

    @Override
    protected ExecutorFactory newFactory() {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21");
        return super.newFactory();
    }
}
