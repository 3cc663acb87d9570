package dev.fanout.contract;

import static dev.fanout.contract.FutureFixtures.LONG;
import static dev.fanout.contract.FutureFixtures.SHORT;
import static dev.fanout.contract.FutureFixtures.eventually;
import static dev.fanout.contract.FutureFixtures.identities;
import static dev.fanout.contract.FutureFixtures.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.Future;
import dev.fanout.FutureTimeoutException;
import dev.fanout.Futures;
import dev.fanout.Promise;
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
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * API.md's {@code Futures.asCompleted}: order, each future once, the timeout counted from the call and its message,
 * cancellation, a single iteration, argument checks, and many futures completing from several threads. Most tests
 * run on Fanout's own futures and on a foreign {@link Future} implementation.
 */
@Timeout(30)
class AsCompletedContractTest {

    /** Runs the test once for each {@link Flavour} of future. */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @ParameterizedTest(name = "{0}")
    @EnumSource(Flavour.class)
    @interface EachFlavour {}

    // ---- order ---------------------------------------------------------------------------------------------------

    @EachFlavour
    void alreadyDoneFuturesComeFirstInInputOrderThenTheOthersInCompletionOrder(Flavour flavour) {
        Promise<String> p1 = pending();
        Promise<String> p2 = pending();
        Promise<String> p3 = pending();
        Future<String> f1 = flavour.of(p1);
        Future<String> f2 = flavour.of(p2);
        Future<String> f3 = flavour.of(p3);
        Future<String> ok = flavour.of(FutureFixtures.succeeded("v"));
        Future<String> cancelled = flavour.of(FutureFixtures.cancelled());
        Future<String> failed = flavour.of(FutureFixtures.failed(new IOException("boom")));

        Iterator<Future<String>> it =
                Futures.asCompleted(List.of(f1, ok, f2, cancelled, f3, failed)).iterator();
        p2.setResult("2"); // completes after the call, before the iteration starts
        p3.setResult("3");

        assertThat(it.next()).isSameAs(ok);
        assertThat(it.next()).isSameAs(cancelled);
        assertThat(it.next()).isSameAs(failed);
        assertThat(it.next()).isSameAs(f2);
        assertThat(it.next()).isSameAs(f3);
        assertThat(it.hasNext()).isTrue();
        p1.setResult("1");
        assertThat(it.next()).isSameAs(f1);
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    }

    @EachFlavour
    void nextBlocksUntilAFutureCompletes(Flavour flavour) {
        Promise<String> a = pending();
        Promise<String> b = pending();
        Future<String> fa = flavour.of(a);
        Future<String> fb = flavour.of(b);
        Iterator<Future<String>> it = Futures.asCompleted(List.of(fa, fb)).iterator();
        assertThat(it.hasNext()).as("hasNext does not wait").isTrue();

        Blocked<Future<String>> next = Blocked.inCall("next", it::next);
        b.setException(new IllegalStateException("b"));
        assertThat(next.join().value()).isSameAs(fb);

        Blocked<Future<String>> last = Blocked.inCall("last", it::next);
        a.setResult("a");
        assertThat(last.join().value()).isSameAs(fa);
        assertThat(it.hasNext()).isFalse();
    }

    @EachFlavour
    void eachFutureIsYieldedOnceAndDuplicatesAreDropped(Flavour flavour) {
        Promise<String> a = pending();
        Future<String> fa = flavour.of(a);
        Future<String> done = flavour.of(FutureFixtures.succeeded("v"));
        Iterable<Future<String>> iterable = Futures.asCompleted(List.of(fa, done, fa, done, fa), LONG);
        a.setResult("a");

        List<Future<String>> yielded = new ArrayList<>();
        iterable.forEach(yielded::add);

        assertThat(yielded).hasSize(2);
        assertThat(yielded.get(0)).isSameAs(done);
        assertThat(yielded.get(1)).isSameAs(fa);
    }

    // ---- timeout -------------------------------------------------------------------------------------------------

    @EachFlavour
    void timeoutCountsFromTheCallNotFromTheIteration(Flavour flavour) {
        Future<String> waiting = flavour.of(pending());
        Duration timeout = Duration.ofMillis(300);

        long called = System.nanoTime();
        Iterator<Future<String>> it =
                Futures.asCompleted(List.of(waiting), timeout).iterator();
        eventually().until(() -> System.nanoTime() - called > timeout.toNanos());

        long iterating = System.nanoTime();
        assertThatThrownBy(it::next).isInstanceOf(FutureTimeoutException.class);
        // Counted from the iteration, next() would have waited the whole 300 ms again.
        assertThat(Duration.ofNanos(System.nanoTime() - iterating)).isLessThan(Duration.ofMillis(250));
    }

    @EachFlavour
    void timeoutMessageSaysHowManyOfTheDistinctFuturesAreUnfinished(Flavour flavour) {
        Promise<String> a = pending();
        Future<String> fa = flavour.of(a);
        Future<String> fb = flavour.of(pending());
        Future<String> fc = flavour.of(FutureFixtures.running());
        Future<String> done = flavour.of(FutureFixtures.succeeded("v"));
        Iterator<Future<String>> it = Futures.asCompleted(List.of(fa, fb, fb, fc, done, done), Duration.ofMillis(200))
                .iterator();

        assertThat(it.next()).isSameAs(done);
        a.setResult("a");
        assertThat(it.next()).isSameAs(fa);
        assertThatThrownBy(it::next)
                .isInstanceOf(FutureTimeoutException.class)
                .hasMessage("2 (of 4) futures unfinished");
    }

    @EachFlavour
    void zeroTimeoutYieldsOnlyTheDoneFuturesThenThrows(Flavour flavour) {
        Future<String> ok = flavour.of(FutureFixtures.succeeded("v"));
        Future<String> cancelled = flavour.of(FutureFixtures.cancelled());
        List<Future<String>> fs = List.of(flavour.of(pending()), ok, flavour.of(FutureFixtures.running()), cancelled);

        List<Future<String>> yielded = new ArrayList<>();
        assertThatThrownBy(() -> Futures.asCompleted(fs, Duration.ZERO).forEach(yielded::add))
                .isInstanceOf(FutureTimeoutException.class)
                .hasMessage("2 (of 4) futures unfinished");

        assertThat(yielded).hasSize(2);
        assertThat(identities(yielded)).isEqualTo(identities(ok, cancelled));
    }

    @EachFlavour
    void theIterationEndsWithTheTimeout(Flavour flavour) {
        Promise<String> late = pending();
        Iterator<Future<String>> it =
                Futures.asCompleted(List.of(flavour.of(late)), Duration.ZERO).iterator();

        assertThatThrownBy(it::next).isInstanceOf(FutureTimeoutException.class);
        late.setResult("late");

        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    }

    @EachFlavour
    void hugeTimeoutWaitsForTheFutures(Flavour flavour) {
        Promise<String> a = pending();
        Future<String> fa = flavour.of(a);
        Iterator<Future<String>> it = Futures.asCompleted(List.of(fa), Duration.ofSeconds(Long.MAX_VALUE))
                .iterator();
        Blocked<Future<String>> next = Blocked.inCall("next", it::next);

        a.setResult("a");

        assertThat(next.join().value()).isSameAs(fa);
    }

    // ---- cancellation and interrupts -----------------------------------------------------------------------------

    @EachFlavour
    void aCancelledFutureIsYieldedAtOnce(Flavour flavour) {
        Promise<String> a = pending();
        Promise<String> b = pending();
        Future<String> fa = flavour.of(a);
        Future<String> fb = flavour.of(b);
        Iterator<Future<String>> untimed = Futures.asCompleted(List.of(fa, fb)).iterator();
        Iterator<Future<String>> timed =
                Futures.asCompleted(List.of(fa, fb), LONG).iterator();
        Blocked<Future<String>> untimedNext = Blocked.inCall("untimed", untimed::next);
        Blocked<Future<String>> timedNext = Blocked.inCall("timed", timed::next);

        a.cancel();

        assertThat(untimedNext.join().value()).isSameAs(fa);
        assertThat(timedNext.join().value()).isSameAs(fa);
        b.cancel();
        assertThat(untimed.next()).isSameAs(fb);
        assertThat(timed.next()).isSameAs(fb);
    }

    @EachFlavour
    void interruptedNextThrowsCancellationExceptionAndKeepsTheInterruptFlag(Flavour flavour) {
        Future<String> waiting = flavour.of(pending());

        for (Duration timeout : Arrays.asList(null, LONG)) {
            Iterator<Future<String>> it = (timeout == null
                            ? Futures.asCompleted(List.of(waiting))
                            : Futures.asCompleted(List.of(waiting), timeout))
                    .iterator();
            Blocked<Future<String>> next = Blocked.inCall("next", it::next);

            next.interrupt().join();

            assertThat(next.thrown()).isInstanceOf(CancellationException.class);
            assertThat(next.interruptFlagAfterCall()).isTrue();
        }
        assertThat(waiting.isDone()).isFalse();
    }

    // ---- one iteration, arguments --------------------------------------------------------------------------------

    @Test
    void iteratingTwiceIsIllegalState() {
        Iterable<Future<String>> once = Futures.asCompleted(List.of(FutureFixtures.succeeded("v")));
        Iterable<Future<String>> timed = Futures.asCompleted(List.of(FutureFixtures.succeeded("v")), LONG);

        for (Iterable<Future<String>> iterable : List.of(once, timed)) {
            iterable.iterator();
            assertThatThrownBy(iterable::iterator).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void emptyCollectionYieldsNothing() {
        List<Future<String>> none = List.of();

        assertThat(Futures.asCompleted(none)).isEmpty();
        assertThat(Futures.asCompleted(none, Duration.ZERO)).isEmpty();
    }

    @Test
    void nullArgumentsAreNullPointerExceptions() {
        Collection<Future<String>> withNull = Arrays.asList(FutureFixtures.succeeded("v"), null);

        assertThatThrownBy(() -> Futures.asCompleted(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Futures.asCompleted(null, LONG)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Futures.asCompleted(withNull)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Futures.asCompleted(withNull, LONG)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Futures.asCompleted(List.of(pending()), null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void negativeTimeoutIsIllegalArgument() {
        assertThatThrownBy(() -> Futures.asCompleted(List.of(pending()), Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- many futures --------------------------------------------------------------------------------------------

    @EachFlavour
    void everyOneOfManyFuturesCompletedInRandomOrderFromTwoThreadsIsYieldedOnce(Flavour flavour) throws Exception {
        int n = 20_000;
        int doneBefore = 1_000;
        List<Promise<Integer>> promises = new ArrayList<>();
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Promise<Integer> p = pending();
            promises.add(p);
            fs.add(flavour.of(p));
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(20_000));
        List<Future<Integer>> expectedFirst = new ArrayList<>();
        for (int i : order.subList(0, doneBefore)) {
            promises.get(i).setResult(i);
        }
        for (int i = 0; i < n; i++) {
            if (promises.get(i).isDone()) {
                expectedFirst.add(fs.get(i)); // the done ones come first, in input order
            }
        }
        List<Integer> rest = order.subList(doneBefore, n);

        Iterable<Future<Integer>> asCompleted = Futures.asCompleted(fs, LONG);
        CyclicBarrier go = new CyclicBarrier(2);
        Blocked<Void> first = Blocked.start("completer-1", () -> completeEverySecond(go, promises, rest, 0));
        Blocked<Void> second = Blocked.start("completer-2", () -> completeEverySecond(go, promises, rest, 1));
        List<Future<Integer>> yielded = new ArrayList<>(n);
        for (Future<Integer> f : asCompleted) {
            assertThat(f.isDone()).isTrue();
            yielded.add(f);
        }

        assertThat(first.join().thrown()).isNull();
        assertThat(second.join().thrown()).isNull();
        assertThat(yielded).hasSize(n);
        Set<Object> distinct = identities(yielded);
        assertThat(distinct).hasSize(n).isEqualTo(identities(fs));
        for (int i = 0; i < doneBefore; i++) {
            assertThat(yielded.get(i)).isSameAs(expectedFirst.get(i));
        }
    }

    private static Void completeEverySecond(
            CyclicBarrier go, List<Promise<Integer>> promises, List<Integer> order, int offset) throws Exception {
        go.await(LONG.toSeconds(), TimeUnit.SECONDS);
        for (int k = offset; k < order.size(); k += 2) {
            int i = order.get(k);
            promises.get(i).setResult(i);
        }
        return null;
    }

    @Test
    void aTimeoutDoesNotStopFuturesFromCompletingLater() {
        Promise<String> p = pending();
        Iterator<Future<String>> it = Futures.asCompleted(List.of(p), SHORT).iterator();

        assertThatThrownBy(it::next).isInstanceOf(FutureTimeoutException.class);
        p.setResult("v");

        assertThat(p.result()).isEqualTo("v");
        assertThat(p.isCancelled()).isFalse();
    }
}
