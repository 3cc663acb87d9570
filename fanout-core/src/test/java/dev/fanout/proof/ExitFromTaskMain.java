package dev.fanout.proof;

import dev.fanout.Future;
import dev.fanout.ThreadPool;
import java.util.concurrent.CountDownLatch;

/**
 * A program whose pool task calls {@code System.exit(3)} while another task of the pool is still running; run in its
 * own JVM by {@link FaultInjectionTest#aTaskCallingSystemExitEndsTheJvm()}. The JVM must exit with status 3 once the
 * other task has finished, not hang.
 */
public final class ExitFromTaskMain {
    private ExitFromTaskMain() {}

    public static void main(String[] args) throws Exception {
        ThreadPool pool = new ThreadPool(2);
        CountDownLatch otherRunning = new CountDownLatch(1);
        CountDownLatch exitCalled = new CountDownLatch(1);
        Future<String> other = pool.submit(() -> {
            otherRunning.countDown();
            exitCalled.await(); // still running when exit begins: the exit hook waits for it
            return "other";
        });
        otherRunning.await();
        pool.submit(() -> {
            exitCalled.countDown();
            System.exit(3);
        });
        other.result();
        new CountDownLatch(1).await(); // main never returns: only the task's System.exit ends this JVM
    }
}
