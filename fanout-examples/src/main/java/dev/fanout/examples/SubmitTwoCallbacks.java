package dev.fanout.examples;

import static dev.fanout.examples.DemoTime.random;
import static dev.fanout.examples.DemoTime.sleep;

import dev.fanout.Future;
import dev.fanout.ThreadPool;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Two callbacks on each future: a future takes any number of callbacks, and calls them in the order they were added.
 */
public final class SubmitTwoCallbacks {

    static int task(int name) throws InterruptedException {
        sleep(random());
        return name;
    }

    static void firstCallback(Future<Integer> future) {
        System.out.println("Callback 1: " + future.result());
    }

    static void secondCallback(Future<Integer> future) {
        System.out.println("Callback 2: " + future.result());
    }

    public static void main(String[] args) {
        try (ThreadPool pool = new ThreadPool(10)) {
            List<Future<Integer>> futures = IntStream.range(0, 10)
                    .mapToObj(i -> pool.submit(() -> task(i)))
                    .toList();
            for (Future<Integer> future : futures) {
                future.addDoneCallback(SubmitTwoCallbacks::firstCallback);
                future.addDoneCallback(SubmitTwoCallbacks::secondCallback);
            }
        } // close() waits for the tasks, and so for their callbacks
    }
}
