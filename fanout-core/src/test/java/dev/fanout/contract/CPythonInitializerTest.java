package dev.fanout.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.BrokenExecutorException;
import dev.fanout.Future;
import dev.fanout.ThreadPool;
import dev.fanout.testing.LogCapture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A port of CPython's {@code Lib/test/test_concurrent_futures/test_init.py} for the thread pool
 * ({@code ThreadPoolInitializerTest} and {@code ThreadPoolFailingInitializerTest}, {@code worker_count = 2}). Python
 * passes {@code initargs}; a Java initializer captures its arguments. Python's module-global
 * {@code INITIALIZER_STATUS} becomes a thread-local, which is stricter: every task sees its own worker's initializer.
 *
 * <p>Not ported:
 *
 * <ul>
 *   <li>the process-pool variants ({@code ProcessPool{Fork,Forkserver,Spawn}...InitializerTest}) and the log queue
 *       they pass to child processes: process-pool only;
 *   <li>{@code FailingInitializerResourcesTest} (gh-104090): checks multiprocessing's resource tracker for leaked
 *       semaphores, a process-pool internal with no Java equivalent.
 * </ul>
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CPythonInitializerTest {
    private static final int WORKER_COUNT = 2;
    private static final ThreadLocal<String> INITIALIZER_STATUS = ThreadLocal.withInitial(() -> "uninitialized");

    /** {@code InitializerMixin.test_initializer}: tasks see what the initializer set. */
    @Test
    void testInitializer() {
        String x = "initialized";
        try (ThreadPool executor = ThreadPool.builder()
                .maxWorkers(WORKER_COUNT)
                .initializer(() -> INITIALIZER_STATUS.set(x))
                .build()) {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < WORKER_COUNT; i++) {
                futures.add(executor.submit(INITIALIZER_STATUS::get));
            }
            for (Future<String> f : futures) {
                assertThat(f.result()).isEqualTo("initialized");
            }
        }
        assertThat(INITIALIZER_STATUS.get())
                .as("the test thread runs no initializer")
                .isEqualTo("uninitialized");
    }

    /**
     * {@code FailingInitializerMixin.test_initializer}: the initializer sleeps 0.1 s (letting futures be scheduled)
     * and raises; the future fails with a broken-executor error (or {@code submit} already raises it), the executor
     * breaks for good, and the failure is logged. CPython logs {@code critical} on {@code concurrent.futures}; Fanout
     * logs through {@code System.Logger} {@code dev.fanout}, whose most severe level is {@code ERROR} (JUL's
     * {@code SEVERE}).
     */
    @Test
    void testFailingInitializer() {
        IllegalArgumentException error = new IllegalArgumentException("error in initializer");
        try (LogCapture logs = LogCapture.started();
                ThreadPool executor = ThreadPool.builder()
                        .maxWorkers(WORKER_COUNT)
                        .initializer(() -> {
                            Thread.sleep(100); // let some futures be scheduled
                            throw error;
                        })
                        .build()) {
            Future<String> future = null;
            try {
                future = executor.submit(INITIALIZER_STATUS::get);
            } catch (BrokenExecutorException perhapsAlreadyBroken) {
                // the executor may be broken already
            }
            if (future != null) {
                Future<String> f = future;
                assertThatThrownBy(f::result).isInstanceOf(BrokenExecutorException.class);
            }
            // at some point the executor breaks, and from then on submit() is guaranteed to fail
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThatThrownBy(() -> executor.submit(INITIALIZER_STATUS::get))
                            .isInstanceOf(BrokenExecutorException.class));
            assertThatThrownBy(() -> executor.submit(INITIALIZER_STATUS::get))
                    .isInstanceOf(BrokenExecutorException.class);

            List<LogRecord> records = logs.records();
            assertThat(records).as("the initializer's failure is logged").anySatisfy(r -> {
                assertThat(r.getLevel()).isEqualTo(Level.SEVERE);
                assertThat(r.getThrown()).isSameAs(error);
            });
        }
    }
}
