package dev.fanout.benchmarks;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The task bodies every contender runs, and the inputs they run over. */
final class Work {
    /** Iterations of {@link #cpu(int)} that take about one microsecond here; set by {@link #calibrate()}. */
    private static volatile int iterations = 250;

    /** The last list {@link #range(int)} made: every contender of a scenario maps the same one. */
    private static volatile List<Integer> lastRange;

    private Work() {}

    /** About a microsecond of CPU work, that the JIT cannot remove since its value is summed up. */
    static long cpu(int item) {
        long x = item + 0x9E3779B97F4A7C15L;
        for (int i = iterations; i > 0; i--) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    /**
     * Sets the iterations of {@link #cpu(int)} so that one call takes about a microsecond on one core of this machine.
     *
     * @return the nanoseconds one call takes after calibration
     */
    static double calibrate() {
        long sink = 0;
        for (int i = 0; i < 200_000; i++) {
            sink += cpu(i); // until the JIT has compiled it
        }
        double perCall = Double.NaN;
        for (int pass = 0; pass < 3; pass++) { // the cost per iteration is not quite linear: home in
            double best = Double.MAX_VALUE;
            for (int round = 0; round < 10; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 10_000; i++) {
                    sink += cpu(i);
                }
                best = Math.min(best, (System.nanoTime() - t0) / 10_000.0);
            }
            perCall = best;
            iterations = Math.max(1, (int) Math.round(iterations * 1_000 / best));
        }
        Blackhole.consume(sink);
        return perCall;
    }

    static int iterations() {
        return iterations;
    }

    /** The sum every ordered map must produce over {@code 0..n-1}: the check that a contender did all the work. */
    static long cpuSum(int n) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += cpu(i);
        }
        return sum;
    }

    /** {@code 0, 1, ..., n-1} as a list, made before the clock starts: the input of the maps. */
    static List<Integer> range(int n) {
        List<Integer> last = lastRange;
        if (last == null || last.size() != n) {
            last = IntStream.range(0, n).boxed().collect(Collectors.toCollection(() -> new ArrayList<>(n)));
            lastRange = last;
        }
        return last;
    }

    /** {@code 0, 1, ..., n-1}, made one at a time as read: an input too big to hold. */
    static Iterable<Integer> lazyRange(int n) {
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < n;
            }

            @Override
            public Integer next() {
                if (next >= n) {
                    throw new NoSuchElementException();
                }
                return next++;
            }
        };
    }

    /** The sum of {@code 0..n-1}: what the trivial tasks add up to. */
    static long triangle(int n) {
        return (long) n * (n - 1) / 2;
    }

    /** Keeps a value alive so that the JIT cannot drop the code that made it. */
    static final class Blackhole {
        private static volatile long sink;

        private Blackhole() {}

        static void consume(long value) {
            sink += value;
        }
    }
}
