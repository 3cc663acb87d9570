package dev.fanout.examples;

import static dev.fanout.examples.DemoTime.random;
import static dev.fanout.examples.DemoTime.sleep;

import dev.fanout.ThreadPool;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Map and wait: turn a for loop into tasks on a thread pool. The tasks run at the same time, and the results come back
 * in the order of the input, whichever task finishes first.
 */
public final class MapAndWait {

    // the work: sleep for a random time under a second, then hand back the name
    static int task(int name) throws InterruptedException {
        sleep(random());
        return name;
    }

    public static void main(String[] args) {
        List<Integer> names = IntStream.range(0, 10).boxed().toList();
        // ten worker threads; leaving the block waits for every task to finish
        try (ThreadPool pool = new ThreadPool(10)) {
            // every task starts now; each step of the loop waits for the next result in input order
            for (int result : pool.map(MapAndWait::task, names)) {
                System.out.println(result);
            }
        }
    }
}
