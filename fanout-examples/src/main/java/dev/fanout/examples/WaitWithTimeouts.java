package dev.fanout.examples;

import static dev.fanout.examples.DemoTime.random;
import static dev.fanout.examples.DemoTime.sleep;

import dev.fanout.DoneAndNotDone;
import dev.fanout.Future;
import dev.fanout.FutureTimeoutException;
import dev.fanout.Futures;
import dev.fanout.MapOptions;
import dev.fanout.MapResults;
import dev.fanout.ReturnWhen;
import dev.fanout.ThreadPool;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Timeouts: every wait can be bounded. {@code result(timeout)} and {@code asCompleted(futures, timeout)} throw
 * {@code FutureTimeoutException} when the time is up; {@code Futures.wait(futures, timeout, ...)} never throws and
 * tells what is done by then; a {@code map} with a timeout ends its iteration and cancels what has not started. A
 * timeout stops the waiting, never a running task.
 */
public final class WaitWithTimeouts {

    static int task(int name) throws InterruptedException {
        sleep(random());
        return name;
    }

    public static void main(String[] args) {
        List<Integer> names = IntStream.range(0, 10).boxed().toList();
        try (ThreadPool pool = new ThreadPool(10)) {
            List<Future<Integer>> futures =
                    names.stream().map(i -> pool.submit(() -> task(i))).toList();

            // one result, waiting at most 0.1 s for it
            try {
                System.out.println("Task 0 returned " + futures.get(0).result(Duration.ofMillis(100)));
            } catch (FutureTimeoutException e) {
                System.out.println("Task 0 is not done after 0.1 s");
            }

            // wait with a timeout returns what is done by then, and never throws
            DoneAndNotDone<Integer> after = Futures.wait(futures, Duration.ofMillis(300), ReturnWhen.ALL_COMPLETED);
            System.out.println("After 0.3 s more: " + after.done().size() + " done, "
                    + after.notDone().size() + " not done");

            // asCompleted with a timeout: the results done by now, those that come within 0.3 s more, then an exception
            try {
                for (Future<Integer> future : Futures.asCompleted(futures, Duration.ofMillis(300))) {
                    System.out.println(future.result());
                }
            } catch (FutureTimeoutException e) {
                System.out.println("Timed out: " + e.getMessage());
            }
        } // close() lets the unfinished tasks run to their end

        // a whole map within 0.5 s: when the time is up, the iteration throws and cancels the tasks not started
        try (ThreadPool pool = new ThreadPool(5)) {
            int read = 0;
            try (MapResults<Integer> results = pool.map(
                    WaitWithTimeouts::task, names, MapOptions.defaults().timeout(Duration.ofMillis(500)))) {
                for (int result : results) {
                    System.out.println(result);
                    read++;
                }
                System.out.println("The map finished within 0.5 s");
            } catch (FutureTimeoutException e) {
                System.out.println("The map timed out after " + read + " results");
            }
        } // close() lets the tasks that had started run to their end
    }
}
