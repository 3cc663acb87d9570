package dev.fanout.benchmarks;

/**
 * How big each scenario is, and how many rounds it runs, in each mode of {@link BenchMain}.
 *
 * @param submitResult (a) tasks
 * @param asCompleted (b) tasks
 * @param orderedMap (c) items
 * @param chunkedMap (d) items
 * @param chunkSize (d) items per task
 * @param boundedMap (e) items of the lazy input
 * @param boundedBuffer (e) bufferSize; 0 for four per worker, the CPython baseline's buffersize
 * @param sleepTasks (f) platform: tasks
 * @param sleepWorkers (f) platform: workers
 * @param sleepMillis (f) platform: sleep per task
 * @param virtualTasks (f) virtual: tasks
 * @param virtualMillis (f) virtual: sleep per task
 * @param callbacks (g) futures
 * @param seedTasks (h) tasks, one worker each
 * @param seedMaxMillis (h) sleeps are drawn below this
 * @param sweepTasks tasks per point of the worker-count sweep
 * @param warmup rounds run and discarded
 * @param rounds rounds measured
 * @param pythonRepeat runs of the CPython script per scenario, best kept
 * @param heapTimeoutSeconds the limit on one child JVM of (e)
 */
record Sizes(
        int submitResult,
        int asCompleted,
        int orderedMap,
        int chunkedMap,
        int chunkSize,
        int boundedMap,
        int boundedBuffer,
        int sleepTasks,
        int sleepWorkers,
        int sleepMillis,
        int virtualTasks,
        int virtualMillis,
        int callbacks,
        int seedTasks,
        int seedMaxMillis,
        int sweepTasks,
        int warmup,
        int rounds,
        int pythonRepeat,
        int heapTimeoutSeconds) {

    /** The sizes of the issue, many rounds: for numbers to publish on a quiet machine. */
    static final Sizes FULL = new Sizes(
            200_000,
            100_000,
            200_000,
            1_000_000,
            1_000,
            10_000_000,
            0,
            2_000,
            200,
            50,
            10_000,
            100,
            200_000,
            10,
            1_000,
            200_000,
            3,
            10,
            5,
            300);

    /**
     * The sizes of the issue, fewer rounds: under five minutes on two cores. The bufferSize of (e) is 256, not 8: with
     * 8 the ten million items take a minute and a half on their own (a window that small hands over item by item).
     * The sleeping scenarios run 1 + 3 rounds, CPython keeps the best of 2.
     */
    static final Sizes QUICK = new Sizes(
            200_000,
            100_000,
            200_000,
            1_000_000,
            1_000,
            10_000_000,
            256,
            2_000,
            200,
            50,
            10_000,
            100,
            200_000,
            10,
            1_000,
            100_000,
            2,
            5,
            2,
            120);

    /** Tiny sizes, one round: every scenario and contender runs, in seconds. For CI. */
    static final Sizes SMOKE =
            new Sizes(2_000, 1_000, 2_000, 20_000, 100, 50_000, 0, 40, 4, 5, 200, 5, 2_000, 10, 50, 1_000, 0, 1, 1, 60);
}
