package dev.fanout.examples;

import static dev.fanout.examples.DemoTime.random;
import static dev.fanout.examples.DemoTime.sleep;

import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.ThreadPool;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Submit and use as completed: submit each task for a future, then take the futures in the order their tasks finish,
 * so each result is used as soon as it exists.
 */
public final class SubmitAsCompleted {

    static int task(int name) throws InterruptedException {
        sleep(random());
        return name;
    }

    public static void main(String[] args) {
        try (ThreadPool pool = new ThreadPool(10)) {
            // one future per task, in submission order
            List<Future<Integer>> futures = IntStream.range(0, 10)
                    .mapToObj(i -> pool.submit(() -> task(i)))
                    .toList();
            // each future comes out of asCompleted when its task is done: the quickest first
            for (Future<Integer> future : Futures.asCompleted(futures)) {
                System.out.println(future.result());
            }
        }
    }
}
