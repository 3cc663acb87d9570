package dev.fanout.examples;

import static dev.fanout.examples.DemoTime.random;
import static dev.fanout.examples.DemoTime.sleep;

import dev.fanout.ThreadPool;

/**
 * Submit and wait for all, with an explicit {@code shutdown()}: the same as leaving a try-with-resources block, for a
 * pool that is not created in one. {@code shutdown()} is {@code shutdown(true, false)}: wait for every task, cancel
 * none.
 */
public final class WaitForAllShutdown {

    static void task(int name) throws InterruptedException {
        sleep(random());
        System.out.println(name);
    }

    public static void main(String[] args) {
        ThreadPool pool = new ThreadPool(10);
        for (int i = 0; i < 10; i++) {
            int name = i;
            pool.submit(() -> task(name));
        }
        // no new tasks from now on, and wait for every task already submitted
        pool.shutdown();
        System.out.println("All tasks are done!");
    }
}
