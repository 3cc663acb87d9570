package dev.fanout.hazelcast.contract;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Latches and counters that tasks reach by name. Tasks are serialized and run by members in this same JVM, so they
 * capture a name (a String travels) and find the very object here.
 */
final class Signals {
    private static final Map<String, CountDownLatch> LATCHES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> COUNTERS = new ConcurrentHashMap<>();

    private Signals() {}

    static String latch(int count) {
        String name = "latch-" + UUID.randomUUID();
        LATCHES.put(name, new CountDownLatch(count));
        return name;
    }

    static void countDown(String latch) {
        LATCHES.get(latch).countDown();
    }

    /** Waits at most 30 seconds; true if the latch opened. */
    static boolean await(String latch) throws InterruptedException {
        return LATCHES.get(latch).await(30, TimeUnit.SECONDS);
    }

    static long remaining(String latch) {
        return LATCHES.get(latch).getCount();
    }

    static String counter() {
        String name = "counter-" + UUID.randomUUID();
        COUNTERS.put(name, new AtomicInteger());
        return name;
    }

    static int increment(String counter) {
        return COUNTERS.get(counter).incrementAndGet();
    }

    static int count(String counter) {
        return COUNTERS.get(counter).get();
    }
}
