package dev.fanout.examples;

import static dev.fanout.examples.DemoTime.random;
import static dev.fanout.examples.DemoTime.sleep;

import dev.fanout.Future;
import dev.fanout.ThreadPool;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Submit and use sequentially: submit each task for a future, then walk the futures in submission order. Each
 * {@code result()} waits for its own task, so the results come in the order the tasks were submitted.
 */
public final class SubmitSequentially {

    static int task(int name) throws InterruptedException {
        sleep(random());
        return name;
    }

    public static void main(String[] args) {
        try (ThreadPool pool = new ThreadPool(10)) {
            List<Future<Integer>> futures = IntStream.range(0, 10)
                    .mapToObj(i -> pool.submit(() -> task(i)))
                    .toList();
            // the list itself, not asCompleted: a slow task at the front holds up the ones behind it
            for (Future<Integer> future : futures) {
                System.out.println(future.result());
            }
        }
    }
}
