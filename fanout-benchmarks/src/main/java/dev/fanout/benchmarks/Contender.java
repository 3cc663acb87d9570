package dev.fanout.benchmarks;

/**
 * One system measured in one scenario. {@link #open(int)} builds its executor, outside the clock; the trial it
 * returns runs the workload, on the clock, as often as asked.
 */
interface Contender {

    /** The name shown in tables and charts. */
    String label();

    /** Whether this is Fanout, the system the others are compared with. */
    default boolean isFanout() {
        return label().startsWith("Fanout");
    }

    /**
     * Builds the executor.
     *
     * @param workers the number of worker threads (or the bound on concurrency, for virtual threads)
     * @throws Unavailable if this system cannot run on this JDK or build
     */
    Trial open(int workers);

    /** A contender's executor, ready to run the workload. */
    interface Trial extends AutoCloseable {
        /**
         * Runs the workload once over {@code n} items.
         *
         * @return a checksum of the results, the same for every contender
         */
        long run(int n) throws Exception;

        /** Shuts the executor down and waits for its threads. */
        @Override
        void close();

        /** A trial that runs {@code workload} and, once closed, runs {@code close}: see also {@link Pools#trial}. */
        static Trial of(Workload workload, Runnable close) {
            return new Trial() {
                @Override
                public long run(int n) throws Exception {
                    return workload.run(n);
                }

                @Override
                public void close() {
                    close.run();
                }
            };
        }
    }

    /** What {@link Trial#run(int)} does, for {@link Trial#of}. */
    @FunctionalInterface
    interface Workload {
        /** Runs the workload once over {@code n} items and returns the checksum of the results. */
        long run(int n) throws Exception;
    }

    /** The contender cannot run here: on JDK 17, or in a build made on JDK 17. */
    final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(String why) {
            super(why, null, false, false);
        }
    }
}
