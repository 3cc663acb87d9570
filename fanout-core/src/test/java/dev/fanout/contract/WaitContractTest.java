package dev.fanout.contract;

import static dev.fanout.contract.FutureFixtures.LONG;
import static dev.fanout.contract.FutureFixtures.SHORT;
import static dev.fanout.contract.FutureFixtures.identities;
import static dev.fanout.contract.FutureFixtures.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.DoneAndNotDone;
import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.Promise;
import dev.fanout.ReturnWhen;
import dev.fanout.contract.FutureFixtures.Blocked;
import dev.fanout.contract.FutureFixtures.Flavour;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * API.md's {@code Futures.wait}: the three {@link ReturnWhen} conditions, timeouts that never throw, duplicates,
 * interrupts and argument checks. Most tests run on Fanout's own futures and on a foreign {@link Future}
 * implementation, which {@code wait} can only watch through done-callbacks.
 */
@Timeout(30)
class WaitContractTest {

    /** Runs the test once for each {@link Flavour} of future. */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @ParameterizedTest(name = "{0}")
    @EnumSource(Flavour.class)
    @interface EachFlavour {}

    // ---- ALL_COMPLETED -------------------------------------------------------------------------------------------

    @EachFlavour
    void allCompletedWaitsUntilEveryFutureIsDone(Flavour flavour) {
        Promise<String> a = pending();
        Promise<String> b = pending();
        Promise<String> c = pending();
        List<Future<String>> fs = List.of(flavour.of(a), flavour.of(b), flavour.of(c));
        Blocked<DoneAndNotDone<String>> w = Blocked.inCall("wait", () -> Futures.wait(fs, ReturnWhen.ALL_COMPLETED));

        a.setResult("a");
        b.setException(new IOException("b"));
        w.assertStillBlocked();
        c.cancel();

        DoneAndNotDone<String> dn = w.join().value();
        assertThat(identities(dn.done())).isEqualTo(identities(fs));
        assertThat(dn.notDone()).isEmpty();
    }

    @EachFlavour
    void waitWithoutConditionIsAllCompleted(Flavour flavour) {
        Promise<String> a = pending();
        Promise<String> b = pending();
        List<Future<String>> fs = List.of(flavour.of(a), flavour.of(b));
        Blocked<DoneAndNotDone<String>> plain = Blocked.inCall("wait(fs)", () -> Futures.wait(fs));
        Blocked<DoneAndNotDone<String>> timed = Blocked.inCall("wait(fs, timeout)", () -> Futures.wait(fs, LONG));

        a.setResult("a");
        plain.assertStillBlocked();
        timed.assertStillBlocked();
        b.setResult("b");

        assertThat(identities(plain.join().value().done())).isEqualTo(identities(fs));
        assertThat(identities(timed.join().value().done())).isEqualTo(identities(fs));
    }

    // ---- FIRST_COMPLETED -----------------------------------------------------------------------------------------

    @EachFlavour
    void firstCompletedReturnsWhenAnyFutureIsDone(Flavour flavour) {
        Promise<String> a = pending();
        Promise<String> b = pending();
        Promise<String> c = pending();
        Future<String> fa = flavour.of(a);
        Future<String> fb = flavour.of(b);
        Future<String> fc = flavour.of(c);
        Blocked<DoneAndNotDone<String>> w =
                Blocked.inCall("wait", () -> Futures.wait(List.of(fa, fb, fc), ReturnWhen.FIRST_COMPLETED));

        b.setResult("b");

        DoneAndNotDone<String> dn = w.join().value();
        assertThat(identities(dn.done())).isEqualTo(identities(fb));
        assertThat(identities(dn.notDone())).isEqualTo(identities(fa, fc));
    }

    @EachFlavour
    void firstCompletedReturnsAtOnceWhenAFutureIsAlreadyDone(Flavour flavour) {
        Future<String> done = flavour.of(FutureFixtures.succeeded("v"));
        Future<String> waiting = flavour.of(pending());

        DoneAndNotDone<String> dn = Futures.wait(List.of(waiting, done), ReturnWhen.FIRST_COMPLETED);

        assertThat(identities(dn.done())).isEqualTo(identities(done));
        assertThat(identities(dn.notDone())).isEqualTo(identities(waiting));
    }

    @EachFlavour
    void firstCompletedCountsAFailureAsCompleted(Flavour flavour) {
        Promise<String> a = pending();
        Future<String> fa = flavour.of(a);
        Future<String> fb = flavour.of(pending());
        Blocked<DoneAndNotDone<String>> w =
                Blocked.inCall("wait", () -> Futures.wait(List.of(fa, fb), LONG, ReturnWhen.FIRST_COMPLETED));

        a.setException(new IllegalStateException("boom"));

        assertThat(identities(w.join().value().done())).isEqualTo(identities(fa));
    }

    // ---- FIRST_EXCEPTION -----------------------------------------------------------------------------------------

    @EachFlavour
    void firstExceptionReturnsOnTheFirstFailure(Flavour flavour) {
        Promise<String> a = pending();
        Promise<String> b = pending();
        Promise<String> c = pending();
        Future<String> fa = flavour.of(a);
        Future<String> fb = flavour.of(b);
        Future<String> fc = flavour.of(c);
        Blocked<DoneAndNotDone<String>> w =
                Blocked.inCall("wait", () -> Futures.wait(List.of(fa, fb, fc), ReturnWhen.FIRST_EXCEPTION));

        a.setResult("a");
        w.assertStillBlocked();
        b.setException(new IOException("b"));

        DoneAndNotDone<String> dn = w.join().value();
        assertThat(identities(dn.done())).isEqualTo(identities(fa, fb));
        assertThat(identities(dn.notDone())).isEqualTo(identities(fc));
    }

    @EachFlavour
    void firstExceptionReturnsAtOnceWhenAFutureHasAlreadyFailed(Flavour flavour) {
        Future<String> failed = flavour.of(FutureFixtures.failed(new IOException("boom")));
        Future<String> waiting = flavour.of(pending());

        DoneAndNotDone<String> dn = Futures.wait(List.of(waiting, failed), ReturnWhen.FIRST_EXCEPTION);

        assertThat(identities(dn.done())).isEqualTo(identities(failed));
        assertThat(identities(dn.notDone())).isEqualTo(identities(waiting));
    }

    @EachFlavour
    void firstExceptionDoesNotCountACancelledFutureAsFailed(Flavour flavour) {
        Future<String> cancelledBefore = flavour.of(FutureFixtures.cancelled());
        Promise<String> a = pending();
        Promise<String> b = pending();
        Future<String> fa = flavour.of(a);
        Future<String> fb = flavour.of(b);
        Blocked<DoneAndNotDone<String>> w = Blocked.inCall(
                "wait", () -> Futures.wait(List.of(cancelledBefore, fa, fb), LONG, ReturnWhen.FIRST_EXCEPTION));

        b.cancel();
        w.assertStillBlocked();
        a.setException(new IllegalStateException("a"));

        DoneAndNotDone<String> dn = w.join().value();
        assertThat(identities(dn.done())).isEqualTo(identities(cancelledBefore, fa, fb));
        assertThat(dn.notDone()).isEmpty();
    }

    @EachFlavour
    void firstExceptionWithoutAFailureWaitsForAll(Flavour flavour) {
        Promise<String> a = pending();
        Promise<String> b = pending();
        Promise<String> c = pending();
        List<Future<String>> fs = List.of(flavour.of(a), flavour.of(b), flavour.of(c));
        Blocked<DoneAndNotDone<String>> w = Blocked.inCall("wait", () -> Futures.wait(fs, ReturnWhen.FIRST_EXCEPTION));

        a.setResult("a");
        b.cancel();
        w.assertStillBlocked();
        c.setResult("c");

        DoneAndNotDone<String> dn = w.join().value();
        assertThat(identities(dn.done())).isEqualTo(identities(fs));
        assertThat(dn.notDone()).isEmpty();
    }

    @EachFlavour
    void firstExceptionWithOnlyCancelledFuturesReturnsAtOnce(Flavour flavour) {
        List<Future<String>> fs =
                List.of(flavour.of(FutureFixtures.cancelled()), flavour.of(FutureFixtures.cancelled()));

        DoneAndNotDone<String> dn = Futures.wait(fs, ReturnWhen.FIRST_EXCEPTION);

        assertThat(identities(dn.done())).isEqualTo(identities(fs));
    }

    // ---- timeouts ------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(ReturnWhen.class)
    void timeoutReturnsTheSplitInsteadOfThrowing(ReturnWhen returnWhen) {
        // FIRST_COMPLETED would return at once on a done future: give it none.
        Future<String> done = FutureFixtures.succeeded("v");
        Future<String> waiting = pending();
        Future<String> alsoWaiting = pending();
        List<Future<String>> fs = returnWhen == ReturnWhen.FIRST_COMPLETED
                ? List.of(waiting, alsoWaiting)
                : List.of(done, waiting, alsoWaiting);

        long start = System.nanoTime();
        DoneAndNotDone<String> dn = Futures.wait(fs, SHORT, returnWhen);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(SHORT);
        assertThat(identities(dn.done())).isEqualTo(identities(fs.subList(0, fs.size() - 2)));
        assertThat(identities(dn.notDone())).isEqualTo(identities(waiting, alsoWaiting));
    }

    @Test
    void timeoutOfTheAllCompletedOverloadReturnsTheSplit() {
        Future<String> done = FutureFixtures.succeeded("v");
        Future<String> waiting = pending();

        DoneAndNotDone<String> dn = Futures.wait(List.of(done, waiting), SHORT);

        assertThat(identities(dn.done())).isEqualTo(identities(done));
        assertThat(identities(dn.notDone())).isEqualTo(identities(waiting));
    }

    @ParameterizedTest
    @EnumSource(ReturnWhen.class)
    void zeroTimeoutDoesNotWait(ReturnWhen returnWhen) {
        Future<String> ok = FutureFixtures.succeeded("v");
        Future<String> waiting = pending();
        Future<String> running = FutureFixtures.running();

        long start = System.nanoTime();
        DoneAndNotDone<String> dn = Futures.wait(List.of(ok, waiting, running), Duration.ZERO, returnWhen);
        DoneAndNotDone<String> none = Futures.wait(List.of(waiting, running), Duration.ZERO, returnWhen);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(identities(dn.done())).isEqualTo(identities(ok));
        assertThat(identities(dn.notDone())).isEqualTo(identities(waiting, running));
        assertThat(none.done()).isEmpty();
        assertThat(identities(none.notDone())).isEqualTo(identities(waiting, running));
    }

    @EachFlavour
    void hugeTimeoutWaitsForTheCondition(Flavour flavour) {
        Promise<String> a = pending();
        Future<String> fa = flavour.of(a);
        Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
        Blocked<DoneAndNotDone<String>> w =
                Blocked.inCall("wait", () -> Futures.wait(List.of(fa), forever, ReturnWhen.ALL_COMPLETED));

        a.setResult("a");

        assertThat(identities(w.join().value().done())).isEqualTo(identities(fa));
    }

    // ---- duplicates and identity ---------------------------------------------------------------------------------

    @EachFlavour
    void duplicatesCountOnce(Flavour flavour) {
        Promise<String> a = pending();
        Promise<String> b = pending();
        Future<String> fa = flavour.of(a);
        Future<String> fb = flavour.of(b);
        List<Future<String>> fs = List.of(fa, fa, fb, fa, fb);
        Blocked<DoneAndNotDone<String>> all =
                Blocked.inCall("wait-all", () -> Futures.wait(fs, ReturnWhen.ALL_COMPLETED));
        Blocked<DoneAndNotDone<String>> firstException =
                Blocked.inCall("wait-first-exception", () -> Futures.wait(fs, LONG, ReturnWhen.FIRST_EXCEPTION));

        a.setResult("a");
        all.assertStillBlocked(); // a counted once: b is still missing
        b.setResult("b");

        for (Blocked<DoneAndNotDone<String>> w : List.of(all, firstException)) {
            DoneAndNotDone<String> dn = w.join().value();
            assertThat(dn.done()).hasSize(2);
            assertThat(identities(dn.done())).isEqualTo(identities(fa, fb));
            assertThat(dn.notDone()).isEmpty();
        }
    }

    @EachFlavour
    void theSetsHoldTheVeryFuturesPassedIn(Flavour flavour) {
        List<Future<String>> done = List.of(
                flavour.of(FutureFixtures.succeeded("v")),
                flavour.of(FutureFixtures.failed(new IOException())),
                flavour.of(FutureFixtures.cancelled()));
        List<Future<String>> notDone = List.of(flavour.of(pending()), flavour.of(FutureFixtures.running()));
        List<Future<String>> fs = new ArrayList<>(done);
        fs.addAll(notDone);
        Collections.shuffle(fs, new Random(42));

        DoneAndNotDone<String> dn = Futures.wait(fs, Duration.ZERO, ReturnWhen.ALL_COMPLETED);

        assertThat(dn.done()).hasSize(3);
        assertThat(identities(dn.done())).isEqualTo(identities(done));
        assertThat(dn.notDone()).hasSize(2);
        assertThat(identities(dn.notDone())).isEqualTo(identities(notDone));
    }

    // ---- waking up -----------------------------------------------------------------------------------------------

    @EachFlavour
    void cancellationWakesEveryKindOfWaitAtOnce(Flavour flavour) {
        Promise<String> a = pending();
        Future<String> fa = flavour.of(a);
        Future<String> other = flavour.of(pending());
        List<Blocked<DoneAndNotDone<String>>> waits = List.of(
                Blocked.inCall("all", () -> Futures.wait(List.of(fa), ReturnWhen.ALL_COMPLETED)),
                Blocked.inCall("first", () -> Futures.wait(List.of(fa, other), LONG, ReturnWhen.FIRST_COMPLETED)),
                Blocked.inCall("exception", () -> Futures.wait(List.of(fa), LONG, ReturnWhen.FIRST_EXCEPTION)));

        a.cancel();

        for (Blocked<DoneAndNotDone<String>> w : waits) {
            assertThat(identities(w.join().value().done()))
                    .as(w.thread().getName())
                    .isEqualTo(identities(fa));
        }
    }

    @EachFlavour
    void interruptedWaitThrowsCancellationExceptionAndKeepsTheInterruptFlag(Flavour flavour) {
        List<Future<String>> fs = List.of(flavour.of(pending()), flavour.of(pending()));

        for (ReturnWhen returnWhen : ReturnWhen.values()) {
            for (boolean timed : new boolean[] {false, true}) {
                Blocked<DoneAndNotDone<String>> w = Blocked.inCall(
                        "wait-" + returnWhen + (timed ? "-timed" : ""),
                        () -> timed ? Futures.wait(fs, LONG, returnWhen) : Futures.wait(fs, returnWhen));

                w.interrupt().join();

                assertThat(w.thrown()).as(w.thread().getName()).isInstanceOf(CancellationException.class);
                assertThat(w.interruptFlagAfterCall()).as(w.thread().getName()).isTrue();
            }
        }
        assertThat(fs).noneMatch(Future::isDone);
    }

    @Test
    void manyFuturesCompletedFromTwoThreads() throws Exception {
        int n = 10_000;
        List<Promise<Integer>> promises = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            promises.add(pending());
        }
        List<Promise<Integer>> order = new ArrayList<>(promises);
        Collections.shuffle(order, new Random(7));
        CyclicBarrier go = new CyclicBarrier(3);
        Blocked<Void> first = Blocked.start("completer-1", () -> completeAll(go, order.subList(0, n / 2)));
        Blocked<Void> second = Blocked.start("completer-2", () -> completeAll(go, order.subList(n / 2, n)));
        go.await(LONG.toSeconds(), TimeUnit.SECONDS);

        DoneAndNotDone<Integer> dn = Futures.wait(promises, LONG, ReturnWhen.ALL_COMPLETED);

        assertThat(dn.done()).hasSize(n);
        assertThat(dn.notDone()).isEmpty();
        assertThat(first.join().thrown()).isNull();
        assertThat(second.join().thrown()).isNull();
    }

    private static Void completeAll(CyclicBarrier go, List<Promise<Integer>> ps) throws Exception {
        go.await(LONG.toSeconds(), TimeUnit.SECONDS);
        for (int i = 0; i < ps.size(); i++) {
            ps.get(i).setResult(i);
        }
        return null;
    }

    // ---- edge cases and arguments --------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(ReturnWhen.class)
    void emptyCollectionReturnsAtOnce(ReturnWhen returnWhen) {
        List<Future<String>> none = List.of();

        for (DoneAndNotDone<String> dn : List.of(
                Futures.wait(none, returnWhen),
                Futures.wait(none, LONG, returnWhen),
                Futures.wait(none, Duration.ZERO, returnWhen))) {
            assertThat(dn.done()).isEmpty();
            assertThat(dn.notDone()).isEmpty();
        }
        assertThat(Futures.wait(none).done()).isEmpty();
    }

    @Test
    void nullArgumentsAreNullPointerExceptions() {
        List<Future<String>> fs = List.of(pending());
        Collection<Future<String>> withNull = Arrays.asList(FutureFixtures.succeeded("v"), null);

        assertThatThrownBy(() -> Futures.wait(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Futures.wait(null, ReturnWhen.ALL_COMPLETED)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Futures.wait(null, LONG, ReturnWhen.ALL_COMPLETED))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Futures.wait(withNull)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Futures.wait(withNull, ReturnWhen.FIRST_COMPLETED))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Futures.wait(withNull, Duration.ZERO, ReturnWhen.FIRST_COMPLETED))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Futures.wait(fs, (ReturnWhen) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Futures.wait(fs, LONG, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Futures.wait(fs, (Duration) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Futures.wait(fs, null, ReturnWhen.ALL_COMPLETED))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void negativeTimeoutIsIllegalArgument() {
        List<Future<String>> fs = List.of(pending(), FutureFixtures.succeeded("v"));
        Duration negative = Duration.ofNanos(-1);

        assertThatThrownBy(() -> Futures.wait(fs, negative)).isInstanceOf(IllegalArgumentException.class);
        for (ReturnWhen returnWhen : ReturnWhen.values()) {
            assertThatThrownBy(() -> Futures.wait(fs, negative, returnWhen))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
