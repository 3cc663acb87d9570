package dev.fanout.beyond;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.AsCompleted;
import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.Promise;
import dev.fanout.ThreadPool;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link AsCompleted#add}: futures added while iterating, as Dask's {@code as_completed.add}. */
@Timeout(30)
class AsCompletedAddTest {

    @Test
    void crawlerDiscoversWorkWhileIterating() {
        try (ThreadPool pool = new ThreadPool(4)) {
            AsCompleted<Integer> pages = Futures.asCompleted(List.of(pool.submit(() -> 1)));
            List<Integer> seen = new ArrayList<>();
            for (Future<Integer> done : pages) {
                int depth = done.result();
                seen.add(depth);
                if (depth < 6) {
                    pages.add(pool.submit(() -> depth + 1));
                    pages.add(pool.submit(() -> depth + 1));
                }
            }
            // a binary tree of depth 6: 2^6 - 1 nodes
            assertThat(seen).hasSize(63);
        }
    }

    @Test
    void addedFutureThatIsDoneComesAfterThoseAlreadyWaiting() {
        Promise<String> a = new Promise<>();
        a.setResult("a");
        AsCompleted<String> ac = Futures.asCompleted(List.of(a));
        Promise<String> b = new Promise<>();
        b.setResult("b");
        ac.add(b).add(b).add(a); // duplicates are handed out once
        List<String> out = new ArrayList<>();
        ac.forEach(f -> out.add(f.result()));
        assertThat(out).containsExactly("a", "b");
    }

    @Test
    void addAfterTheIterationEndedIsAnError() {
        Promise<String> a = new Promise<>();
        a.setResult("a");
        AsCompleted<String> ac = Futures.asCompleted(List.of(a));
        Iterator<Future<String>> it = ac.iterator();
        it.next();
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(() -> ac.add(new Promise<>()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ended");
        assertThatThrownBy(() -> ac.add(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void pendingAddedFutureIsWaitedFor() throws Exception {
        Promise<String> first = new Promise<>();
        first.setResult("first");
        AsCompleted<String> ac = Futures.asCompleted(List.of(first));
        Iterator<Future<String>> it = ac.iterator();
        assertThat(it.next().result()).isEqualTo("first");
        Promise<String> later = new Promise<>();
        ac.add(later);
        Thread completer = new Thread(() -> later.setResult("later"));
        completer.start();
        assertThat(it.next()).isSameAs(later);
        completer.join();
        assertThat(it.hasNext()).isFalse();
    }

    /**
     * Adding a future given at the call and not handed out yet, in each of its three places (done at the call, still
     * pending, completed and queued), hands it out once; one already handed out is handed out again.
     */
    @Test
    void addingAFutureNotHandedOutYetHandsItOutOnceWhereverItWaits() {
        Promise<String> doneAtCall = new Promise<>();
        doneAtCall.setResult("done");
        Promise<String> handedOut = new Promise<>();
        handedOut.setResult("handed");
        Promise<String> pending = new Promise<>();
        Promise<String> queued = new Promise<>();
        Promise<String> other = new Promise<>();
        other.setResult("other");
        AsCompleted<String> ac = Futures.asCompleted(List.of(handedOut, doneAtCall, pending, queued));
        Iterator<Future<String>> it = ac.iterator();
        assertThat(it.next()).isSameAs(handedOut);
        queued.setResult("queued"); // completed after the call: waits in the completion queue
        ac.add(doneAtCall).add(pending).add(queued).add(handedOut).add(other).add(other);
        pending.setResult("pending");
        List<Future<String>> rest = new ArrayList<>();
        it.forEachRemaining(rest::add);
        assertThat(rest).containsExactly(doneAtCall, queued, handedOut, other, pending);
    }

    /**
     * The futures given at the call are de-duplicated by identity in their order, whatever their number: large lists
     * share buckets of the first pass, which then go through an exact check.
     */
    @Test
    void largeListsWithDuplicatesYieldEachFutureOnceInTheirOrder() {
        for (int n : new int[] {2, 3, 64, 1_000, 100_000}) {
            List<Promise<Integer>> distinct = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Promise<Integer> p = new Promise<>();
                p.setResult(i);
                distinct.add(p);
            }
            List<Future<Integer>> withDuplicates = new ArrayList<>(distinct);
            java.util.Random random = new java.util.Random(n);
            for (int i = 0; i < n / 2 + 1; i++) {
                withDuplicates.add(random.nextInt(withDuplicates.size() + 1), distinct.get(random.nextInt(n)));
            }
            List<Future<Integer>> expected = new ArrayList<>();
            java.util.Set<Future<Integer>> once =
                    java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (Future<Integer> f : withDuplicates) {
                if (once.add(f)) {
                    expected.add(f);
                }
            }
            List<Future<Integer>> out = new ArrayList<>();
            Futures.asCompleted(withDuplicates).forEach(out::add);
            assertThat(out).as("n=%d", n).containsExactlyElementsOf(expected);
        }
    }

    /**
     * add() races with completions and with the consumer: every future added is handed out exactly once, however
     * its add falls against its completion and the lazily built set of futures not handed out.
     */
    @Test
    void addsRacingWithCompletionsHandEachFutureOutOnce() throws Exception {
        for (int round = 0; round < 200; round++) {
            List<Promise<Integer>> initial = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                initial.add(new Promise<>());
            }
            AsCompleted<Integer> ac = Futures.asCompleted(initial);
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            Thread completer = new Thread(() -> {
                await(start);
                for (int i = 0; i < initial.size(); i++) {
                    initial.get(i).setResult(i);
                }
            });
            completer.start();
            await(start);
            for (Promise<Integer> p : initial) {
                ac.add(p); // each not handed out yet: pending, or completing right now
            }
            List<Future<Integer>> out = new ArrayList<>();
            ac.forEach(out::add);
            completer.join();
            assertThat(out).as("round %d", round).hasSize(20).doesNotHaveDuplicates();
        }
    }

    private static void await(java.util.concurrent.CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
