package dev.fanout.tck;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Latches and counters that tasks reach by name. A backend may serialize tasks and run them elsewhere in this same JVM
 * (the cluster's members do), so tasks capture a name (a String travels) and find the very object here.
 */
public final class Signals {
    private static final Map<String, CountDownLatch> LATCHES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> COUNTERS = new ConcurrentHashMap<>();

    private Signals() {}

    public static String latch(int count) {
        String name = "latch-" + UUID.randomUUID();
        LATCHES.put(name, new CountDownLatch(count));
        return name;
    }

    public static void countDown(String latch) {
        LATCHES.get(latch).countDown();
    }

    /** Waits at most 30 seconds; true if the latch opened. */
    public static boolean await(String latch) throws InterruptedException {
        return LATCHES.get(latch).await(30, TimeUnit.SECONDS);
    }

    public static long remaining(String latch) {
        return LATCHES.get(latch).getCount();
    }

    public static String counter() {
        String name = "counter-" + UUID.randomUUID();
        COUNTERS.put(name, new AtomicInteger());
        return name;
    }

    public static int increment(String counter) {
        return COUNTERS.get(counter).incrementAndGet();
    }

    public static int count(String counter) {
        return COUNTERS.get(counter).get();
    }
}
