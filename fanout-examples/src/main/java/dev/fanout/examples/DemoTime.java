package dev.fanout.examples;

import java.util.Random;

/**
 * Python's {@code random()} and {@code time.sleep()} for the examples, so that their tasks read as the tutorial's do:
 * {@code sleep(random())}. Replace them with your own work when you copy an example.
 *
 * <p>Two system properties make a run repeatable and quick, for the tests and for {@code ./fanout demo --seed N
 * --scale X}: {@code fanout.demo.seed} fixes the random sequence, and {@code fanout.demo.scale} multiplies every sleep
 * (0.1 runs ten times faster). They are read at class loading and by {@link #reset()}.
 */
final class DemoTime {
    private static Random random; // guarded by DemoTime.class
    private static volatile double scale;

    /** What {@link #sleep(double)} does; the tests put a gate here to decide when each task wakes up. */
    interface Sleeper {
        void sleep(double seconds) throws InterruptedException;
    }

    static final Sleeper REAL = seconds -> Thread.sleep(Math.round(seconds * scale * 1000));

    static volatile Sleeper sleeper = REAL;

    static {
        reset();
    }

    private DemoTime() {}

    /** A random number in [0, 1), like Python's {@code random.random()}. */
    static synchronized double random() {
        return random.nextDouble();
    }

    /** Sleeps for {@code seconds} (times the scale), like Python's {@code time.sleep}. */
    static void sleep(double seconds) throws InterruptedException {
        sleeper.sleep(seconds);
    }

    /** Reads the seed and the scale again, so that each example run starts the same random sequence. */
    static synchronized void reset() {
        String seed = System.getProperty("fanout.demo.seed");
        random = seed == null ? new Random() : new Random(Long.parseLong(seed));
        double s = Double.parseDouble(System.getProperty("fanout.demo.scale", "1"));
        if (!(s >= 0)) {
            throw new IllegalArgumentException("fanout.demo.scale must be 0 or more, got " + s);
        }
        scale = s;
    }
}
