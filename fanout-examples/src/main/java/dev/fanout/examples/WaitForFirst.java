package dev.fanout.examples;

import static dev.fanout.examples.DemoTime.random;
import static dev.fanout.examples.DemoTime.sleep;

import dev.fanout.DoneAndNotDone;
import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.ReturnWhen;
import dev.fanout.ThreadPool;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Submit and wait for the first: when any one result will do (the same data from several mirrors, say), take the
 * first task to finish and drop the rest. {@code shutdown(false, true)} returns at once and cancels the tasks that
 * have not started; running tasks are never interrupted, so they finish in the background before the program exits.
 *
 * <p>The pool has five workers for ten tasks, so that five are still waiting in the queue to be cancelled.
 */
public final class WaitForFirst {

    static int task(int name) throws InterruptedException {
        sleep(random());
        return name;
    }

    public static void main(String[] args) {
        // no try-with-resources: close() would wait for every task
        ThreadPool pool = new ThreadPool(5);
        List<Future<Integer>> futures =
                IntStream.range(0, 10).mapToObj(i -> pool.submit(() -> task(i))).toList();
        // returns as soon as any task is done
        DoneAndNotDone<Integer> doneAndNotDone = Futures.wait(futures, ReturnWhen.FIRST_COMPLETED);
        System.out.println(doneAndNotDone.done().iterator().next().result());
        // do not wait, and cancel what has not started
        pool.shutdown(false, true);
        long cancelled = futures.stream().filter(Future::isCancelled).count();
        System.out.println("Cancelled " + cancelled + " tasks that had not started");
    }
}
