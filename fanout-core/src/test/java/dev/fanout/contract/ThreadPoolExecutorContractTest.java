package dev.fanout.contract;

import dev.fanout.Executor;
import dev.fanout.ThreadPool;
import dev.fanout.tck.ExecutorContract;
import dev.fanout.tck.ExecutorFactory;
import java.util.regex.Pattern;

/** The executor contract every backend passes (the cluster executor runs it too), against the {@link ThreadPool}. */
class ThreadPoolExecutorContractTest extends ExecutorContract {
    /** As many workers as the cluster contract's two members of two threads. */
    private static final int WORKERS = 4;

    /** The pool's options beyond its size and names: none here. */
    ThreadPool.Builder configure(ThreadPool.Builder builder) {
        return builder;
    }

    @Override
    protected ExecutorFactory newFactory() {
        String prefix = PoolTestSupport.uniquePrefix("tck");
        return new ExecutorFactory() {
            @Override
            public Executor create() {
                return configure(ThreadPool.builder().maxWorkers(WORKERS).threadNamePrefix(prefix))
                        .build();
            }

            @Override
            public int concurrency() {
                return WORKERS;
            }

            /** The worker (platform or virtual) that ran the task completes its future: {@code PREFIX_N}. */
            @Override
            public String completerThreadNames() {
                return Pattern.quote(prefix) + "_\\d+";
            }

            @Override
            public void close() {}
        };
    }
}
