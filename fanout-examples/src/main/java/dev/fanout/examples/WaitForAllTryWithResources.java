package dev.fanout.examples;

import static dev.fanout.examples.DemoTime.random;
import static dev.fanout.examples.DemoTime.sleep;

import dev.fanout.ThreadPool;

/**
 * Submit and wait for all, by leaving a try-with-resources block: {@code close()} shuts the pool down and waits for
 * every task, so no list of futures is needed.
 */
public final class WaitForAllTryWithResources {

    static void task(int name) throws InterruptedException {
        sleep(random());
        System.out.println(name);
    }

    public static void main(String[] args) {
        try (ThreadPool pool = new ThreadPool(10)) {
            for (int i = 0; i < 10; i++) {
                int name = i;
                pool.submit(() -> task(name));
            }
        } // the wait happens here: close() returns once all ten tasks are done
        System.out.println("All tasks are done!");
    }
}
