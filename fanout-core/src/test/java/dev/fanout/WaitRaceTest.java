package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Stress tests of {@link Futures#wait} and {@link Futures#asCompleted} against futures completing at the same moment,
 * white-box: the waits install one internal listener per pending {@link Promise} and take it back when they return.
 * Each round has one waiter (its variant changing from round to round) and two completers, so that few threads
 * compete for the cores and the waiter's installation of {@value #FUTURES} listeners overlaps the completions:
 * 3,000 rounds per {@link ReturnWhen}, 8,000 for each {@code asCompleted} race, 20,000 for listener removal.
 *
 * <p>States and transitions exercised:
 *
 * <ul>
 *   <li>Each future goes PENDING -> FINISHED (value or exception), PENDING -> RUNNING -> FINISHED or PENDING ->
 *       CANCELLED on two completer threads while a waiter (untimed, timed or {@code Duration.ZERO}) runs
 *       {@code wait} with each {@link ReturnWhen}; a quarter of the rounds have no failed future, some a future done
 *       before the wait looks, and the input holds a duplicate. Windows: between the wait's first look at a future
 *       and the installation of its listener, the listener's push against the stack's swap to DONE, and the wait's
 *       latch going armed -> fired. A wait never hangs and never misses a completion: {@code ALL_COMPLETED} returns
 *       with everything done, {@code FIRST_COMPLETED} with at least one done, {@code FIRST_EXCEPTION} with a failed
 *       future or everything done; done and not done always split the distinct input exactly.
 *   <li>{@code asCompleted} (untimed, timed, {@code Duration.ZERO}, or with half the futures {@linkplain
 *       AsCompleted#add added} before iterating) against the same completions: each distinct future is handed out
 *       exactly once, done; a {@code ZERO} iteration ends with {@code N (of M) futures unfinished} counting exactly
 *       what it did not hand out.
 *   <li>{@link AsCompleted#add} from another thread against the consumer, parked in {@code next()} or about to be,
 *       with futures done before they are added or completing as they are: each is handed out while the one future
 *       that keeps the iteration alive is still pending (the consumer completes it only once it has the others), so
 *       a done future that does not wake a parked consumer is a hang.
 *   <li>Listener removal (node cleared, then unlinked): a {@code FIRST_COMPLETED} wait, a timed-out wait and a
 *       timed-out {@code asCompleted} on a future that stays PENDING, against completion of the other future they
 *       wait on, 20,000 rounds: after each, the pending future's stack is empty again.
 * </ul>
 *
 * <p>The nanosecond-wide windows are also replayed deterministically by {@link InterleavingReplayTest}.
 */
class WaitRaceTest {
    /** Per {@link ReturnWhen}. */
    private static final int WAIT_ROUNDS = 3_000;

    private static final int AS_COMPLETED_ROUNDS = 8_000;
    private static final int LEAK_ROUNDS = 20_000;
    private static final int FUTURES = 32;

    /** {@value #FUTURES} promises with a mix of outcomes, completed by two completer threads. */
    private static class Completions {
        final List<Promise<String>> promises = new ArrayList<>();
        final int[] kinds = new int[FUTURES]; // 0: value, 1: exception, 2: cancel
        final RuntimeException boom = new IllegalStateException("boom");
        /** The input of the waits: every promise, the first one twice. */
        final List<Future<String>> input = new ArrayList<>();

        Completions(int round) {
            for (int i = 0; i < FUTURES; i++) {
                Promise<String> p = new Promise<>();
                int h = mix(round * FUTURES + i);
                kinds[i] = Math.floorMod(h, 3);
                if (round % 4 == 1 && kinds[i] == 1) {
                    kinds[i] = 0; // a round without failures: FIRST_EXCEPTION must then wait for all
                }
                if (kinds[i] != 2 && (h & 8) != 0) {
                    p.setRunningOrNotifyCancel(); // a running future cannot be cancelled: only value or exception
                }
                promises.add(p);
            }
            input.addAll(promises);
            input.add(promises.get(0));
            if (round % 4 == 0) {
                complete(FUTURES - 1); // already done before the waits look
            }
        }

        /** Completer {@code c} of two completes the promises c, c + 2, c + 4. */
        void completeShare(int c) {
            for (int i = c; i < FUTURES; i += 2) {
                if (!promises.get(i).isDone()) {
                    complete(i);
                }
            }
        }

        private void complete(int i) {
            Promise<String> p = promises.get(i);
            switch (kinds[i]) {
                case 0 -> p.setResult("value " + i);
                case 1 -> p.setException(boom);
                default -> assertThat(p.cancel()).isTrue();
            }
        }

        boolean anyFails() {
            for (int k : kinds) {
                if (k == 1) {
                    return true;
                }
            }
            return false;
        }

        private static int mix(int x) {
            x *= 0x9E3779B9;
            return x ^ (x >>> 15);
        }
    }

    static boolean failed(Future<?> f) {
        return f.isDone() && !f.isCancelled() && f.exception(Duration.ZERO) != null;
    }

    // ---- Futures.wait against completion -------------------------------------------------------------------------

    private static final class WaitRound extends Completions {
        final ReturnWhen returnWhen;

        final int variant; // 0: untimed, 1: timed, 2: Duration.ZERO

        WaitRound(int round, ReturnWhen returnWhen) {
            super(round);
            this.returnWhen = returnWhen;
            this.variant = round % 3;
        }

        /** Checks what a wait returned, at once, on the waiter's thread. */
        void checkReturned(DoneAndNotDone<String> dn, boolean conditionMustHold) {
            for (Future<String> f : dn.done()) {
                assertThat(dn.notDone()).as("done and not done overlap").doesNotContain(f);
            }
            Set<Future<String>> union = new HashSet<>(dn.done());
            union.addAll(dn.notDone());
            assertThat(union).as("done and not done together").containsExactlyInAnyOrderElementsOf(promises);
            for (Future<String> f : dn.done()) {
                assertThat(f.isDone()).as("a future in done").isTrue();
            }
            if (!conditionMustHold) {
                return;
            }
            switch (returnWhen) {
                case ALL_COMPLETED ->
                    assertThat(dn.notDone()).as("not done after ALL_COMPLETED").isEmpty();
                case FIRST_COMPLETED ->
                    assertThat(dn.done()).as("done after FIRST_COMPLETED").isNotEmpty();
                case FIRST_EXCEPTION ->
                    assertThat(dn.done().stream().anyMatch(WaitRaceTest::failed)
                                    || dn.notDone().isEmpty())
                            .as("a failed future, or all done, after FIRST_EXCEPTION: %s", dn)
                            .isTrue();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ReturnWhen.class)
    @Timeout(120)
    void waitNeverMissesACompletion(ReturnWhen returnWhen, TestReporter reporter) throws Exception {
        int[] roundsWithoutFailure = new int[1];
        Race.<WaitRound>named("wait-" + returnWhen + "-vs-completion")
                .actor(s -> {
                    switch (s.variant) {
                        case 0 -> s.checkReturned(Futures.wait(s.input, s.returnWhen), true);
                        case 1 -> s.checkReturned(Futures.wait(s.input, Race.NEVER, s.returnWhen), true);
                        default -> s.checkReturned(Futures.wait(s.input, Duration.ZERO, s.returnWhen), false);
                    }
                })
                .actor(s -> s.completeShare(0))
                .actor(s -> s.completeShare(1))
                .run(WAIT_ROUNDS, round -> new WaitRound(round, returnWhen), s -> {
                    if (!s.anyFails()) {
                        roundsWithoutFailure[0]++;
                    }
                    for (Promise<String> p : s.promises) {
                        assertThat(Internals.linkedNodes(p))
                                .as("stack of a done future")
                                .isEqualTo(-1);
                    }
                });
        reporter.publishEntry("rounds without a failed future", String.valueOf(roundsWithoutFailure[0]));
    }

    // ---- asCompleted against completion --------------------------------------------------------------------------

    private static final class AsCompletedRound extends Completions {
        final int variant; // 0: untimed, 1: timed, 2: Duration.ZERO, 3: half the futures added before iterating
        final List<Future<String>> yielded = new ArrayList<>();
        FutureTimeoutException timedOut;

        AsCompletedRound(int round) {
            super(round);
            this.variant = round % 4;
        }

        void consume() {
            switch (variant) {
                case 0 -> iterate(Futures.asCompleted(input));
                case 1 -> iterate(Futures.asCompleted(input, Race.NEVER));
                case 2 -> {
                    try {
                        iterate(Futures.asCompleted(input, Duration.ZERO));
                    } catch (FutureTimeoutException e) {
                        timedOut = e;
                    }
                }
                default -> {
                    AsCompleted<String> ac = Futures.asCompleted(input.subList(0, FUTURES / 2));
                    for (Future<String> f : input.subList(FUTURES / 2, input.size())) {
                        ac.add(f); // the last of them is the first promise again
                    }
                    iterate(ac);
                }
            }
        }

        private void iterate(Iterable<Future<String>> futures) {
            for (Future<String> f : futures) {
                assertThat(f.isDone()).as("a future handed out by asCompleted").isTrue();
                yielded.add(f);
            }
        }
    }

    @Test
    @Timeout(120)
    void asCompletedHandsOutEveryFutureExactlyOnce() throws Exception {
        Race.<AsCompletedRound>named("asCompleted-vs-completion")
                .actor(AsCompletedRound::consume)
                .actor(s -> s.completeShare(0))
                .actor(s -> s.completeShare(1))
                .run(AS_COMPLETED_ROUNDS, AsCompletedRound::new, s -> {
                    if (s.variant != 2) {
                        assertThat(s.yielded).containsExactlyInAnyOrderElementsOf(s.promises);
                    } else {
                        assertThat(s.yielded).doesNotHaveDuplicates().isSubsetOf(s.promises);
                        if (s.timedOut != null) {
                            assertThat(s.timedOut)
                                    .hasMessage("%d (of %d) futures unfinished", FUTURES - s.yielded.size(), FUTURES);
                        } else {
                            assertThat(s.yielded).hasSize(FUTURES);
                        }
                    }
                });
    }

    // ---- AsCompleted.add from another thread against the consumer ------------------------------------------------

    private static final class AddRound {
        static final int ADDED = 4;

        final Promise<String> keeper = new Promise<>();
        final List<Promise<String>> added = new ArrayList<>();
        final AsCompleted<String> asCompleted = Futures.asCompleted(List.of(keeper));
        final List<Future<String>> yielded = new ArrayList<>();

        AddRound(int round) {
            for (int i = 0; i < ADDED; i++) {
                Promise<String> p = new Promise<>();
                if (round % 2 == 0 || i % 2 == 0) {
                    p.setResult("done before it is added " + i);
                }
                added.add(p);
            }
        }

        /** Iterates; the keeper, which keeps the iteration from running dry, completes once the others came. */
        void consume() {
            for (Future<String> f : asCompleted) {
                yielded.add(f);
                if (yielded.size() == ADDED) {
                    keeper.setResult("keeper");
                }
            }
        }

        void add() {
            for (Promise<String> p : added) {
                asCompleted.add(p);
            }
        }

        void completeTheRest() {
            for (Promise<String> p : added) {
                if (!p.isDone()) {
                    p.setResult("completed as it is added");
                }
            }
        }
    }

    @Test
    @Timeout(120)
    void asCompletedHandsOutFuturesAddedFromAnotherThreadWhileItWaits() throws Exception {
        Race.<AddRound>named("asCompleted.add-vs-next")
                .actor(AddRound::consume)
                .actor(AddRound::add)
                .actor(AddRound::completeTheRest)
                .run(AS_COMPLETED_ROUNDS, AddRound::new, s -> {
                    assertThat(s.yielded.subList(0, AddRound.ADDED)).containsExactlyInAnyOrderElementsOf(s.added);
                    assertThat(s.yielded).hasSize(AddRound.ADDED + 1).last().isSameAs(s.keeper);
                    assertThatThrownBy(() -> s.asCompleted.add(new Promise<>()))
                            .isInstanceOf(IllegalStateException.class);
                });
    }

    // ---- listeners taken back from a future that stays pending ---------------------------------------------------

    private static final class LeakRound {
        final Promise<String> stayer;
        final Promise<String> other = new Promise<>();
        final int variant; // 0: FIRST_COMPLETED, 1: timed out ALL_COMPLETED, 2: asCompleted timed out
        final boolean cancel;
        final List<Future<String>> both;

        LeakRound(Promise<String> stayer, int round) {
            this.stayer = stayer;
            this.variant = round % 3;
            this.cancel = round % 2 == 1;
            this.both = List.of(stayer, other);
        }

        void await() {
            switch (variant) {
                case 0 -> {
                    DoneAndNotDone<String> dn = Futures.wait(both, ReturnWhen.FIRST_COMPLETED);
                    assertThat(dn.done()).containsExactly(other);
                    assertThat(dn.notDone()).containsExactly(stayer);
                }
                case 1 -> {
                    DoneAndNotDone<String> dn = Futures.wait(both, Duration.ofNanos(1), ReturnWhen.ALL_COMPLETED);
                    assertThat(dn.notDone()).contains(stayer);
                }
                default -> {
                    List<Future<String>> yielded = new ArrayList<>();
                    assertThatThrownBy(() ->
                                    Futures.asCompleted(both, Duration.ZERO).forEach(yielded::add))
                            .isInstanceOf(FutureTimeoutException.class)
                            .hasMessage("%d (of 2) futures unfinished", 2 - yielded.size());
                    assertThat(yielded).isSubsetOf(other);
                }
            }
        }

        void complete() {
            if (cancel) {
                assertThat(other.cancel()).isTrue();
            } else {
                other.setResult("value");
            }
        }
    }

    @Test
    @Timeout(120)
    void waitsTakeTheirListenersBackFromAFutureThatStaysPending() throws Exception {
        Promise<String> stayer = new Promise<>();
        Race.<LeakRound>named("listener-removal")
                .actor(LeakRound::await)
                .actor(LeakRound::complete)
                .run(LEAK_ROUNDS, round -> new LeakRound(stayer, round), s -> {
                    assertThat(Internals.liveNodes(stayer))
                            .as("listeners left on the pending future")
                            .isZero();
                    assertThat(Internals.linkedNodes(stayer))
                            .as("nodes linked on the pending future")
                            .isZero();
                });

        assertThat(Futures.wait(List.of(stayer), Duration.ofNanos(1)).notDone()).containsExactly(stayer);
        assertThat(Internals.linkedNodes(stayer)).isZero();
        stayer.setResult("at last");
        assertThat(Futures.wait(List.of(stayer)).done()).containsExactly(stayer);
    }
}
