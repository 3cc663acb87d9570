package dev.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Runs one race many times, for the stress tests of this package.
 *
 * <p>Each actor gets a thread of its own for the whole run, and all of them meet at one {@link CyclicBarrier} between
 * rounds. The barrier's action, run by the last actor to arrive while the others wait, checks the round that just
 * ended, cleans it up and makes the next round's state; the barrier then releases every actor into the new round at
 * once, and publishes the round's state to the actors and their writes to the next check. On release each actor
 * counts itself in and waits, briefly and boundedly (spinning, then yielding, so that a busy machine cannot livelock
 * it), until all have arrived, which lines the racing calls up far more tightly than the barrier's wake-ups alone;
 * then it waits a random few spins more, so that over many rounds the actors' relative start offsets sweep across
 * windows only nanoseconds wide (a future completing between a check and a push).
 *
 * <p>How much the actors really overlap depends on the machine: on two cores that other work keeps busy, two threads
 * seldom run at the same instant, and a window a few nanoseconds wide is then hit only by a preemption landing in it.
 * {@link InterleavingReplayTest} replays those windows deterministically; the races here catch what needs wider
 * windows or many interleavings, everywhere, and the narrow ones on machines with idle cores.
 *
 * <p>The system property {@code fanout.stress.scale} multiplies every run's rounds, for a longer soak on a quiet
 * machine with real cores, for example {@code ./mvnw -pl fanout-core test -Dtest='dev.fanout.*RaceTest'
 * -Dfanout.stress.scale=20}; the default round counts keep each race class near 20 s on two busy cores.
 *
 * <p>A round in which some actor has not finished {@value #STUCK_SECONDS} seconds after it began is a hang: the run
 * fails with the stack of every actor thread and of every pool worker. An actor that throws, or a check that fails,
 * fails the run with the round's number. Actor threads are daemons and are interrupted when a run fails, so that a
 * stuck actor neither outlives the test nor keeps the JVM alive.
 *
 * @param <S> the state of one round
 */
final class Race<S> {
    /** How long one round may take before it counts as a hang. */
    static final long STUCK_SECONDS = 30;

    /**
     * A timeout for timed waits that must never pass: far beyond {@link #STUCK_SECONDS}, so that a timed wait that
     * missed its wake-up is reported as a hang instead of returning late as if nothing had happened.
     */
    static final Duration NEVER = Duration.ofMinutes(10);

    private static final int SCALE = Math.max(1, Integer.getInteger("fanout.stress.scale", 1));

    private static final int SPINS = 1 << 8;
    private static final int YIELDS = 1 << 6;
    /** Each actor waits a random 0 to JITTER spins before its step, so that start offsets sweep narrow windows. */
    private static final int JITTER = 1 << 7;

    /** One racer's step of a round. */
    @FunctionalInterface
    interface Actor<S> {
        void act(S state) throws Exception;
    }

    /** The check after a round, once every actor has finished its step. */
    @FunctionalInterface
    interface Check<S> {
        void check(S state) throws Exception;
    }

    private final String name;
    private final List<Actor<S>> actors = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    private Race(String name) {
        this.name = name;
    }

    static <S> Race<S> named(String name) {
        return new Race<>(name);
    }

    /** Adds an actor; actors are numbered from 0 in the order they are added. */
    Race<S> actor(Actor<S> actor) {
        actors.add(actor);
        return this;
    }

    /** The thread of actor {@code index}, for actors that interrupt another; valid while {@link #run} runs. */
    Thread thread(int index) {
        synchronized (threads) {
            return threads.get(index);
        }
    }

    /**
     * Runs {@code rounds} rounds: {@code prepare} makes round {@code r}'s state, the actors race on it, {@code check}
     * checks it.
     */
    void run(int rounds, IntFunction<? extends S> prepare, Check<? super S> check) throws Exception {
        run(rounds, prepare, check, state -> {});
    }

    /**
     * As {@link #run(int, IntFunction, Check)}, and runs {@code cleanup} after every round that began, checked or
     * failed: it releases what the round's tasks may block on and closes the round's pools.
     */
    void run(int rounds, IntFunction<? extends S> prepare, Check<? super S> check, Check<? super S> cleanup)
            throws Exception {
        Rounds<S> r = new Rounds<>(rounds * SCALE, prepare, check, cleanup);
        int n = actors.size();
        CyclicBarrier barrier = new CyclicBarrier(n, r::next);
        synchronized (threads) {
            threads.clear();
            for (int i = 0; i < n; i++) {
                Actor<S> actor = actors.get(i);
                Thread t = new Thread(() -> loop(actor, n, barrier, r), name + "-actor-" + i);
                t.setDaemon(true);
                threads.add(t);
            }
        }
        threads.forEach(Thread::start);
        boolean finished = false;
        try {
            int lastRound = -1;
            long lastProgress = System.nanoTime();
            while (!r.finished.await(100, TimeUnit.MILLISECONDS)) {
                int round = r.round.get();
                if (round != lastRound) {
                    lastRound = round;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(STUCK_SECONDS)) {
                    S state = r.current;
                    AssertionError hang = new AssertionError(name + ", round " + round + ": an actor did not finish "
                            + "within " + STUCK_SECONDS + " s (a hang?); state " + state + "\n" + stacks());
                    r.fail(hang);
                    r.cleanUp(state);
                    throw hang;
                }
            }
            finished = true;
        } finally {
            if (!finished) {
                barrier.reset();
                threads.forEach(Thread::interrupt);
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(STUCK_SECONDS));
            }
        }
        Throwable failure = r.failure.get();
        if (failure instanceof AssertionError e) {
            throw e;
        }
        if (failure != null) {
            throw new AssertionError(name + ": " + failure, failure);
        }
    }

    /** The rounds of one run, advanced by the barrier's action. */
    private static final class Rounds<S> {
        final int rounds;
        final IntFunction<? extends S> prepare;
        final Check<? super S> check;
        final Check<? super S> cleanup;
        final AtomicInteger round = new AtomicInteger(-1);
        final AtomicInteger arrived = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CountDownLatch finished = new CountDownLatch(1);
        volatile S current;
        volatile boolean stop;

        Rounds(int rounds, IntFunction<? extends S> prepare, Check<? super S> check, Check<? super S> cleanup) {
            this.rounds = rounds;
            this.prepare = prepare;
            this.check = check;
            this.cleanup = cleanup;
        }

        /** The barrier's action: check and clean up the round that ended, then make the next one. */
        void next() {
            int ended = round.get();
            if (ended >= 0 && !stop) {
                S state = current;
                try {
                    Throwable thrown = failure.get();
                    if (thrown != null) {
                        throw new AssertionError("round " + ended + ": an actor threw " + thrown, thrown);
                    }
                    try {
                        check.check(state);
                    } catch (AssertionError e) {
                        throw new AssertionError("round " + ended + ": " + e.getMessage(), e);
                    }
                } catch (Throwable t) {
                    fail(t);
                } finally {
                    cleanUp(state);
                }
            }
            int next = ended + 1;
            if (stop || next == rounds) {
                stop = true;
                finished.countDown();
                return;
            }
            try {
                current = prepare.apply(next);
            } catch (Throwable t) {
                fail(new AssertionError("preparing round " + next + ": " + t, t));
                stop = true;
                finished.countDown();
                return;
            }
            arrived.set(0);
            round.set(next);
        }

        void fail(Throwable t) {
            failure.compareAndSet(null, t);
            stop = true;
        }

        void cleanUp(S state) {
            if (state == null) {
                return;
            }
            try {
                cleanup.check(state);
            } catch (Throwable t) {
                failure.compareAndSet(null, new AssertionError("cleaning up: " + t, t));
                stop = true;
            }
        }
    }

    private static <S> void loop(Actor<S> actor, int n, CyclicBarrier barrier, Rounds<S> r) {
        for (; ; ) {
            try {
                barrier.await();
            } catch (BrokenBarrierException | InterruptedException e) {
                return;
            }
            if (r.stop) {
                return;
            }
            S state = r.current;
            r.arrived.incrementAndGet();
            for (int i = 0; i < SPINS && r.arrived.get() < n; i++) {
                Thread.onSpinWait();
            }
            for (int i = 0; i < YIELDS && r.arrived.get() < n; i++) {
                Thread.yield();
            }
            for (int i = ThreadLocalRandom.current().nextInt(JITTER); i > 0; i--) {
                Thread.onSpinWait();
            }
            try {
                actor.act(state);
            } catch (Throwable t) {
                r.failure.compareAndSet(null, t);
            }
        }
    }

    private String stacks() {
        List<Thread> actorThreads;
        synchronized (threads) {
            actorThreads = new ArrayList<>(threads);
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> e :
                Thread.getAllStackTraces().entrySet()) {
            Thread t = e.getKey();
            if (!actorThreads.contains(t) && !t.getName().startsWith("ThreadPool")) {
                continue;
            }
            sb.append('"')
                    .append(t.getName())
                    .append("\" ")
                    .append(t.getState())
                    .append('\n');
            for (StackTraceElement frame : e.getValue()) {
                sb.append("    at ").append(frame).append('\n');
            }
        }
        return sb.toString();
    }
}
