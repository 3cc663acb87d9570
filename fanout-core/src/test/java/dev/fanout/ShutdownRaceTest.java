package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;

/**
 * Stress tests of {@link ThreadPool}'s shutdown against {@code submit} from other threads, white-box: a fresh pool
 * per round (4,000 rounds per race, two or three submitters making six attempts each), its tasks held at a gate so
 * that the shutdown finds them queued or running.
 *
 * <p>States and transitions exercised (see the comment on {@code ThreadPool.Core}): the pool's RUNNING -> SHUT_DOWN
 * under its lock against submits checking the state and queueing under the same lock; the drain of the queue and the
 * cancel of every drained task (PENDING -> CANCELLED) against workers taking tasks (PENDING -> RUNNING); WAKE passed
 * from worker to worker; the join of every worker; and, for a bounded queue, producers blocked for room against the
 * drain that gives room back. Invariants:
 *
 * <ul>
 *   <li>every {@code submit} either throws {@link RejectedExecutionException} ({@code cannot schedule new futures
 *       after shutdown}) or returns a future, and once one thread was rejected it stays rejected;
 *   <li>every accepted future ends cancelled or finished, never stuck pending: {@code cancelled + finished ==
 *       accepted}, and exactly the finished ones ran their task, once;
 *   <li>{@code shutdown(false, true)} returns while tasks still run, having cancelled every task that no worker had
 *       taken, so at most {@code maxWorkers} accepted tasks escape cancellation;
 *   <li>{@code shutdown(true, false)} returns only once every accepted task has run to the end;
 *   <li>two shutdowns at once (one cancelling, one waiting) keep all of the above, and the waiting one returns with
 *       no task running;
 *   <li>a bounded queue ({@code maxPending}): producers blocked for room all return, and every permit comes back.
 * </ul>
 */
class ShutdownRaceTest {
    private static final int ROUNDS = 4_000;
    private static final int MAX_WORKERS = 2;
    private static final int ATTEMPTS = 6;

    /** One pool, its gated tasks, and what its submitters saw. */
    private static final class PoolRound {
        final ThreadPool pool;
        final int maxWorkers;
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger bodies = new AtomicInteger();
        final List<List<Future<Integer>>> accepted = new ArrayList<>();
        /** Every accepted future, as soon as its submit returned. */
        final Queue<Future<Integer>> seen = new ConcurrentLinkedQueue<>();

        int bodiesWhenWaitReturned = -1;
        int notFinishedWhenWaitReturned = -1;
        int runningWhenWaitReturned = -1;

        PoolRound(ThreadPool pool, int maxWorkers, int submitters) {
            this.pool = pool;
            this.maxWorkers = maxWorkers;
            for (int k = 0; k < submitters; k++) {
                accepted.add(new ArrayList<>());
            }
        }

        void submit(int k) {
            boolean rejected = false;
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                try {
                    Future<Integer> f = pool.submit(() -> {
                        if (!gate.await(Race.STUCK_SECONDS, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("the gate never opened");
                        }
                        bodies.incrementAndGet();
                        return k;
                    });
                    assertThat(rejected)
                            .as("submit accepted after an earlier one was rejected")
                            .isFalse();
                    accepted.get(k).add(f);
                    seen.add(f);
                } catch (RejectedExecutionException e) {
                    assertThat(e)
                            .isExactlyInstanceOf(RejectedExecutionException.class)
                            .hasMessage("cannot schedule new futures after shutdown");
                    rejected = true;
                }
            }
        }

        void shutdownCancelling() {
            try {
                pool.shutdown(false, true);
                assertThat(pool.isShutdown()).isTrue();
            } finally {
                gate.countDown(); // only now can a task finish: none finished before the shutdown returned
            }
        }

        void shutdownWaiting() {
            pool.shutdown(true, false);
            bodiesWhenWaitReturned = bodies.get();
            int notFinished = 0;
            int running = 0;
            for (Future<Integer> f : seen) {
                if (!f.isDone() || f.isCancelled()) {
                    notFinished++;
                }
                if (f.isRunning()) {
                    running++;
                }
            }
            notFinishedWhenWaitReturned = notFinished;
            runningWhenWaitReturned = running;
        }

        List<Future<Integer>> allAccepted() {
            List<Future<Integer>> all = new ArrayList<>();
            accepted.forEach(all::addAll);
            return all;
        }

        /** Every accepted future ends cancelled or finished; returns how many escaped cancellation. */
        int checkEveryAcceptedFutureEnds() {
            List<Future<Integer>> all = allAccepted();
            DoneAndNotDone<Integer> dn = Futures.wait(all, Duration.ofSeconds(Race.STUCK_SECONDS));
            assertThat(dn.notDone())
                    .as("accepted futures stuck pending or running")
                    .isEmpty();
            int cancelled = 0;
            int finished = 0;
            for (int k = 0; k < accepted.size(); k++) {
                for (Future<Integer> f : accepted.get(k)) {
                    if (f.isCancelled()) {
                        cancelled++;
                    } else {
                        assertThat(f.result())
                                .as("result of a task of submitter %d", k)
                                .isEqualTo(k);
                        finished++;
                    }
                }
            }
            assertThat(cancelled + finished).isEqualTo(all.size());
            assertThat(bodies).as("tasks run, against futures finished").hasValue(finished);
            return finished;
        }

        void cleanUp() {
            gate.countDown();
            pool.close();
        }
    }

    @Test
    @Timeout(180)
    void cancellingShutdownAgainstSubmitLeavesNoFuturePending(TestReporter reporter) throws Exception {
        int[] outcomes = new int[2];
        Race.<PoolRound>named("shutdown(false,true)-vs-submit")
                .actor(s -> s.submit(0))
                .actor(s -> s.submit(1))
                .actor(s -> s.submit(2))
                .actor(PoolRound::shutdownCancelling)
                .run(
                        ROUNDS,
                        round -> new PoolRound(new ThreadPool(MAX_WORKERS), MAX_WORKERS, 3),
                        s -> {
                            int finished = s.checkEveryAcceptedFutureEnds();
                            assertThat(finished)
                                    .as("accepted tasks that escaped cancellation (taken by a worker)")
                                    .isLessThanOrEqualTo(s.maxWorkers);
                            outcomes[0] += finished;
                            outcomes[1] += s.allAccepted().size() - finished;
                        },
                        PoolRound::cleanUp);
        reporter.publishEntry("finished / cancelled", outcomes[0] + " / " + outcomes[1]);
    }

    @Test
    @Timeout(180)
    void waitingShutdownAgainstSubmitReturnsOnceEveryAcceptedTaskRan(TestReporter reporter) throws Exception {
        int[] accepted = new int[1];
        Race.<PoolRound>named("shutdown(true,false)-vs-submit")
                .actor(s -> s.submit(0))
                .actor(s -> s.submit(1))
                .actor(s -> s.submit(2))
                .actor(s -> {
                    s.gate.countDown(); // the tasks accepted so far start now: the shutdown has to wait for them
                    s.shutdownWaiting();
                })
                .run(
                        ROUNDS,
                        round -> new PoolRound(new ThreadPool(MAX_WORKERS), MAX_WORKERS, 3),
                        s -> {
                            int all = s.allAccepted().size();
                            accepted[0] += all;
                            assertThat(s.bodiesWhenWaitReturned)
                                    .as("tasks run when shutdown(true, false) returned, of %d accepted", all)
                                    .isEqualTo(all);
                            assertThat(s.notFinishedWhenWaitReturned)
                                    .as("accepted futures not finished when shutdown(true, false) returned")
                                    .isZero();
                            assertThat(s.checkEveryAcceptedFutureEnds()).isEqualTo(all);
                        },
                        PoolRound::cleanUp);
        reporter.publishEntry("accepted", String.valueOf(accepted[0]));
    }

    @Test
    @Timeout(180)
    void twoShutdownsAgainstSubmitKeepEveryInvariant() throws Exception {
        Race.<PoolRound>named("shutdown-vs-shutdown-vs-submit")
                .actor(s -> s.submit(0))
                .actor(s -> s.submit(1))
                .actor(PoolRound::shutdownCancelling)
                .actor(PoolRound::shutdownWaiting)
                .run(
                        ROUNDS,
                        round -> new PoolRound(new ThreadPool(MAX_WORKERS), MAX_WORKERS, 2),
                        s -> {
                            int finished = s.checkEveryAcceptedFutureEnds();
                            assertThat(finished).isLessThanOrEqualTo(s.maxWorkers);
                            // A task drained by the cancelling shutdown may still be pending (its cancel not yet
                            // done) when the waiting one returns, but no task may still be running, and every task
                            // that was going to run has run.
                            assertThat(s.runningWhenWaitReturned)
                                    .as("tasks running when shutdown(true, false) returned")
                                    .isZero();
                            assertThat(s.bodiesWhenWaitReturned)
                                    .as("tasks run when shutdown(true, false) returned")
                                    .isEqualTo(finished);
                        },
                        PoolRound::cleanUp);
    }

    @Test
    @Timeout(180)
    void cancellingShutdownReleasesProducersBlockedOnABoundedQueue() throws Exception {
        int maxPending = 2;
        Race.<PoolRound>named("shutdown(false,true)-vs-blocked-submit")
                .actor(s -> s.submit(0))
                .actor(s -> s.submit(1))
                .actor(s -> s.submit(2))
                .actor(PoolRound::shutdownCancelling)
                .run(
                        ROUNDS,
                        round -> new PoolRound(
                                ThreadPool.builder()
                                        .maxWorkers(1)
                                        .maxPending(maxPending)
                                        .build(),
                                1,
                                3),
                        s -> {
                            assertThat(s.checkEveryAcceptedFutureEnds()).isLessThanOrEqualTo(s.maxWorkers);
                            assertThat(s.allAccepted().size())
                                    .as("accepted: at most one running and maxPending queued")
                                    .isLessThanOrEqualTo(1 + maxPending);
                            s.pool.close();
                            // Shutdown opens the queue (Integer.MAX_VALUE - maxPending more permits) so blocked
                            // producers are refused at once; once every task gave its place back, none is missing.
                            assertThat(room(s.pool).availablePermits())
                                    .as("room in the queue once it is empty")
                                    .isEqualTo(Integer.MAX_VALUE);
                        },
                        PoolRound::cleanUp);
    }

    private static Semaphore room(ThreadPool pool) throws ReflectiveOperationException {
        Field core = ThreadPool.class.getDeclaredField("core");
        core.setAccessible(true);
        Field room = ThreadPool.Core.class.getDeclaredField("room");
        room.setAccessible(true);
        return (Semaphore) room.get(core.get(pool));
    }
}
