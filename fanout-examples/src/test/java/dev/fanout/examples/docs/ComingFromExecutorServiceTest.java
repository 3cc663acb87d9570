package dev.fanout.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Future;
import dev.fanout.Futures;
import dev.fanout.ThreadPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The snippets of docs/coming-from-executorservice.md, run and checked. */
class ComingFromExecutorServiceTest {
    private static final List<String> urls = List.of("a", "bb", "ccc");

    static int fetch(String url) {
        return url.length();
    }

    @Test
    void aFixedPoolAndItsFutures() throws Exception {
        int jdkTotal = 0;
        // tag::jdk-fixed[]
        ExecutorService jdk = Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Integer>> fs = new ArrayList<>();
            for (String url : urls) {
                fs.add(jdk.submit(() -> fetch(url)));
            }
            for (java.util.concurrent.Future<Integer> f : fs) {
                jdkTotal += f.get(); // throws InterruptedException, ExecutionException
            }
        } finally {
            jdk.shutdown();
        }
        // end::jdk-fixed[]
        int total = 0;
        // tag::fanout-fixed[]
        try (ThreadPool pool = new ThreadPool(4)) {
            List<Future<Integer>> fs = new ArrayList<>();
            for (String url : urls) {
                fs.add(pool.submit(() -> fetch(url)));
            }
            for (Future<Integer> f : fs) {
                total += f.result(); // a task's RuntimeException comes out as it was thrown
            }
        } // close() waits for every task, then the pool is gone
        // end::fanout-fixed[]
        assertThat(total).isEqualTo(jdkTotal).isEqualTo(6);
    }

    @Test
    void completionServiceAndInvokeAll() {
        List<Integer> asTheyCame = new ArrayList<>();
        List<Integer> inOrder = new ArrayList<>();
        try (ThreadPool pool = new ThreadPool(4)) {
            // tag::as-completed[]
            // ExecutorCompletionService's take() loop:
            List<Future<Integer>> fs =
                    urls.stream().map(u -> pool.submit(() -> fetch(u))).toList();
            for (Future<Integer> f : Futures.asCompleted(fs)) {
                asTheyCame.add(f.result());
            }
            // invokeAll(tasks), results in input order:
            pool.map(u -> fetch(u), urls).forEach(inOrder::add);
            // end::as-completed[]
        }
        assertThat(asTheyCame).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(inOrder).containsExactly(1, 2, 3);
    }

    @Test
    void completableFutureOnAFanoutPool() {
        try (ThreadPool pool = new ThreadPool(4)) {
            // tag::completable[]
            CompletableFuture<Integer> sum = CompletableFuture.supplyAsync(() -> fetch("a"), pool) // an Executor
                    .thenCombine(pool.submit(() -> fetch("bb")).toCompletableFuture(), Integer::sum);
            // end::completable[]
            assertThat(sum.join()).isEqualTo(3);
        }
    }

    @Test
    void shutdownNowBecomesACancellingShutdownThatInterruptsNothing() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ThreadPool pool = new ThreadPool(1);
        Future<String> running = pool.submit(() -> {
            started.countDown();
            release.await();
            return "ran to the end";
        });
        Future<String> waiting = pool.submit(() -> "never started");
        started.await();
        // tag::shutdown-now[]
        // jdk.shutdownNow(): interrupts the running tasks, returns the queued ones
        pool.shutdown(false, true); // cancels the queued ones, lets the running ones finish
        // end::shutdown-now[]
        assertThat(waiting.isCancelled()).isTrue();
        release.countDown();
        assertThat(running.result()).isEqualTo("ran to the end");
        pool.shutdown();
    }
}
