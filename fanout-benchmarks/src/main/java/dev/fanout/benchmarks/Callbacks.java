package dev.fanout.benchmarks;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListeningExecutorService;
import com.google.common.util.concurrent.MoreExecutors;
import dev.fanout.Promise;
import dev.fanout.ThreadPool;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The contenders of scenario (g): {@code n} futures with a done-callback each. On a pool: submit a trivial task, add a callback that
 * adds the result up, and wait until every callback has run. Without a pool: make a future, add the callback,
 * complete it, on one thread: what the callback machinery alone costs.
 */
public enum Callbacks implements Contender {
    FANOUT("Fanout addDoneCallback") {
        @Override
        public Trial open(int workers) {
            ThreadPool pool = Pools.fanout(workers);
            return Pools.trial(pool, n -> {
                Tally tally = new Tally(n);
                for (int i = 0; i < n; i++) {
                    int item = i;
                    pool.submit(() -> item).addDoneCallback(f -> tally.add(f.result()));
                }
                return tally.await();
            });
        }
    },
    COMPLETABLE_FUTURE("CompletableFuture.whenComplete") {
        @Override
        public Trial open(int workers) {
            ExecutorService pool = Pools.fixed(workers);
            return Pools.trial(pool, n -> {
                Tally tally = new Tally(n);
                for (int i = 0; i < n; i++) {
                    int item = i;
                    CompletableFuture.supplyAsync(() -> item, pool).whenComplete((v, e) -> tally.add(v));
                }
                return tally.await();
            });
        }
    },
    GUAVA("Guava Futures.addCallback") {
        @Override
        public Trial open(int workers) {
            ListeningExecutorService pool = Pools.guava(workers);
            return Pools.trial(pool, n -> {
                Tally tally = new Tally(n);
                FutureCallback<Integer> callback = new FutureCallback<>() {
                    @Override
                    public void onSuccess(Integer v) {
                        tally.add(v);
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        throw new AssertionError(t);
                    }
                };
                for (int i = 0; i < n; i++) {
                    int item = i;
                    Futures.addCallback(pool.submit(() -> item), callback, MoreExecutors.directExecutor());
                }
                return tally.await();
            });
        }
    },
    FANOUT_PROMISE("Fanout Promise, no pool") {
        @Override
        public Trial open(int workers) {
            return Trial.of(
                    n -> {
                        Tally tally = new Tally(n);
                        for (int i = 0; i < n; i++) {
                            Promise<Integer> p = new Promise<>();
                            p.addDoneCallback(f -> tally.add(f.result()));
                            p.setResult(i);
                        }
                        return tally.await();
                    },
                    () -> {});
        }
    },
    COMPLETABLE_FUTURE_NO_POOL("CompletableFuture, no pool") {
        @Override
        public Trial open(int workers) {
            return Trial.of(
                    n -> {
                        Tally tally = new Tally(n);
                        for (int i = 0; i < n; i++) {
                            CompletableFuture<Integer> f = new CompletableFuture<>();
                            f.whenComplete((v, e) -> tally.add(v));
                            f.complete(i);
                        }
                        return tally.await();
                    },
                    () -> {});
        }
    };

    private final String label;

    Callbacks(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** Adds up what the callbacks see and opens once the last one has run. */
    static final class Tally {
        private final AtomicLong sum = new AtomicLong();
        private final AtomicInteger remaining;
        private final CountDownLatch done = new CountDownLatch(1);

        Tally(int n) {
            remaining = new AtomicInteger(n);
            if (n == 0) {
                done.countDown();
            }
        }

        void add(long value) {
            sum.addAndGet(value);
            if (remaining.decrementAndGet() == 0) {
                done.countDown();
            }
        }

        long await() throws InterruptedException {
            done.await();
            return sum.get();
        }
    }
}
