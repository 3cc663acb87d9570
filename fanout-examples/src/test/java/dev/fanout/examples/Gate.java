package dev.fanout.examples;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link DemoTime.Sleeper} that holds every task in its {@code sleep} until the test lets it go, so that the test
 * decides in which order tasks finish. Tasks are known by the order in which they arrived at the gate.
 */
final class Gate implements DemoTime.Sleeper {
    static final Duration PATIENCE = Duration.ofSeconds(30);

    private final List<CountDownLatch> arrivals = new ArrayList<>(); // guarded by this
    private boolean open; // guarded by this
    private final AtomicInteger woken = new AtomicInteger();

    @Override
    public void sleep(double seconds) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(1);
        synchronized (this) {
            if (open) {
                latch.countDown();
            }
            arrivals.add(latch);
        }
        try {
            latch.await();
        } finally {
            woken.incrementAndGet();
        }
    }

    /** How many tasks have reached the gate so far. */
    synchronized int arrived() {
        return arrivals.size();
    }

    /** How many tasks have gone through the gate. */
    int woken() {
        return woken.get();
    }

    void awaitArrivals(int n) {
        await().atMost(PATIENCE).until(() -> arrived() >= n);
    }

    void awaitWoken(int n) {
        await().atMost(PATIENCE).until(() -> woken() >= n);
    }

    /** Lets the task that arrived {@code index}-th (from 0) go on. */
    synchronized void release(int index) {
        arrivals.get(index).countDown();
    }

    /** Lets every task that has arrived go on; those that come later wait. */
    synchronized void releaseArrived() {
        arrivals.forEach(CountDownLatch::countDown);
    }

    /** Lets every task go on, now and from now on. */
    synchronized void open() {
        open = true;
        arrivals.forEach(CountDownLatch::countDown);
    }
}
