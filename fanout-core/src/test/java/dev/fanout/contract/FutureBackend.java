package dev.fanout.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Future;
import dev.fanout.Promise;
import dev.fanout.ThreadPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The backends whose futures {@link FutureContractTest} runs through the same assertions: each makes a future whose
 * task the test starts and finishes at will. Add a backend here and every contract test runs against it.
 */
enum FutureBackend {
    /** A {@link Promise} driven by hand, completed from a thread of the test's own. */
    PROMISE {
        @Override
        Driver open() {
            return new PromiseDriver();
        }
    },
    /** A task submitted to a {@link ThreadPool}, which completes it on its worker thread. */
    THREAD_POOL {
        @Override
        Driver open() {
            return new PoolDriver();
        }
    };

    abstract Driver open();

    /** Makes jobs; {@link #close()} releases every task it holds back and frees its threads. */
    interface Driver extends AutoCloseable {
        /** A job whose future is pending: its task has not started. */
        <T> Job<T> submit();

        @Override
        void close();
    }

    /** One task of a backend, under the test's control. */
    interface Job<T> {
        Future<T> future();

        /** Lets the task start; returns once the future is running. */
        Job<T> start();

        /** Has the task return {@code value}, starting it first if need be; returns once the future is done. */
        void succeed(T value);

        /** Has the task throw {@code exception}, starting it first if need be; returns once the future is done. */
        void fail(Throwable exception);

        /** The thread that completed the future, once {@link #succeed} or {@link #fail} returned. */
        Thread completer();
    }

    private static final class PromiseDriver implements Driver {
        @Override
        public <T> Job<T> submit() {
            return new PromiseJob<>();
        }

        @Override
        public void close() {}
    }

    private static final class PromiseJob<T> implements Job<T> {
        private final Promise<T> promise = new Promise<>();
        private volatile Thread completer;

        @Override
        public Future<T> future() {
            return promise;
        }

        @Override
        public Job<T> start() {
            assertThat(promise.setRunningOrNotifyCancel()).isTrue();
            return this;
        }

        @Override
        public void succeed(T value) {
            completeOnOwnThread(() -> promise.setResult(value));
        }

        @Override
        public void fail(Throwable exception) {
            completeOnOwnThread(() -> promise.setException(exception));
        }

        private void completeOnOwnThread(Runnable completion) {
            if (!promise.isRunning()) {
                start();
            }
            Thread t = new Thread(completion, "promise-completer");
            t.setDaemon(true);
            completer = t;
            t.start();
            try {
                t.join(FutureFixtures.LONG.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            assertThat(promise.isDone()).isTrue();
        }

        @Override
        public Thread completer() {
            return completer;
        }
    }

    /**
     * One single-worker pool per job: a first task holds the worker until {@link Job#start()}, so the job's own task
     * stays queued (pending) until then, and then blocks until the test says how it ends.
     */
    private static final class PoolDriver implements Driver {
        private final List<PoolJob<?>> jobs = new ArrayList<>();

        @Override
        public <T> Job<T> submit() {
            PoolJob<T> job = new PoolJob<>();
            jobs.add(job);
            return job;
        }

        @Override
        public void close() {
            for (PoolJob<?> job : jobs) {
                job.mayStart.countDown();
                job.mayEnd.countDown();
            }
            for (PoolJob<?> job : jobs) {
                job.pool.close();
            }
        }
    }

    private static final class PoolJob<T> implements Job<T> {
        final ThreadPool pool = new ThreadPool(1);
        final CountDownLatch mayStart = new CountDownLatch(1);
        final CountDownLatch mayEnd = new CountDownLatch(1);
        private final Future<T> future;
        private volatile T value;
        private volatile Throwable exception;
        private volatile Thread worker;

        PoolJob() {
            pool.submit(() -> {
                mayStart.await();
                return null;
            });
            future = pool.submit(this::call);
            assertThat(future.isRunning()).isFalse();
        }

        private T call() throws Exception {
            worker = Thread.currentThread();
            mayEnd.await(); // an interrupt would end the task with InterruptedException, which tests would notice
            Throwable e = exception;
            if (e instanceof Exception checked) {
                throw checked;
            }
            if (e instanceof Error error) {
                throw error;
            }
            return value;
        }

        @Override
        public Future<T> future() {
            return future;
        }

        @Override
        public Job<T> start() {
            mayStart.countDown();
            FutureFixtures.eventually().until(future::isRunning);
            return this;
        }

        @Override
        public void succeed(T v) {
            value = v;
            end();
        }

        @Override
        public void fail(Throwable e) {
            assertThat(e).isInstanceOfAny(Exception.class, Error.class);
            exception = e;
            end();
        }

        private void end() {
            if (!future.isRunning()) {
                start();
            }
            mayEnd.countDown();
            FutureFixtures.eventually().until(future::isDone);
        }

        @Override
        public Thread completer() {
            return worker;
        }
    }
}
