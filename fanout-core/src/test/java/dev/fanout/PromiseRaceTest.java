package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;

/**
 * Stress tests of {@link Promise}'s lock-free state machine, white-box: every transition that two threads can attempt
 * at once, raced many thousands of times with the threads lined up by {@link Race}: 20,000 rounds per race (10,000
 * for the six-thread waiter race), a fresh promise each round.
 *
 * <p>States and transitions exercised (see the comment at the top of {@code Promise}):
 *
 * <ul>
 *   <li>PENDING -> RUNNING ({@code setRunningOrNotifyCancel}) against PENDING -> CANCELLED ({@code cancel}, from two
 *       threads): exactly one wins; the losers are told by their return values; callbacks run once, and only when
 *       the future is done.
 *   <li>PENDING or RUNNING -> FINISHED ({@code setResult}, {@code setException}) against PENDING -> CANCELLED: exactly
 *       one outcome, the first, is kept; the losing setters throw {@link InvalidStateException}; callbacks run once.
 *   <li>The completion stack: pushes of callbacks ({@code addDoneCallback} from several threads) against the swap to
 *       DONE in {@code finishCompletion}: every callback runs exactly once, sees the outcome, on the completing
 *       thread if it was pushed before the swap and on the adding thread after it, so each adder's callbacks split
 *       into a prefix run by the completer, in the order added, and a rest run at once.
 *   <li>Waiters (untimed, timed, {@code exception()}, {@code get()}, a 1 ns poller) pushed against completion by
 *       result, exception or cancel: every waiter wakes and reports the outcome; none hangs.
 *   <li>Interrupt against completion: the waiter either gets the value or a {@link CancellationException} with its
 *       interrupt flag set; an interrupted waiter's node is taken off the stack.
 *   <li>Removal of timed-out waiters (push, then unlink): 100,000 polls, alone or from four threads, leave the stack
 *       holding only its live nodes, and the promise still completes normally.
 * </ul>
 */
class PromiseRaceTest {
    private static final int ROUNDS = 20_000;

    // ---- PENDING -> RUNNING against PENDING -> CANCELLED -----------------------------------------------------------

    private static final class StartRound {
        final Promise<String> promise = new Promise<>();
        final AtomicInteger callbacks = new AtomicInteger();
        final boolean[] cancelled = new boolean[2];
        boolean started;

        StartRound() {
            promise.addDoneCallback(f -> callbacks.incrementAndGet());
        }
    }

    @Test
    @Timeout(120)
    void cancelAgainstStartHasExactlyOneWinnerAndRunsCallbacksOnce(TestReporter reporter) throws Exception {
        AtomicInteger startsWon = new AtomicInteger();
        AtomicInteger cancelsWon = new AtomicInteger();
        Race.<StartRound>named("cancel-vs-start")
                .actor(s -> s.cancelled[0] = s.promise.cancel())
                .actor(s -> s.cancelled[1] = s.promise.cancel())
                .actor(s -> s.started = s.promise.setRunningOrNotifyCancel())
                .run(ROUNDS, round -> new StartRound(), s -> {
                    Promise<String> p = s.promise;
                    if (s.started) {
                        startsWon.incrementAndGet();
                        assertThat(s.cancelled).containsExactly(false, false);
                        assertThat(p.isRunning()).isTrue();
                        assertThat(p.isDone()).isFalse();
                        assertThat(p.isCancelled()).isFalse();
                        assertThat(s.callbacks).hasValue(0);
                        p.setResult("value");
                        assertThat(s.callbacks).hasValue(1);
                        assertThat(p.result()).isEqualTo("value");
                        assertThat(p.cancel()).isFalse();
                    } else {
                        cancelsWon.incrementAndGet();
                        assertThat(s.cancelled).containsExactly(true, true);
                        assertThat(p.isCancelled()).isTrue();
                        assertThat(p.isDone()).isTrue();
                        assertThat(p.isRunning()).isFalse();
                        assertThat(s.callbacks).hasValue(1);
                        assertThatThrownBy(p::result).isInstanceOf(CancellationException.class);
                        assertThatThrownBy(() -> p.setResult("late")).isInstanceOf(InvalidStateException.class);
                        assertThat(p.setRunningOrNotifyCancel()).isFalse();
                        assertThat(s.callbacks).hasValue(1);
                    }
                });
        reporter.publishEntry("start won / cancel won", startsWon + " / " + cancelsWon);
    }

    // ---- pushes of callbacks against the swap to DONE ------------------------------------------------------------

    private static final class CallbackRound {
        static final int ADDERS = 3;
        static final int PER_ADDER = 4;

        final Promise<Object> promise = new Promise<>();
        final Object value = new Object();
        final AtomicInteger clock = new AtomicInteger();
        final AtomicIntegerArray runs = new AtomicIntegerArray(ADDERS * PER_ADDER);
        final AtomicIntegerArray ranAt = new AtomicIntegerArray(ADDERS * PER_ADDER);
        final AtomicReferenceArray<Object> seen = new AtomicReferenceArray<>(ADDERS * PER_ADDER);
        final AtomicReferenceArray<Thread> ranOn = new AtomicReferenceArray<>(ADDERS * PER_ADDER);
        final Thread[] adders = new Thread[ADDERS];
        Thread completer;

        void add(int adder) {
            adders[adder] = Thread.currentThread();
            for (int j = 0; j < PER_ADDER; j++) {
                int id = adder * PER_ADDER + j;
                promise.addDoneCallback(f -> {
                    ranAt.set(id, clock.getAndIncrement());
                    ranOn.set(id, Thread.currentThread());
                    seen.set(id, f == promise ? f.result() : "another future: " + f);
                    runs.incrementAndGet(id);
                });
            }
        }
    }

    @Test
    @Timeout(120)
    void callbacksAddedDuringCompletionRunExactlyOnceAndSeeTheResult(TestReporter reporter) throws Exception {
        AtomicInteger byCompleter = new AtomicInteger();
        AtomicInteger atOnce = new AtomicInteger();
        Race.<CallbackRound>named("callbacks-vs-setResult")
                .actor(s -> s.add(0))
                .actor(s -> s.add(1))
                .actor(s -> s.add(2))
                .actor(s -> {
                    s.completer = Thread.currentThread();
                    s.promise.setResult(s.value);
                })
                .run(ROUNDS, round -> new CallbackRound(), s -> {
                    for (int adder = 0; adder < CallbackRound.ADDERS; adder++) {
                        boolean inline = false;
                        int lastRanAt = -1;
                        for (int j = 0; j < CallbackRound.PER_ADDER; j++) {
                            int id = adder * CallbackRound.PER_ADDER + j;
                            assertThat(s.runs.get(id))
                                    .as("runs of callback %d", id)
                                    .isEqualTo(1);
                            assertThat(s.seen.get(id))
                                    .as("what callback %d saw", id)
                                    .isSameAs(s.value);
                            Thread on = s.ranOn.get(id);
                            assertThat(on).as("thread of callback %d", id).isIn(s.completer, s.adders[adder]);
                            if (on == s.adders[adder]) {
                                inline = true;
                                atOnce.incrementAndGet();
                            } else {
                                assertThat(inline)
                                        .as("callback %d ran on the completer after an earlier one ran at once", id)
                                        .isFalse();
                                assertThat(s.ranAt.get(id))
                                        .as("callback %d ran on the completer in the order added", id)
                                        .isGreaterThan(lastRanAt);
                                lastRanAt = s.ranAt.get(id);
                                byCompleter.incrementAndGet();
                            }
                        }
                    }
                    AtomicInteger late = new AtomicInteger();
                    s.promise.addDoneCallback(f -> late.incrementAndGet());
                    assertThat(late).hasValue(1);
                });
        reporter.publishEntry("callbacks run by the completer / at once", byCompleter + " / " + atOnce);
    }

    // ---- setResult against setException against cancel ------------------------------------------------------------

    private static final class OutcomeRound {
        final Promise<String> promise = new Promise<>();
        final boolean startedFirst;
        final RuntimeException boom = new IllegalArgumentException("boom");
        final AtomicInteger callbacks = new AtomicInteger();
        volatile boolean callbackSawDone = true;
        InvalidStateException resultLost;
        InvalidStateException exceptionLost;
        boolean cancelled;

        OutcomeRound(boolean startedFirst) {
            this.startedFirst = startedFirst;
            if (startedFirst) {
                assertThat(promise.setRunningOrNotifyCancel()).isTrue();
            }
            promise.addDoneCallback(f -> {
                if (!f.isDone()) {
                    callbackSawDone = false;
                }
                callbacks.incrementAndGet();
            });
        }
    }

    @Test
    @Timeout(120)
    void setResultSetExceptionAndCancelKeepTheFirstOutcome(TestReporter reporter) throws Exception {
        int[] wins = new int[3];
        Race.<OutcomeRound>named("setResult-vs-setException-vs-cancel")
                .actor(s -> {
                    try {
                        s.promise.setResult("value");
                    } catch (InvalidStateException e) {
                        s.resultLost = e;
                    }
                })
                .actor(s -> {
                    try {
                        s.promise.setException(s.boom);
                    } catch (InvalidStateException e) {
                        s.exceptionLost = e;
                    }
                })
                .actor(s -> s.cancelled = s.promise.cancel())
                .run(ROUNDS, round -> new OutcomeRound(round % 2 == 0), s -> {
                    Promise<String> p = s.promise;
                    boolean resultWon = s.resultLost == null;
                    boolean exceptionWon = s.exceptionLost == null;
                    assertThat((resultWon ? 1 : 0) + (exceptionWon ? 1 : 0) + (s.cancelled ? 1 : 0))
                            .as("winners (result %s, exception %s, cancel %s)", resultWon, exceptionWon, s.cancelled)
                            .isEqualTo(1);
                    if (s.startedFirst) {
                        assertThat(s.cancelled)
                                .as("cancel() of a running future")
                                .isFalse();
                    }
                    assertThat(p.isDone()).isTrue();
                    assertThat(p.isRunning()).isFalse();
                    assertThat(s.callbacks).hasValue(1);
                    assertThat(s.callbackSawDone).isTrue();
                    if (resultWon) {
                        wins[0]++;
                        assertThat(p.result()).isEqualTo("value");
                        assertThat(p.exception()).isNull();
                        assertThat(p.isCancelled()).isFalse();
                    } else if (exceptionWon) {
                        wins[1]++;
                        assertThatThrownBy(p::result).isSameAs(s.boom);
                        assertThat(p.exception()).isSameAs(s.boom);
                        assertThat(p.isCancelled()).isFalse();
                    } else {
                        wins[2]++;
                        assertThat(p.isCancelled()).isTrue();
                        assertThatThrownBy(p::result).isInstanceOf(CancellationException.class);
                    }
                });
        reporter.publishEntry("result / exception / cancel won", wins[0] + " / " + wins[1] + " / " + wins[2]);
    }

    // ---- waiters against completion ------------------------------------------------------------------------------

    private static final class WaitRound {
        static final int WAITERS = 5;

        final Promise<String> promise = new Promise<>();
        final int kind; // 0: setResult, 1: setException, 2: cancel
        final RuntimeException boom = new IllegalStateException("boom");
        final AtomicReferenceArray<Object> got = new AtomicReferenceArray<>(WAITERS);

        WaitRound(int round) {
            this.kind = round % 3;
            if (kind != 2 && round % 2 == 0) {
                promise.setRunningOrNotifyCancel();
            }
        }

        void complete() {
            switch (kind) {
                case 0 -> promise.setResult("value");
                case 1 -> promise.setException(boom);
                default -> assertThat(promise.cancel()).isTrue();
            }
        }

        /** Untimed waiters. */
        void await(int waiter, Outcome outcome) {
            try {
                got.set(waiter, outcome.get());
            } catch (Throwable t) {
                got.set(waiter, t);
            }
        }

        /** Polls with a 1 ns timeout until the outcome is there. */
        void poll(int waiter) {
            for (; ; ) {
                try {
                    got.set(waiter, promise.result(Duration.ofNanos(1)));
                    return;
                } catch (FutureTimeoutException notYet) {
                    Thread.yield(); // let the completer run on a busy machine
                } catch (Throwable t) {
                    got.set(waiter, t);
                    return;
                }
            }
        }
    }

    @FunctionalInterface
    private interface Outcome {
        Object get() throws Exception;
    }

    @Test
    @Timeout(120)
    void everyWaiterWakesWithTheOutcome() throws Exception {
        Race.<WaitRound>named("waiters-vs-completion")
                .actor(s -> s.await(0, s.promise::result))
                .actor(s -> s.await(1, () -> s.promise.result(Race.NEVER)))
                .actor(s -> s.await(2, s.promise::exception))
                .actor(s -> s.await(3, s.promise::get))
                .actor(s -> s.poll(4))
                .actor(WaitRound::complete)
                .run(ROUNDS / 2, WaitRound::new, s -> {
                    switch (s.kind) {
                        case 0 -> {
                            for (int w : new int[] {0, 1, 3, 4}) {
                                assertThat(s.got.get(w)).as("waiter %d", w).isEqualTo("value");
                            }
                            assertThat(s.got.get(2)).as("exception()").isNull();
                        }
                        case 1 -> {
                            for (int w : new int[] {0, 1, 2, 4}) {
                                assertThat(s.got.get(w)).as("waiter %d", w).isSameAs(s.boom);
                            }
                            assertThat(s.got.get(3))
                                    .as("get()")
                                    .isInstanceOfSatisfying(
                                            ExecutionException.class,
                                            e -> assertThat(e.getCause()).isSameAs(s.boom));
                        }
                        default -> {
                            for (int w = 0; w < WaitRound.WAITERS; w++) {
                                assertThat(s.got.get(w)).as("waiter %d", w).isInstanceOf(CancellationException.class);
                            }
                        }
                    }
                    assertThat(Internals.linkedNodes(s.promise))
                            .as("stack after completion")
                            .isEqualTo(-1);
                });
    }

    // ---- interrupt against completion ----------------------------------------------------------------------------

    private static final class InterruptRound {
        final Promise<String> promise = new Promise<>();
        final boolean completes;
        final CountDownLatch interruptSent = new CountDownLatch(1);
        Object got;
        boolean flagSetAfterCancellation;
        int liveNodesAfterInterrupt = -2;

        InterruptRound(boolean completes) {
            this.completes = completes;
        }

        void await() {
            try {
                got = promise.result();
            } catch (CancellationException e) {
                got = e;
                flagSetAfterCancellation = Thread.currentThread().isInterrupted();
                liveNodesAfterInterrupt = Internals.liveNodes(promise);
            }
            // The interrupt must land here, not on the next round's barrier: wait until it was sent, then clear it.
            boolean done = false;
            while (!done) {
                try {
                    interruptSent.await();
                    done = true;
                } catch (InterruptedException expected) {
                    // the interrupt of this round; keep waiting until the interrupter says it is sent
                }
            }
            Thread.interrupted();
        }
    }

    @Test
    @Timeout(120)
    void anInterruptedWaiterGetsTheValueOrLeavesWithItsFlagSet(TestReporter reporter) throws Exception {
        AtomicInteger values = new AtomicInteger();
        AtomicInteger interrupted = new AtomicInteger();
        Race<InterruptRound> race = Race.named("interrupt-vs-completion");
        race.actor(InterruptRound::await)
                .actor(s -> {
                    race.thread(0).interrupt();
                    s.interruptSent.countDown();
                })
                .actor(s -> {
                    if (s.completes) {
                        s.promise.setResult("value");
                    }
                })
                .run(ROUNDS, round -> new InterruptRound(round % 2 == 0), s -> {
                    if (s.got instanceof CancellationException e) {
                        interrupted.incrementAndGet();
                        assertThat(s.flagSetAfterCancellation)
                                .as("interrupt flag after CancellationException")
                                .isTrue();
                        assertThat(e).hasCauseInstanceOf(InterruptedException.class);
                        if (!s.completes) {
                            assertThat(s.liveNodesAfterInterrupt)
                                    .as("live nodes once the interrupted waiter left")
                                    .isZero();
                            assertThat(Internals.linkedNodes(s.promise)).isZero();
                        }
                    } else {
                        values.incrementAndGet();
                        assertThat(s.completes)
                                .as("got a value from a promise nobody completed")
                                .isTrue();
                        assertThat(s.got).isEqualTo("value");
                    }
                    if (!s.completes) {
                        s.promise.setResult("late");
                        assertThat(s.promise.result()).isEqualTo("late");
                    }
                });
        reporter.publishEntry("values / interrupted", values + " / " + interrupted);
    }

    // ---- removal of timed-out waiters ----------------------------------------------------------------------------

    @Test
    @Timeout(120)
    void timedOutWaitersDoNotPileUp() {
        Promise<String> p = new Promise<>();
        for (int i = 0; i < 100_000; i++) {
            assertThatThrownBy(() -> p.result(Duration.ofNanos(1))).isInstanceOf(FutureTimeoutException.class);
            if (i % 10_000 == 0) {
                assertThat(Internals.linkedNodes(p))
                        .as("stack after %d polls", i + 1)
                        .isZero();
            }
        }
        assertThatThrownBy(() -> p.exception(Duration.ofNanos(1))).isInstanceOf(FutureTimeoutException.class);
        assertThat(Internals.linkedNodes(p)).isZero();

        AtomicInteger callbacks = new AtomicInteger();
        p.addDoneCallback(f -> callbacks.incrementAndGet());
        assertThat(Internals.liveNodes(p)).isOne();
        p.setResult("value");
        assertThat(p.result(Duration.ZERO)).isEqualTo("value");
        assertThat(callbacks).hasValue(1);
    }

    @Test
    @Timeout(120)
    void timedOutWaitersFromManyThreadsAreUnlinkedWhileLiveNodesStay() throws Exception {
        int pollers = 4;
        int polls = 25_000;
        Promise<String> p = new Promise<>();
        AtomicInteger callbacks = new AtomicInteger();
        p.addDoneCallback(f -> callbacks.incrementAndGet());
        p.addDoneCallback(f -> callbacks.incrementAndGet());
        CountDownLatch waiterParked = new CountDownLatch(1);
        List<Object> waiterGot = new ArrayList<>();
        Thread waiter = new Thread(
                () -> {
                    waiterParked.countDown();
                    Object got;
                    try {
                        got = p.result();
                    } catch (Throwable t) {
                        got = t;
                    }
                    synchronized (waiterGot) {
                        waiterGot.add(got);
                    }
                },
                "untimed-waiter");
        waiter.setDaemon(true);
        waiter.start();
        waiterParked.await();

        CyclicBarrier start = new CyclicBarrier(pollers);
        AtomicInteger timeouts = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < pollers; t++) {
            Thread poller = new Thread(
                    () -> {
                        try {
                            start.await();
                            for (int i = 0; i < polls; i++) {
                                try {
                                    p.result(Duration.ofNanos(1));
                                } catch (FutureTimeoutException expected) {
                                    timeouts.incrementAndGet();
                                }
                            }
                        } catch (Throwable e) {
                            synchronized (failures) {
                                failures.add(e);
                            }
                        }
                    },
                    "poller-" + t);
            poller.setDaemon(true);
            threads.add(poller);
            poller.start();
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(t.isAlive()).as("%s still polling", t.getName()).isFalse();
        }
        synchronized (failures) {
            assertThat(failures).isEmpty();
        }
        assertThat(timeouts).hasValue(pollers * polls);

        // Concurrent unlinking may leave a removed node linked for a while; the next removal sweeps it.
        assertThatThrownBy(() -> p.result(Duration.ofNanos(1))).isInstanceOf(FutureTimeoutException.class);
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> waiter.getState() == Thread.State.WAITING);
        assertThat(Internals.linkedNodes(p))
                .as("two callbacks and the parked waiter")
                .isEqualTo(3);
        assertThat(Internals.liveNodes(p)).isEqualTo(3);

        p.setResult("value");
        waiter.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(waiter.isAlive()).as("the untimed waiter woke").isFalse();
        synchronized (waiterGot) {
            assertThat(waiterGot).containsExactly("value");
        }
        assertThat(callbacks).hasValue(2);
    }
}
