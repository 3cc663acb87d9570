package dev.fanout;

import static dev.fanout.LincheckPrograms.check;
import static dev.fanout.LincheckPrograms.join;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The thread-per-task mode of {@link ThreadPool.Core} (what {@code virtualThreads()} uses), which takes no lock per
 * task, under Lincheck's model checker as whole programs with platform threads: a submit racing the end of the only
 * thread, and a submit racing {@code shutdown(true, …)}. A task left in the queue with no thread to run it shows as a
 * thread parked for ever in {@code result()}, which Lincheck reports.
 */
@Tag("lincheck")
@Timeout(600)
class ThreadPerTaskLincheckTest {
    /**
     * The windows are a few instructions wide. At this count, each of three mutants applied by hand failed a program:
     * the submit's second look at the slots removed, the ending thread's second look at the queue removed (both leave
     * a task stranded), and the submit's check of the state after it took a free slot removed (its task ran after
     * shutdown(true, …) returned).
     */
    private static int invocations() {
        return LincheckPrograms.invocations(300);
    }

    private static ThreadPool.Core core() {
        return new ThreadPool.Core(1, "lincheck", null, Thread::new, 0, ThreadPool.WhenFull.BLOCK, true);
    }

    /**
     * One slot: the main thread's task holds it while a producer submits a second. However the producer's look at the
     * slot, its add to the queue and its second look interleave with the thread's poll, give-back and second look,
     * the second task runs.
     */
    @Test
    void aSubmitRacingTheEndOfTheOnlyThreadIsNeverStranded() {
        Lincheck.runConcurrentTest(invocations(), () -> {
            ThreadPool.Core core = core();
            Future<Integer> first = core.submit(() -> 1);
            AtomicReference<Future<Integer>> second = new AtomicReference<>();
            Thread producer = new Thread(() -> second.set(core.submit(() -> 2)));
            producer.start();
            join(producer);
            check(first.result() == 1, "first: " + first);
            check(second.get().result() == 2, "second: " + second.get());
            core.shutdown(true, false);
        });
    }

    /**
     * A producer submits while the main thread shuts the pool down and waits: when shutdown returns, every task it
     * accepted has run (or was cancelled by it), and none runs after.
     */
    @Test
    void shutdownWaitsForEveryTaskItAccepted() {
        for (boolean cancel : new boolean[] {false, true}) {
            Lincheck.runConcurrentTest(invocations(), () -> {
                ThreadPool.Core core = core();
                AtomicInteger ran = new AtomicInteger();
                Future<Integer> first = core.submit(ran::incrementAndGet);
                AtomicReference<Object> second = new AtomicReference<>();
                Thread producer = new Thread(() -> {
                    try {
                        second.set(core.submit(ran::incrementAndGet));
                    } catch (RejectedExecutionException e) {
                        second.set(e);
                    }
                });
                producer.start();
                core.shutdown(true, cancel);
                int ranAtReturn = ran.get();
                join(producer);
                int accepted = 1;
                int cancelled = first.isCancelled() ? 1 : 0;
                if (second.get() instanceof Future<?> f) {
                    accepted++;
                    cancelled += f.isCancelled() ? 1 : 0;
                    check(f.isDone(), "accepted, yet pending after shutdown: " + f);
                }
                check(
                        ranAtReturn + cancelled == accepted,
                        ranAtReturn + " ran and " + cancelled + " were cancelled when shutdown returned, of " + accepted
                                + " accepted");
                check(ran.get() == ranAtReturn, "a task ran after shutdown(true, " + cancel + ") returned");
            });
        }
    }

    /**
     * No task before: the producer's submit takes the free slot as the shutdown comes. It is refused, or the shutdown
     * waits for its task.
     */
    @Test
    void aSubmitTakingAFreeSlotAsShutdownComesIsRefusedOrWaitedFor() {
        Lincheck.runConcurrentTest(invocations(), () -> {
            ThreadPool.Core core = core();
            AtomicInteger ran = new AtomicInteger();
            AtomicReference<Object> submitted = new AtomicReference<>();
            Thread producer = new Thread(() -> {
                try {
                    submitted.set(core.submit(ran::incrementAndGet));
                } catch (RejectedExecutionException e) {
                    submitted.set(e);
                }
            });
            producer.start();
            core.shutdown(true, false);
            int ranAtReturn = ran.get();
            join(producer);
            int accepted = submitted.get() instanceof Future<?> ? 1 : 0;
            check(ranAtReturn == accepted, ranAtReturn + " ran when shutdown returned, of " + accepted + " accepted");
        });
    }
}
