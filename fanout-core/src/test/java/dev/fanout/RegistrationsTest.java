package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Internals of {@link Futures} that the black-box tests only see as memory or as an exception's identity. */
class RegistrationsTest {

    /**
     * An iteration that keeps adding futures (asCompleted's add()) must not keep one registration per future for ever:
     * the registrations of futures that are done are dropped whenever the list has doubled.
     */
    @Test
    void theRegistrationsOfDoneFuturesAreDroppedAsTheListGrows() throws Exception {
        Futures.Registrations rs = new Futures.Registrations();
        List<Future<?>> notified = new ArrayList<>();
        Promise<Integer> stillPending = new Promise<>();
        rs.add(stillPending, notified::add);
        for (int round = 0; round < 100; round++) {
            List<Promise<Integer>> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Promise<Integer> p = new Promise<>();
                rs.add(p, notified::add);
                batch.add(p);
            }
            batch.forEach(p -> p.setResult(1));
        }
        assertThat(notified).hasSize(5_000);
        assertThat(registrations(rs))
                .as("5,000 futures registered and done, one pending: the list is compacted, not 5,001 long")
                .isLessThan(200);
        Set<Future<?>> pending = new HashSet<>();
        rs.forEachPending(pending::add);
        assertThat(pending).containsExactly(stillPending);
    }

    /** A stage that fails with an ExecutionException around the real cause gives the cause, as a CompletionException. */
    @Test
    void aStageFailingWithAWrappedCauseGivesTheCause() {
        IllegalStateException cause = new IllegalStateException("the real failure");
        Future<Object> f = Futures.fromCompletionStage(CompletableFuture.failedFuture(new ExecutionException(cause)));
        assertThat(f.exception()).isSameAs(cause);
    }

    /** Options that differ hash differently: they are fit to be keys (of a cache of maps, say). */
    @Test
    void differentOptionsHashDifferently() {
        Set<Integer> hashes = new HashSet<>();
        for (int n = 1; n <= 20; n++) {
            hashes.add(MapOptions.defaults().bufferSize(n).hashCode());
            hashes.add(MapOptions.defaults().chunkSize(n).hashCode());
        }
        assertThat(hashes).hasSizeGreaterThan(30);
        assertThat(MapOptions.defaults().bufferSize(3).hashCode())
                .isEqualTo(MapOptions.defaults().bufferSize(3).hashCode());
    }

    private static int registrations(Futures.Registrations rs) throws ReflectiveOperationException {
        Field f = Futures.Registrations.class.getDeclaredField("registrations");
        f.setAccessible(true);
        return ((List<?>) f.get(rs)).size();
    }
}
