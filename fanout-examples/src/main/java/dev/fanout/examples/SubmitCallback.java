package dev.fanout.examples;

import static dev.fanout.examples.DemoTime.random;
import static dev.fanout.examples.DemoTime.sleep;

import dev.fanout.Future;
import dev.fanout.ThreadPool;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Submit and use a callback: instead of collecting the results, hand each future a function to call with it once its
 * task is done. The pool calls it on the worker thread that ran the task, as soon as the task finishes.
 */
public final class SubmitCallback {

    static int task(int name) throws InterruptedException {
        sleep(random());
        return name;
    }

    // called with the future once its task is done
    static void printResult(Future<Integer> future) {
        System.out.println(future.result());
    }

    public static void main(String[] args) {
        try (ThreadPool pool = new ThreadPool(10)) {
            List<Future<Integer>> futures = IntStream.range(0, 10)
                    .mapToObj(i -> pool.submit(() -> task(i)))
                    .toList();
            for (Future<Integer> future : futures) {
                future.addDoneCallback(SubmitCallback::printResult);
            }
        } // close() waits for the tasks, and so for their callbacks
    }
}
