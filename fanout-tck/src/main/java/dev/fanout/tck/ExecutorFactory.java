package dev.fanout.tck;

import dev.fanout.Executor;

/**
 * Makes the executor under test: {@link ExecutorContract} runs every backend through one of these. Each call returns a
 * new executor; the factory owns whatever it shares between them (members of a cluster) and releases it in
 * {@link #close()}.
 */
public interface ExecutorFactory extends AutoCloseable {
    /** A new executor, able to run at least {@link #concurrency()} tasks at once. */
    Executor create();

    /** How many tasks the executors run at once, at most: tests fill them up to hold a task back. */
    int concurrency();

    /**
     * The names of the threads that complete the executors' futures, as a regular expression: a callback added before
     * its future is done runs on one of them. Backends differ here: the thread pool completes a future on the worker
     * that ran the task, a cluster executor on a thread of its own that receives the outcome.
     */
    String completerThreadNames();

    @Override
    void close();
}
