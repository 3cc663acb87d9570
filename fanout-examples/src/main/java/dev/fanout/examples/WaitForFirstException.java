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
 * Wait for the first exception: {@code ReturnWhen.FIRST_EXCEPTION} returns as soon as any task throws (or, if none
 * does, once all are done), so a batch can stop at its first failure instead of running to the end.
 */
public final class WaitForFirstException {

    // the work: task 3 fails after its sleep
    static int task(int name) throws InterruptedException {
        sleep(random());
        if (name == 3) {
            throw new IllegalStateException("task 3 could not read its input");
        }
        return name;
    }

    public static void main(String[] args) {
        // four workers for ten tasks: some are still queued when task 3 fails
        try (ThreadPool pool = new ThreadPool(4)) {
            List<Future<Integer>> futures = IntStream.range(0, 10)
                    .mapToObj(i -> pool.submit(() -> task(i)))
                    .toList();
            DoneAndNotDone<Integer> doneAndNotDone = Futures.wait(futures, ReturnWhen.FIRST_EXCEPTION);
            System.out.println("Wait returned with " + doneAndNotDone.done().size() + " done and "
                    + doneAndNotDone.notDone().size() + " not done");
            for (Future<Integer> future : doneAndNotDone.done()) {
                if (future.exception() != null) {
                    System.out.println("Failed: " + future.exception());
                }
            }
            // give up on the rest: cancel() succeeds only for the tasks that have not started
            long cancelled =
                    doneAndNotDone.notDone().stream().filter(Future::cancel).count();
            System.out.println("Cancelled " + cancelled + " tasks that had not started");
        } // close() waits for the tasks still running
    }
}
