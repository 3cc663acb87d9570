package dev.fanout.examples;

import static dev.fanout.examples.DemoTime.random;
import static dev.fanout.examples.DemoTime.sleep;

import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.ThreadPool;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Submit and wait for all, with {@code Futures.wait}: for tasks that keep their results to themselves (here they
 * print them), wait until every one of a set of futures is done, and only then go on.
 */
public final class WaitForAll {

    // the work reports its own result: nothing to collect
    static void task(int name) throws InterruptedException {
        sleep(random());
        System.out.println(name);
    }

    public static void main(String[] args) {
        try (ThreadPool pool = new ThreadPool(10)) {
            List<Future<Void>> futures = IntStream.range(0, 10)
                    .mapToObj(i -> pool.submit(() -> task(i)))
                    .toList();
            // blocks until all ten are done (ReturnWhen.ALL_COMPLETED); what it returns is not needed here
            Futures.wait(futures);
            System.out.println("All tasks are done!");
        }
    }
}
