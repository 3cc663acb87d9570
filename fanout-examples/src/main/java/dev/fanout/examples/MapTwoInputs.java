package dev.fanout.examples;

import static dev.fanout.examples.DemoTime.random;
import static dev.fanout.examples.DemoTime.sleep;

import dev.fanout.ThreadPool;
import java.util.List;

/**
 * Map over two inputs: the function takes two arguments, and {@code map} takes one list for each, walked in step
 * (stopping at the end of the shorter one).
 */
public final class MapTwoInputs {

    // the work takes two values and hands both back, as Python's tuple
    static List<String> task(String value1, String value2) throws InterruptedException {
        sleep(random());
        return List.of(value1, value2);
    }

    public static void main(String[] args) {
        // the default size: min(32, processors + 4) worker threads
        try (ThreadPool pool = new ThreadPool()) {
            for (List<String> result : pool.map(MapTwoInputs::task, List.of("1", "2", "3"), List.of("a", "b", "c"))) {
                System.out.println(result);
            }
        }
    }
}
