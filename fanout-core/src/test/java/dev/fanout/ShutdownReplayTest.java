package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A deterministic replay of the race of issue 19, which the stress test {@code ThreadPerTaskCoreTest} met about once in
 * a few CI runs: {@code shutdown(true, …)} of a thread-per-task core returned while a task that {@code submit} accepted
 * was still pending, and a thread of the pool ran or cancelled it afterwards.
 *
 * <p>The interleaving, one slot, four threads (the test's, the pool's thread N, a producer P, a shutdown S):
 *
 * <ol>
 *   <li>A first task takes the slot; its thread N is made but held back by the thread factory, so it has not yet
 *       added itself to the set of threads.
 *   <li>P submits a second task: the pool is running, the slot is held, so P is about to queue it (held inside the
 *       queue's {@code add}).
 *   <li>S shuts down and waits: it takes its snapshot of the threads (N is not in it), and parks, a slot being held.
 *   <li>N runs the first task, finds the queue empty, gives its slot back (S wakes) and is held inside its second look
 *       at the queue.
 *   <li>S finds the queue empty and no slot held, joins the threads of its snapshot (none) and returns.
 *   <li>P queues its task, sees the shutdown and tries to take the task back; N's second look sees the task first,
 *       takes the free slot and polls it. P's take-back fails, so P's submit returns the task as accepted, and N runs
 *       (or, cancelling, cancels) it: after the shutdown returned.
 * </ol>
 *
 * <p>Each step is forced through a {@link SteppedQueue} that holds the named thread inside one call. Before the fix,
 * the last step happened every time. After it, step 5 differs: S closes the slots as it finds none held, then joins
 * every thread still registered, N among them, so S is still waiting when P queues; N's second look cannot take a
 * slot, N ends, P takes its task back and is refused, and S returns.
 */
@Timeout(60)
class ShutdownReplayTest {
    private static final Duration STEP = Duration.ofSeconds(20);

    /** A queue that holds the producer inside its add and the pool's thread inside its look after a give-back. */
    private static final class SteppedQueue extends WorkQueue {
        volatile Thread producer;
        volatile Thread worker;
        volatile Thread shutdown;
        final CountDownLatch producerAtAdd = new CountDownLatch(1);
        final CountDownLatch shutdownReturned = new CountDownLatch(1);
        final CountDownLatch added = new CountDownLatch(1);
        volatile boolean workerTookTheTask;
        /** Thread per task: hold the worker's look at the queue after its give-back until the task is queued. */
        volatile boolean holdWorkerLook = true;

        @Override
        void add(Runnable item) {
            if (Thread.currentThread() != producer) {
                super.add(item);
                return;
            }
            producerAtAdd.countDown();
            // Step 5 is over: the shutdown returned, or (fixed) closed the slots and is joining the pool's threads.
            await().atMost(STEP).until(() -> shutdownReturned.getCount() == 0 || isJoining(shutdown));
            super.add(item);
            added.countDown();
        }

        @Override
        Runnable peek() {
            if (holdWorkerLook && Thread.currentThread() == worker) {
                awaitStep(added); // the worker's look after its give-back: only once the task is queued
            }
            return super.peek();
        }

        @Override
        Runnable poll() {
            return tookBy(super.poll());
        }

        @Override
        Runnable take() {
            return tookBy(super.take());
        }

        private Runnable tookBy(Runnable item) {
            if (item != null && Thread.currentThread() == worker) {
                workerTookTheTask = true;
            }
            return item;
        }

        @Override
        boolean remove(Runnable item) {
            if (Thread.currentThread() == producer) {
                // The take-back after the producer saw the shutdown: let the worker's look go first, whatever it does.
                Thread w = worker;
                await().atMost(STEP).until(() -> workerTookTheTask || !w.isAlive());
            }
            return super.remove(item);
        }

        private static boolean isJoining(Thread t) {
            return t != null
                    && Arrays.stream(t.getStackTrace())
                            .anyMatch(f -> f.getClassName().equals("java.lang.Thread")
                                    && f.getMethodName().equals("join"));
        }

        private static void awaitStep(CountDownLatch step) {
            try {
                if (!step.await(STEP.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError("the replay did not reach its next step");
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @ParameterizedTest(name = "cancelFutures={0}")
    @ValueSource(booleans = {false, true})
    void aTaskQueuedAsTheShutdownReturnsIsRefusedNotRunAfterIt(boolean cancel) throws Exception {
        SteppedQueue queue = new SteppedQueue();
        CountDownLatch letWorkerGo = new CountDownLatch(1);
        ThreadPool.Core core = new ThreadPool.Core(
                1,
                "replay",
                null,
                r -> {
                    if (queue.worker != null) {
                        return new Thread(r); // a thread after N: not part of the replay
                    }
                    Thread t = new Thread(() -> {
                        SteppedQueue.awaitStep(letWorkerGo);
                        r.run();
                    });
                    queue.worker = t;
                    return t;
                },
                0,
                ThreadPool.WhenFull.BLOCK,
                true,
                queue);
        AtomicInteger ran = new AtomicInteger();

        // 1. The first task holds the slot; its thread is held back before it registers.
        Future<Integer> first = core.submit(ran::incrementAndGet);

        // 2. The producer's submit gets as far as the queue's add.
        AtomicReference<Object> second = new AtomicReference<>();
        Thread producer = submitUpToTheAdd(core, queue, ran, second);

        // 3. The shutdown takes its snapshot and parks: the slot is held.
        AtomicInteger ranAtReturn = new AtomicInteger(-1);
        Thread shutdown = new Thread(() -> {
            core.shutdown(true, cancel);
            ranAtReturn.set(ran.get());
            queue.shutdownReturned.countDown();
        });
        queue.shutdown = shutdown;
        shutdown.start();
        await().atMost(STEP).until(() -> shutdown.getState() == Thread.State.WAITING);

        // 4.–6. The worker runs the first task and gives its slot back; the rest follows from the queue's steps.
        letWorkerGo.countDown();
        shutdown.join(STEP.toMillis());
        producer.join(STEP.toMillis());
        queue.worker.join(STEP.toMillis());
        assertThat(shutdown.isAlive() || producer.isAlive() || queue.worker.isAlive())
                .as("a thread of the replay is stuck")
                .isFalse();

        int accepted = 1;
        int cancelled = first.isCancelled() ? 1 : 0;
        if (second.get() instanceof Future<?> f) {
            accepted++;
            cancelled += f.isCancelled() ? 1 : 0;
        }
        assertThat(ranAtReturn.get() + cancelled)
                .as(
                        "tasks run when shutdown(true, %s) returned, plus those cancelled, against %s accepted (%s)",
                        cancel, accepted, second.get())
                .isEqualTo(accepted);
        assertThat(ran.get()).as("tasks run after shutdown returned").isEqualTo(ranAtReturn.get());
        assertThat(second.get())
                .as("the task queued after the shutdown's last look")
                .isInstanceOf(RejectedExecutionException.class);
    }

    /**
     * The pooled engine's lock-free submit, in the same interleaving: its task is queued only after
     * {@code shutdown(true, …)} returned. A worker ends only by taking the wake-up, which every worker passes on behind
     * whatever is queued, and the shutdown joins every worker; so a worker that takes the late task is one the shutdown
     * still waits for, and once the shutdown has returned none is left to take it. The submit takes its task back and
     * is refused.
     */
    @ParameterizedTest(name = "cancelFutures={0}")
    @ValueSource(booleans = {false, true})
    void aPooledSubmitQueuingAsTheShutdownReturnsIsRefused(boolean cancel) throws Exception {
        SteppedQueue queue = new SteppedQueue();
        queue.holdWorkerLook = false;
        ThreadPool.Core core = new ThreadPool.Core(
                1,
                "replay",
                null,
                r -> {
                    Thread t = new Thread(r);
                    queue.worker = t;
                    return t;
                },
                0,
                ThreadPool.WhenFull.BLOCK,
                false,
                queue);
        AtomicInteger ran = new AtomicInteger();
        Future<Integer> first = core.submit(ran::incrementAndGet); // starts the only worker: submits go lock-free
        assertThat(first.result(STEP)).isEqualTo(1);

        AtomicReference<Object> second = new AtomicReference<>();
        Thread producer = submitUpToTheAdd(core, queue, ran, second);

        core.shutdown(true, cancel);
        int ranAtReturn = ran.get();
        queue.shutdownReturned.countDown();
        producer.join(STEP.toMillis());
        assertThat(producer.isAlive()).as("the producer is stuck").isFalse();

        assertThat(second.get())
                .as("the task queued after shutdown(true, %s) returned", cancel)
                .isInstanceOf(RejectedExecutionException.class);
        assertThat(ran.get()).as("tasks run after shutdown returned").isEqualTo(ranAtReturn);
    }

    /**
     * Starts the producer: its submit of a task counting into {@code ran} goes as far as the queue's add, where this
     * returns; {@code second} gets the future, or the refusal.
     */
    private static Thread submitUpToTheAdd(
            ThreadPool.Core core, SteppedQueue queue, AtomicInteger ran, AtomicReference<Object> second) {
        Thread producer = new Thread(() -> {
            try {
                second.set(core.submit(ran::incrementAndGet));
            } catch (RejectedExecutionException e) {
                second.set(e);
            }
        });
        queue.producer = producer;
        producer.start();
        SteppedQueue.awaitStep(queue.producerAtAdd);
        return producer;
    }
}
