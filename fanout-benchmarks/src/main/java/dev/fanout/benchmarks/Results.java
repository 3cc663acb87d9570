package dev.fanout.benchmarks;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/** What a run measured, scenario by scenario: the rows of the tables and the targets' verdicts. */
final class Results {
    private Results() {}

    /**
     * One system in one scenario.
     *
     * @param label the system
     * @param fanout whether it is Fanout (the baseline of the ratios)
     * @param medianNanos the median wall time of one run (NaN if it did not run)
     * @param perTaskNanos the median divided by the number of tasks or items
     * @param ratio the median over rounds of (this system's time / Fanout's time) in the same round: above 1, Fanout
     *     is faster
     * @param note n/a and why, a failure, or what else to know
     */
    record Row(String label, boolean fanout, double medianNanos, double perTaskNanos, double ratio, String note)
            implements Serializable {
        boolean ran() {
            return !Double.isNaN(medianNanos);
        }
    }

    /**
     * One system in scenario (e), run once in a JVM of its own.
     *
     * @param label the system
     * @param outcome {@code ok}, {@code OutOfMemoryError}, a time-out, or n/a and why
     * @param peakHeapMb the sum of the heap pools' peak usage, garbage included
     * @param peakLiveMb the most heap in use right after a collection
     * @param seconds the wall time of the map
     */
    record HeapRow(String label, String outcome, double peakHeapMb, double peakLiveMb, double seconds)
            implements Serializable {}

    /** A target of the issue and whether this run met it. */
    record Verdict(String scenario, String target, String measured, Status status) implements Serializable {}

    enum Status {
        MET,
        MISSED,
        NOT_AVAILABLE;

        @Override
        public String toString() {
            return switch (this) {
                case MET -> "met";
                case MISSED -> "**missed**";
                case NOT_AVAILABLE -> "n/a";
            };
        }
    }

    /**
     * One scenario's outcome.
     *
     * @param id the scenario's letter, (a) to (h)
     * @param title what it does, with its sizes
     * @param n tasks or items per run
     * @param workers workers per executor
     * @param idealNanos the shortest possible wall time, or 0 when that means nothing
     * @param rows one per system, timed
     * @param heapRows one per system, for scenario (e)
     */
    @SuppressWarnings("serial") // its lists are ArrayLists or List.of, both serializable
    record Scenario(
            String id, String title, int n, int workers, long idealNanos, List<Row> rows, List<HeapRow> heapRows)
            implements Serializable {}

    static double median(double[] values) {
        double[] v =
                Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }
}
