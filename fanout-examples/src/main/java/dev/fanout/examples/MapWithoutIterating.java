package dev.fanout.examples;

import static dev.fanout.examples.DemoTime.random;
import static dev.fanout.examples.DemoTime.sleep;

import dev.fanout.ThreadPool;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Map without reading the results: unlike a lazy stream, {@code map} submits every task when it is called, so they
 * all run even though nobody iterates the results.
 */
public final class MapWithoutIterating {

    // the work says when it is done, since nobody reads what it returns
    static int task(int value) throws InterruptedException {
        sleep(random());
        System.out.println("Done: " + value);
        return value;
    }

    public static void main(String[] args) {
        List<Integer> values = IntStream.range(0, 5).boxed().toList();
        try (ThreadPool pool = new ThreadPool()) {
            // submits the five tasks; the results are never read
            pool.map(MapWithoutIterating::task, values);
        } // close() waits for all five
        System.out.println("All done!");
    }
}
