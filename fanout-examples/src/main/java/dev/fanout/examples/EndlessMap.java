package dev.fanout.examples;

import static dev.fanout.examples.DemoTime.random;
import static dev.fanout.examples.DemoTime.sleep;

import dev.fanout.MapOptions;
import dev.fanout.MapResults;
import dev.fanout.ThreadPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Map over an endless input. Python's {@code map} reads its whole input before it hands out the first result, so a
 * huge input fills the memory and an endless one never starts. With {@code bufferSize(n)}, Fanout's {@code map} reads
 * the input only {@code n} tasks ahead of the loop that consumes the results: memory stays flat, however long it runs.
 */
public final class EndlessMap {
    static final int RESULTS = 10_000;
    static final int BUFFER_SIZE = 64;

    // the work: a random sleep under 10 ms, so that ten thousand of them take seconds, not hours
    static long task(long number) throws InterruptedException {
        sleep(random() / 100);
        return number;
    }

    public static void main(String[] args) {
        // an input that never ends: 0, 1, 2, ... and the counter tells how much of it was read
        AtomicLong itemsRead = new AtomicLong();
        Iterable<Long> numbers =
                () -> Stream.generate(itemsRead::getAndIncrement).iterator();

        System.out.printf("Heap in use at the start: %.1f MB%n", heapInUseMegabytes());
        long consumed = 0;
        try (ThreadPool pool = new ThreadPool(32);
                MapResults<Long> results = pool.map(
                        EndlessMap::task, numbers, MapOptions.defaults().bufferSize(BUFFER_SIZE))) {
            for (long result : results) {
                consumed++;
                if (consumed % (RESULTS / 50) == 0) {
                    printProgress(consumed);
                }
                if (consumed == RESULTS) {
                    break; // leaving the block closes the results: the tasks read ahead are cancelled
                }
            }
        }
        System.out.println();
        System.out.printf("Heap in use at the end: %.1f MB%n", heapInUseMegabytes());
        System.out.printf(
                "Read %d items of the endless input for %d results: never more than %d ahead%n",
                itemsRead.get(), consumed, BUFFER_SIZE);
    }

    // a bar of 50 steps, redrawn in place
    static void printProgress(long consumed) {
        int percent = (int) (consumed * 100 / RESULTS);
        String bar = "#".repeat(percent / 2) + " ".repeat(50 - percent / 2);
        System.out.print("\r[" + bar + "] " + percent + "%");
        System.out.flush();
    }

    static double heapInUseMegabytes() {
        Runtime runtime = Runtime.getRuntime();
        runtime.gc();
        return (runtime.totalMemory() - runtime.freeMemory()) / 1e6;
    }
}
