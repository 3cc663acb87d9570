package dev.fanout.contract;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fanout.Executor;
import dev.fanout.ThreadPool;
import dev.fanout.tck.ExecutorContract;
import dev.fanout.tck.ExecutorFactory;
import java.util.regex.Pattern;

/**
 * The executor contract against a {@link ThreadPool} on virtual threads (JDK 21+), whose thread-per-task path is not the
 * platform pool's: a task starts a thread of its own, a thread runs the queued tasks behind it, then ends.
 */
class VirtualThreadPoolExecutorContractTest extends ExecutorContract {
    private static final int WORKERS = 4;

    @Override
    protected ExecutorFactory newFactory() {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21");
        String prefix = PoolTestSupport.uniquePrefix("tck-virtual");
        return new ExecutorFactory() {
            @Override
            public Executor create() {
                return ThreadPool.builder()
                        .virtualThreads()
                        .maxWorkers(WORKERS)
                        .threadNamePrefix(prefix)
                        .build();
            }

            @Override
            public int concurrency() {
                return WORKERS;
            }

            /** The virtual thread that ran the task completes its future: {@code PREFIX_N}. */
            @Override
            public String completerThreadNames() {
                return Pattern.quote(prefix) + "_\\d+";
            }

            @Override
            public void close() {}
        };
    }
}
