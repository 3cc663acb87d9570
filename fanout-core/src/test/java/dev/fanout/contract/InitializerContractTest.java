package dev.fanout.contract;

import static dev.fanout.contract.PoolTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.BrokenExecutorException;
import dev.fanout.BrokenThreadPoolException;
import dev.fanout.Future;
import dev.fanout.MapOptions;
import dev.fanout.ThreadPool;
import dev.fanout.testing.LogCapture;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** API.md, {@code ThreadPool}: "A failing initializer breaks the pool", and the exceptions' hierarchy. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InitializerContractTest {
    private LogCapture logs;

    /** Keeps the expected initializer failures out of the build log, and lets tests look at them. */
    @BeforeEach
    void captureLogs() {
        logs = LogCapture.started();
    }

    @AfterEach
    void releaseLogs() {
        logs.close();
    }

    @Test
    void theExceptionsFormTheDocumentedHierarchy() {
        assertThat(RejectedExecutionException.class).isAssignableFrom(BrokenExecutorException.class);
        assertThat(BrokenExecutorException.class).isAssignableFrom(BrokenThreadPoolException.class);
        assertThat(RuntimeException.class).isAssignableFrom(BrokenThreadPoolException.class);
        IllegalStateException cause = new IllegalStateException("init");
        BrokenThreadPoolException e = new BrokenThreadPoolException("broken", cause);
        assertThat(e).isInstanceOf(RejectedExecutionException.class).hasMessage("broken");
        assertThat(e.getCause()).isSameAs(cause);
    }

    @Test
    void aFailingInitializerFailsEveryQueuedFutureWithBrokenThreadPoolException() throws Exception {
        CountDownLatch initializing = new CountDownLatch(1);
        CountDownLatch fail = new CountDownLatch(1);
        IOException initFailure = new IOException("cannot open the session");
        AtomicInteger ran = new AtomicInteger();
        try (ThreadPool pool = ThreadPool.builder()
                .maxWorkers(1)
                .initializer(() -> {
                    initializing.countDown();
                    await(fail);
                    throw initFailure;
                })
                .build()) {
            List<Future<Integer>> queued = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    queued.add(pool.submit(ran::incrementAndGet));
                }
                await(initializing);
                assertThat(queued).noneSatisfy(f -> assertThat(f.isDone()).isTrue());
            } finally {
                fail.countDown();
            }
            for (Future<Integer> f : queued) {
                assertThatThrownBy(f::result)
                        .isInstanceOf(BrokenThreadPoolException.class)
                        .cause()
                        .isSameAs(initFailure);
                assertThat(f.exception()).isInstanceOf(BrokenThreadPoolException.class);
                assertThat(f.isCancelled()).isFalse();
            }
            assertThat(ran).as("no task runs on a broken pool").hasValue(0);

            // every later submit throws it too, with the same cause
            assertThatThrownBy(() -> pool.submit(() -> 1))
                    .isInstanceOf(BrokenThreadPoolException.class)
                    .cause()
                    .isSameAs(initFailure);
            assertThatThrownBy(() -> pool.submit(() -> {}))
                    .isInstanceOf(BrokenThreadPoolException.class)
                    .cause()
                    .isSameAs(initFailure);
            assertThatThrownBy(() -> pool.execute(() -> {})).isInstanceOf(BrokenThreadPoolException.class);
            assertThatThrownBy(() -> pool.map(x -> x, List.of(1, 2))).isInstanceOf(BrokenThreadPoolException.class);
        } // and close() on a broken pool returns
        // as CPython (critical "Exception in initializer:"), the failure is logged, once for the one worker
        assertThat(logs.records()).singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.SEVERE);
            assertThat(r.getThrown()).isSameAs(initFailure);
            assertThat(r.getMessage()).contains("exception in initializer");
        });
    }

    @Test
    void aBrokenPoolIsBrokenForGoodAndStillShutsDown() {
        RuntimeException initFailure = new IllegalStateException("no");
        ThreadPool pool = ThreadPool.builder()
                .maxWorkers(3)
                .initializer(() -> {
                    throw initFailure;
                })
                .build();
        try (pool) {
            Future<String> f;
            try {
                f = pool.submit(() -> "never");
            } catch (BrokenThreadPoolException alreadyBroken) {
                f = null; // a worker may break the pool between two submits
            }
            if (f != null) {
                assertThatThrownBy(f::result).isInstanceOf(BrokenThreadPoolException.class);
            }
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThatThrownBy(() -> pool.submit(() -> 1))
                            .isInstanceOf(BrokenThreadPoolException.class));
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> pool.submit(() -> 1))
                        .isInstanceOf(BrokenThreadPoolException.class)
                        .isInstanceOf(BrokenExecutorException.class)
                        .isInstanceOf(RejectedExecutionException.class)
                        .cause()
                        .isSameAs(initFailure);
            }
        }
        assertThat(pool.isShutdown()).isTrue();
    }

    @Test
    void aFailingInitializerBreaksABoundedMapToo() {
        RuntimeException initFailure = new IllegalStateException("no");
        try (ThreadPool pool = ThreadPool.builder()
                .maxWorkers(2)
                .initializer(() -> {
                    throw initFailure;
                })
                .build()) {
            Throwable thrown = null;
            try {
                for (Integer ignored : pool.map(
                        x -> x, List.of(1, 2, 3, 4), MapOptions.defaults().bufferSize(1))) {
                    throw new AssertionError("no result expected, got " + ignored);
                }
            } catch (BrokenThreadPoolException e) {
                thrown = e;
            }
            assertThat(thrown).isInstanceOf(BrokenThreadPoolException.class);
            assertThat(thrown.getCause()).isSameAs(initFailure);
        }
    }
}
