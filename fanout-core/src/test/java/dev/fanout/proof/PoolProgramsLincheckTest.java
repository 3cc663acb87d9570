package dev.fanout.proof;

import static dev.fanout.proof.PromiseWaitersLincheckTest.check;
import static dev.fanout.proof.PromiseWaitersLincheckTest.join;

import dev.fanout.Future;
import dev.fanout.ThreadPool;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool under Lincheck's model checker, as whole programs with a real worker thread: every interleaving of the
 * worker, a canceller or producer, and {@code shutdown} that the checker tries must end with every accepted task in
 * exactly one final state, every callback run once, no thread parked for ever, and the worker gone once
 * {@code shutdown(true, …)} returns. ({@link PoolLincheckTest}'s operation-based model check crashes inside Lincheck
 * 3.7; these programs do not.)
 */
@Tag("lincheck")
@Timeout(600)
class PoolProgramsLincheckTest {

    /** Each program costs far more than a Promise program (a thread start, the pool's lock and queue). */
    static int invocations() {
        return Math.max(10, PromiseWaitersLincheckTest.invocations() * 2 / 5);
    }

    /** Cancel races the worker's start and a cancelling shutdown: one final state, one callback, the worker ended. */
    @Test
    void cancelAgainstTheWorkerAndACancellingShutdown() {
        Lincheck.runConcurrentTest(invocations(), () -> {
            List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
            ThreadPool pool = ThreadPool.builder()
                    .maxWorkers(1)
                    .threadFactory(r -> {
                        Thread t = new Thread(r);
                        threads.add(t);
                        return t;
                    })
                    .build();
            Future<Integer> f = pool.submit(() -> 1);
            AtomicInteger callbacks = new AtomicInteger();
            f.addDoneCallback(done -> callbacks.incrementAndGet());
            AtomicReference<Boolean> cancelled = new AtomicReference<>();
            Thread canceller = new Thread(() -> cancelled.set(f.cancel()));
            canceller.start();
            pool.shutdown(true, true);
            join(canceller);
            check(f.isDone(), "pending after shutdown(true, true): " + f);
            check(f.isCancelled() || Integer.valueOf(1).equals(f.result()), "neither cancelled nor finished: " + f);
            check(!cancelled.get() || f.isCancelled(), "cancel() won but the task finished");
            check(callbacks.get() == 1, "callback ran " + callbacks.get() + " times");
            for (Thread t : threads) {
                check(!t.isAlive(), "a worker outlived shutdown(wait=true)");
            }
        });
        LincheckRuns.recordProgram("pool: cancel vs worker vs shutdown(true, true)", invocations());
    }

    /** Two producers race a plain shutdown: each task is refused or runs to its result; nothing is left pending. */
    @Test
    void submitsAgainstShutdownAreRefusedOrRun() {
        Lincheck.runConcurrentTest(invocations(), () -> {
            ThreadPool pool = ThreadPool.builder().maxWorkers(1).build();
            List<Future<Integer>> accepted = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger refused = new AtomicInteger();
            Runnable produce = () -> {
                try {
                    accepted.add(pool.submit(() -> 2));
                } catch (RejectedExecutionException e) {
                    refused.incrementAndGet();
                }
            };
            Thread a = new Thread(produce);
            Thread b = new Thread(produce);
            a.start();
            b.start();
            pool.shutdown(false, false);
            join(a);
            join(b);
            pool.shutdown(true, false);
            check(accepted.size() + refused.get() == 2, accepted.size() + " accepted, " + refused.get() + " refused");
            for (Future<Integer> f : accepted) {
                check(f.isDone() && !f.isCancelled() && f.result() == 2, "accepted before shutdown, not run: " + f);
            }
        });
        LincheckRuns.recordProgram("pool: two submits vs shutdown(false, false)", invocations());
    }

    /** A producer blocked on a full bounded queue is refused by shutdown, never left parked (RELIABILITY.md bug 7). */
    @Test
    void shutdownFreesAProducerBlockedForRoom() {
        Lincheck.runConcurrentTest(invocations(), () -> {
            ThreadPool pool = ThreadPool.builder().maxWorkers(1).maxPending(1).build();
            CountDownLatch gate = new CountDownLatch(1);
            Future<Integer> running = pool.submit(() -> {
                gate.await();
                return 1;
            });
            // returns once the worker took the first task: then this one holds the only place in the queue
            Future<Integer> queued = pool.submit(() -> 2);
            AtomicReference<String> third = new AtomicReference<>();
            Thread producer = new Thread(() -> {
                try {
                    pool.submit(() -> 3);
                    third.set("accepted");
                } catch (RejectedExecutionException e) {
                    third.set("refused");
                }
            });
            producer.start();
            pool.shutdown(false, false);
            join(producer); // the worker is still held by the gate: only shutdown can free the producer
            check("refused".equals(third.get()), "the third submit was " + third.get());
            gate.countDown();
            pool.shutdown(true, false);
            check(
                    running.result() == 1 && queued.result() == 2,
                    "accepted tasks did not run: " + running + ", " + queued);
        });
        LincheckRuns.recordProgram("pool: producer blocked for room vs shutdown", invocations());
    }

    /**
     * Interleavings for the lock-free submit against a cancelling shutdown: the checker needed about 500 to find the
     * lost task when the submit's second check was removed by hand (20, the default here, never did).
     */
    private static final int RACE_INVOCATIONS = Math.max(600, PromiseWaitersLincheckTest.invocations());

    /**
     * Once every worker has started, submit queues without the pool's lock, checking the state before and after its
     * add: a submit racing a cancelling shutdown is refused or cancelled by it, never left pending. The only worker
     * waits in its initializer until the end, so that no task runs and the program stays small enough for the checker
     * to reach the interleaving that matters: the whole shutdown between the submit's first check and its add.
     */
    @Test
    void lockFreeSubmitAgainstACancellingShutdown() {
        Lincheck.runConcurrentTest(RACE_INVOCATIONS, () -> {
            CountDownLatch holdWorker = new CountDownLatch(1);
            ThreadPool pool = ThreadPool.builder()
                    .maxWorkers(1)
                    .initializer(holdWorker::await)
                    .build();
            Future<Integer> first = pool.submit(() -> 1); // starts the only worker: the next submit takes no lock
            AtomicReference<Object> second = new AtomicReference<>();
            Thread producer = new Thread(() -> {
                try {
                    second.set(pool.submit(() -> 2));
                } catch (RejectedExecutionException e) {
                    second.set(e);
                }
            });
            producer.start();
            pool.shutdown(false, true);
            join(producer);
            check(first.isCancelled(), "the queued task was not cancelled: " + first);
            if (second.get() instanceof Future<?> f) {
                check(f.isCancelled(), "accepted, then left pending by shutdown(cancelFutures): " + f);
            }
            holdWorker.countDown();
            pool.shutdown(true, false);
        });
        LincheckRuns.recordProgram("pool: a lock-free submit vs shutdown(false, true)", RACE_INVOCATIONS);
    }
}
