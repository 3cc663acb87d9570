package dev.fanout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Python's {@code ThreadPoolExecutor}: runs tasks on at most {@link #maxWorkers()} threads.
 *
 * <p>Threads start lazily, one per {@code submit} while no worker is idle, and an idle worker is reused before a new
 * one starts. Workers are named {@code PREFIX_N} (N from 0; the default prefix is {@code ThreadPool-K}, K counting
 * pools) and run the {@linkplain Builder#initializer initializer} once before their first task. Tasks wait in an
 * unbounded first-in, first-out queue. A worker that finds it empty polls it for a few microseconds (one worker at a
 * time) before it sleeps, so that a steady stream of short tasks seldom pays for waking one; an idle pool uses no CPU.
 *
 * <p>Worker threads are daemon threads and never keep the JVM alive by themselves; instead, when the JVM begins to
 * exit (for example because {@code main} returned), a shutdown hook lets every pool finish the tasks it was given, as
 * Python does at interpreter exit. A pool that becomes unreachable is shut down without waiting, and its workers end
 * once its queue is empty.
 *
 * <pre>{@code
 * try (ThreadPool pool = new ThreadPool(10)) {
 *     List<Future<String>> fs = names.stream().map(n -> pool.submit(() -> task(n))).toList();
 *     for (Future<String> f : Futures.asCompleted(fs)) {
 *         System.out.println(f.result());
 *     }
 * } // close() waits for every task
 * }</pre>
 */
public final class ThreadPool implements Executor {
    private static final System.Logger LOG = System.getLogger("dev.fanout");
    private static final AtomicInteger POOL_COUNTER = new AtomicInteger();

    private final Core core;

    /** A pool of {@code min(32, availableProcessors + 4)} workers, as Python's default. */
    public ThreadPool() {
        this(builder());
    }

    /**
     * A pool of at most {@code maxWorkers} workers.
     *
     * @param maxWorkers the most threads the pool starts
     * @throws IllegalArgumentException if {@code maxWorkers <= 0}, with the message
     *     {@code maxWorkers must be greater than 0}
     */
    public ThreadPool(int maxWorkers) {
        this(builder().maxWorkers(maxWorkers));
    }

    private ThreadPool(Builder b) {
        String prefix =
                b.threadNamePrefix != null ? b.threadNamePrefix : "ThreadPool-" + POOL_COUNTER.getAndIncrement();
        ThreadFactory factory = b.threadFactory;
        if (factory == null) {
            factory = b.virtual ? VirtualThreads.factory() : Thread::new;
        }
        // Virtual threads are not pooled: each task gets a thread of its own (which runs queued tasks before it ends),
        // unless an initializer must run once per worker.
        boolean threadPerTask = b.virtual && b.initializer == null;
        this.core = new Core(b.maxWorkers, prefix, b.initializer, factory, b.maxPending, b.whenFull, threadPerTask);
        // The cleaning action holds the core, never this pool, so that the pool can become unreachable.
        CleanerHolder.CLEANER.register(this, core::abandon);
    }

    /**
     * A builder, for the pool's options beyond its size.
     *
     * <pre>{@code
     * ThreadPool pool = ThreadPool.builder()
     *         .maxWorkers(8)
     *         .threadNamePrefix("downloader")
     *         .initializer(() -> Session.open())
     *         .build();
     * }</pre>
     *
     * @return a new builder with Python's defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The most threads this pool starts.
     *
     * @return the maximum number of workers
     */
    public int maxWorkers() {
        return core.maxWorkers;
    }

    /**
     * Queues {@code task} and returns its future at once; starts a worker if none is idle and the pool has fewer than
     * {@link #maxWorkers()}.
     *
     * @throws RejectedExecutionException with the message {@code cannot schedule new futures after shutdown} once the
     *     pool is shut down
     * @throws BrokenThreadPoolException if a worker initializer failed
     */
    @Override
    public <T> Future<T> submit(Task<T> task) {
        Objects.requireNonNull(task, "task");
        return core.submit(task);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        return core.submit(task);
    }

    /**
     * {@inheritDoc}
     *
     * <p>From a task of this pool, {@code wait} waits for every worker but the caller's own.
     */
    @Override
    public void shutdown(boolean wait, boolean cancelFutures) {
        core.shutdown(wait, cancelFutures);
    }

    @Override
    public boolean isShutdown() {
        return core.isShutdown();
    }

    @Override
    public String toString() {
        return "ThreadPool[" + core.prefix + ", maxWorkers=" + core.maxWorkers + (isShutdown() ? ", shut down]" : "]");
    }

    /** Options for a {@link ThreadPool}. Not thread-safe; each {@link #build()} makes a new pool. */
    public static final class Builder {
        private int maxWorkers = Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
        private String threadNamePrefix;
        private VoidTask initializer;
        private ThreadFactory threadFactory;
        private boolean virtual;
        private int maxPending; // 0: unbounded
        private WhenFull whenFull = WhenFull.BLOCK;

        private Builder() {}

        /**
         * Bounds the queue: at most {@code maxPending} tasks may wait for a worker; when that many wait,
         * {@code submit} blocks until one starts or is cancelled. The answer to "limit pending tasks" for producers
         * faster than the pool. A task that submits to its own full pool can wait forever: bound only producers outside
         * the pool.
         *
         * @param maxPending how many tasks may wait; at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxPending < 1}
         */
        public Builder maxPending(int maxPending) {
            return maxPending(maxPending, WhenFull.BLOCK);
        }

        /**
         * Bounds the queue, choosing what {@code submit} does when it is full: {@link WhenFull#BLOCK} waits for room,
         * {@link WhenFull#REJECT} throws {@link RejectedExecutionException} at once. A producer waiting for room is
         * refused (with {@link RejectedExecutionException}, or {@link BrokenThreadPoolException} for a broken pool) as
         * soon as the pool shuts down or breaks, not when a place frees up.
         *
         * @param maxPending how many tasks may wait; at least 1
         * @param whenFull what submit does when that many wait
         * @return this builder
         * @throws IllegalArgumentException if {@code maxPending < 1}
         * @throws NullPointerException if {@code whenFull} is null
         */
        public Builder maxPending(int maxPending, WhenFull whenFull) {
            if (maxPending < 1) {
                throw new IllegalArgumentException("maxPending must be at least 1, got " + maxPending);
            }
            this.whenFull = Objects.requireNonNull(whenFull, "whenFull");
            this.maxPending = maxPending;
            return this;
        }

        /**
         * The most threads the pool starts. Default: {@code min(32, availableProcessors + 4)}.
         *
         * @param maxWorkers at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxWorkers <= 0}
         */
        public Builder maxWorkers(int maxWorkers) {
            if (maxWorkers <= 0) {
                throw new IllegalArgumentException("maxWorkers must be greater than 0");
            }
            this.maxWorkers = maxWorkers;
            return this;
        }

        /**
         * The prefix of the worker threads' names, which are {@code PREFIX_N}. Default: {@code ThreadPool-K}.
         *
         * @param threadNamePrefix the prefix
         * @return this builder
         * @throws NullPointerException if {@code threadNamePrefix} is null
         */
        public Builder threadNamePrefix(String threadNamePrefix) {
            this.threadNamePrefix = Objects.requireNonNull(threadNamePrefix, "threadNamePrefix");
            return this;
        }

        /**
         * Code run once in each new worker thread, before its first task. If it throws, the pool is broken: every
         * queued future fails with {@link BrokenThreadPoolException} and every later {@code submit} throws it; the
         * exception is also logged at {@code ERROR} on the logger {@code dev.fanout}.
         *
         * @param initializer the initializer
         * @return this builder
         * @throws NullPointerException if {@code initializer} is null
         */
        public Builder initializer(VoidTask initializer) {
            this.initializer = Objects.requireNonNull(initializer, "initializer");
            return this;
        }

        /**
         * Runs the tasks on virtual threads (JDK 21 and newer), at most {@code maxWorkers} at once. Suits tasks that
         * mostly wait (I/O, sleeps), by the thousand: set {@link #maxWorkers(int)} to the concurrency you want.
         * {@link #build()} fails on an older JDK.
         *
         * <p>Virtual threads are cheap to start, so they are not pooled: a task starts a thread of its own while fewer
         * than {@code maxWorkers} run, and waits in the queue otherwise; a thread that finished its task runs those
         * queued, then ends, so an idle pool holds no thread. With an {@link #initializer(VoidTask) initializer}, the
         * virtual workers are kept like platform ones, so that it runs once per worker.
         *
         * @return this builder
         */
        public Builder virtualThreads() {
            this.virtual = true;
            this.threadFactory = null;
            return this;
        }

        /**
         * Makes the worker threads with {@code threadFactory}. The pool still names them {@code PREFIX_N} and makes
         * platform threads daemons.
         *
         * @param threadFactory the factory
         * @return this builder
         * @throws NullPointerException if {@code threadFactory} is null
         */
        public Builder threadFactory(ThreadFactory threadFactory) {
            this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
            this.virtual = false;
            return this;
        }

        /**
         * Makes the pool. No thread starts until the first task is submitted.
         *
         * @return the new pool
         * @throws UnsupportedOperationException if {@link #virtualThreads()} was asked for on a JDK older than 21
         */
        public ThreadPool build() {
            return new ThreadPool(this);
        }
    }

    /** What {@code submit} does when a pool built with {@link Builder#maxPending(int, WhenFull)} has a full queue. */
    public enum WhenFull {
        /**
         * Wait until a task leaves the queue. An interrupted wait throws {@link RejectedExecutionException} and keeps
         * the interrupt flag.
         */
        BLOCK,
        /** Throw {@link RejectedExecutionException} at once. */
        REJECT
    }

    // ---- implementation ------------------------------------------------------------------------------------------

    /** The holder idiom: the cleaner's thread starts with the first pool. */
    private static final class CleanerHolder {
        static final Cleaner CLEANER = Cleaner.create();
    }

    /** Creates virtual threads through reflection, so that the artifact still runs on JDK 17. */
    static final class VirtualThreads {
        private VirtualThreads() {}

        static ThreadFactory factory() {
            try {
                Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
                return (ThreadFactory) Class.forName("java.lang.Thread$Builder")
                        .getMethod("factory")
                        .invoke(builder);
            } catch (NoSuchMethodException | ClassNotFoundException e) {
                throw new UnsupportedOperationException(
                        "virtual threads need JDK 21 or newer; this is JDK "
                                + Runtime.version().feature(),
                        e);
            } catch (InvocationTargetException e) {
                throw new UnsupportedOperationException("virtual threads are not available: " + e.getCause(), e);
            } catch (IllegalAccessException e) {
                throw new UnsupportedOperationException("virtual threads are not accessible", e);
            }
        }
    }

    /**
     * A task and its future in one object, as the queue holds it. In a pool with a bounded queue, it holds one place
     * of the queue until a worker takes it, the queue is drained, or it is cancelled (then at once, so that a producer
     * blocked on a full queue goes on); exactly one of these gives the place back.
     */
    static final class PoolTask<T> extends Promise<T> implements Runnable {
        private static final VarHandle HOLDS_ROOM;

        static {
            try {
                HOLDS_ROOM = MethodHandles.lookup().findVarHandle(PoolTask.class, "holdsRoom", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private Callable<? extends T> task; // cleared once run, so that what it captured can be collected
        private final Semaphore room; // null: the queue is unbounded

        @SuppressWarnings("unused") // through HOLDS_ROOM
        private volatile boolean holdsRoom;

        PoolTask(Callable<? extends T> task, Semaphore room) {
            this.task = task;
            this.room = room;
            this.holdsRoom = room != null;
        }

        void giveBackRoom() {
            if (room != null && HOLDS_ROOM.compareAndSet(this, true, false)) {
                room.release();
            }
        }

        @Override
        public boolean cancel() {
            boolean cancelled = super.cancel();
            if (cancelled) {
                giveBackRoom();
            }
            return cancelled;
        }

        @Override
        public void run() {
            Callable<? extends T> t = task;
            task = null;
            try {
                if (!setRunningOrNotifyCancel()) {
                    return; // cancelled while queued
                }
            } catch (IllegalStateException completedByHand) {
                // Finished through the Promise API while queued: skip the task, as for a cancelled one. Letting the
                // exception out would kill the worker, which is never replaced.
                return;
            }
            T value = null;
            Throwable failure = null;
            try {
                value = t.call();
            } catch (Throwable e) {
                failure = e;
            }
            try {
                if (failure == null) {
                    setResult(value);
                } else {
                    setException(failure);
                }
            } catch (InvalidStateException completedByHand) {
                // Someone completed this future through the Promise API while the task ran; the first outcome stays.
            }
        }
    }

    /**
     * Everything the workers share. The pool object holds it, the workers hold it, but it never holds the pool, so
     * that an abandoned pool can be cleaned.
     *
     * <p>States: RUNNING -> SHUT_DOWN (shutdown() or abandoned), and RUNNING -> BROKEN (an initializer failed), both
     * under {@code lock}. Until every worker has started, {@code submit} checks the state, queues the task and starts a
     * worker under the same lock, so a task is either rejected or queued before the shutdown that follows it, and a
     * shutdown sees every worker that will ever exist. Once a pooled (not thread-per-task) core has started them all
     * ({@code allStarted}, never unset: its workers end only with the core), {@code submit} queues without the lock:
     * it checks the state before its add and again after it. A task whose second check saw RUNNING was queued before
     * the state changed, so before the WAKE of a shutdown (it runs, or a cancelling shutdown's drain takes it) or the
     * drain of a failed initializer. Otherwise submit takes it back and refuses it, unless a worker or a drain took it
     * first, and then it runs or is cancelled or failed with the rest. Workers take tasks without the lock. A worker
     * ends when it takes WAKE (queued by shutdown after every task, and passed on by each worker that takes it) or when
     * its initializer fails.
     *
     * <p>Thread per task (virtual threads) takes no lock per task either. {@code slots} counts the holders of a slot,
     * at most maxWorkers: a thread that runs tasks, or a submit that is starting one. A submit that wins a slot (a CAS
     * below maxWorkers) starts a thread for its task; otherwise it queues the task, then looks again and, if a slot
     * came free meanwhile, takes one and starts a thread for whatever it polls first. A thread that finished a task
     * polls the queue; finding it empty, it gives its slot back, then looks at the queue once more and, if a task
     * arrived meanwhile and a slot is free, takes one again and goes on. The rule that no queued task is stranded: a
     * holder of a slot polls the queue, or gives the slot back and then looks at it, after every moment it holds the
     * slot; a submit queues and then reads {@code slots}, a thread gives back and then reads the queue, so (both being
     * sequentially consistent) at least one of them sees the other. A submit checks the state after it took its slot
     * and gives it back unstarted if a shutdown came first; a shutdown sets the state and then waits, on
     * {@code slotsReleased}, until the queue is empty and no slot is held, then closes the slots (a CAS of
     * {@code slots} from 0 to CLOSED, which no takeSlot passes) and joins the threads left: without the close, a thread
     * that had just given its slot back could take one again for a task a submit queued after the shutdown's look, and
     * run it after the shutdown returned (issue 19; the steps are in awaitTasksOfShutdown). A shutdown from one of the
     * pool's own tasks waits only for the other slots and does not close. Before a shutdown, only the first slot
     * taken and the last given back take the lock, to keep the register of live cores for the exit hook right: a core
     * is registered while any slot is held. After it, every give-back takes the lock, to wake the waiting shutdown. A cancelling shutdown sets
     * {@code cancelQueued} before its drain, so that a task a submit queued after the drain is cancelled, not run.
     */
    static final class Core {
        private static final Runnable WAKE = () -> {};
        /** Cores with live workers, for the exit hook. */
        private static final Set<Core> LIVE = ConcurrentHashMap.newKeySet();

        private static volatile boolean jvmExiting;
        /** How often the exit hook looks again whether a worker it waits for has itself called System.exit. */
        private static final long EXIT_RECHECK_MILLIS = 50L;
        /** The most threads a thread-per-task core sizes its set of threads for at first: a table of 64 KiB. */
        private static final int MAX_PRESIZED_THREADS = 1 << 13;

        final int maxWorkers;
        final String prefix;
        private final VoidTask initializer;
        private final ThreadFactory factory;
        private final WorkQueue queue;
        /** Python's idle semaphore: how many times a worker found the queue empty, not yet claimed by a submit. */
        private final AtomicInteger idleTokens = new AtomicInteger();
        /** Room in a bounded queue: taken by submit, given back when a task leaves the queue or is cancelled. */
        private final Semaphore room;

        private final int maxPending;
        private final WhenFull whenFull;
        /**
         * Virtual threads: a task starts a thread of its own while fewer than maxWorkers run, and is queued otherwise;
         * a thread that finished its task runs queued ones, and ends when the queue is empty. No idle threads, no
         * wake-ups through the queue (WAKE is never queued).
         */
        private final boolean threadPerTask;

        /** Thread per task: the slots held, at most maxWorkers; or CLOSED, for ever, once a waiting shutdown ended. */
        private final AtomicInteger slots = new AtomicInteger();
        /**
         * Thread per task: the value of {@code slots} after a shutdown's wait found no task left and no slot held. No
         * slot is taken after it, so no thread can take from the queue a task that a racing submit adds too late.
         */
        private static final int CLOSED = -1;
        /** Thread per task: the N of the next thread's name. */
        private final AtomicInteger threadNumbers = new AtomicInteger();
        /** Thread per task: the threads running, each added by itself as it starts and removed as it ends. */
        private final Set<Thread> perTaskThreads;

        private final ReentrantLock lock = new ReentrantLock();
        /** Thread per task: signalled, after a shutdown, whenever a slot is given back. */
        private final Condition slotsReleased = lock.newCondition();
        // guarded by lock
        /** Every thread a pooled core ever started. */
        private final Set<Thread> workers = new java.util.HashSet<>();

        private int threadsStarted;
        private int liveWorkers;
        private volatile BrokenThreadPoolException broken; // written under lock, read without it by a lock-free submit
        private boolean roomOpen;
        /** Every worker of a pooled core has started: submit only queues, without the lock. Written under lock. */
        private volatile boolean allStarted;

        private volatile boolean shutdown; // written under lock, read without it by isShutdown
        /**
         * A shutdown with cancelFutures came: every task a worker takes from now on is cancelled, not run. Set before
         * the drain, under lock. A lock-free submit can add its task after the drain and find, at its check after the
         * add, that a worker took it first; without this, that task, accepted after the shutdown, would run.
         */
        private volatile boolean cancelQueued;

        Core(
                int maxWorkers,
                String prefix,
                VoidTask initializer,
                ThreadFactory factory,
                int maxPending,
                WhenFull whenFull,
                boolean threadPerTask) {
            this(maxWorkers, prefix, initializer, factory, maxPending, whenFull, threadPerTask, new WorkQueue());
        }

        /** With a queue of the caller's: the replays of {@code ShutdownReplayTest} step inside its calls. */
        Core(
                int maxWorkers,
                String prefix,
                VoidTask initializer,
                ThreadFactory factory,
                int maxPending,
                WhenFull whenFull,
                boolean threadPerTask,
                WorkQueue queue) {
            this.queue = queue;
            this.threadPerTask = threadPerTask;
            this.maxWorkers = maxWorkers;
            this.prefix = prefix;
            this.initializer = initializer;
            this.factory = factory;
            this.maxPending = maxPending;
            this.whenFull = whenFull;
            this.room = maxPending > 0 ? new Semaphore(maxPending) : null;
            // Sized for maxWorkers threads (up to a bound), so that a burst does not grow it table after table while
            // the threads add and remove themselves: growing it was the largest cost of a burst of virtual threads.
            this.perTaskThreads =
                    threadPerTask ? ConcurrentHashMap.newKeySet(Math.min(maxWorkers, MAX_PRESIZED_THREADS)) : Set.of();
        }

        <T> Future<T> submit(Callable<T> task) {
            PoolTask<T> future = new PoolTask<>(task, room);
            if (room != null) {
                takeRoom(); // outside the lock: a blocked producer must not hold up shutdown or other producers
            }
            if (allStarted) {
                return queueWithoutLock(future);
            }
            if (threadPerTask) {
                return submitThreadPerTask(future);
            }
            boolean queued = false;
            lock.lock();
            try {
                refuseUnlessRunning();
                queue.add(future);
                queued = true;
                adjustThreadCount(future);
            } catch (RuntimeException | Error e) {
                if (!queued || !queue.contains(future)) {
                    future.giveBackRoom();
                }
                throw e;
            } finally {
                lock.unlock();
            }
            return future;
        }

        private <T> Future<T> queueWithoutLock(PoolTask<T> future) {
            try {
                refuseUnlessRunning();
            } catch (RuntimeException e) {
                future.giveBackRoom();
                throw e;
            }
            queue.add(future);
            if ((shutdown || broken != null) && queue.remove(future)) {
                future.giveBackRoom();
                refuseUnlessRunning(); // throws: the state changed before the task was in the queue
            }
            return future;
        }

        private void refuseUnlessRunning() {
            BrokenThreadPoolException b = broken;
            if (b != null) {
                throw new BrokenThreadPoolException(b.getMessage(), b.getCause());
            }
            if (shutdown) {
                throw new RejectedExecutionException(
                        jvmExiting
                                ? "cannot schedule new futures after JVM shutdown"
                                : "cannot schedule new futures after shutdown");
            }
        }

        private void takeRoom() {
            if (whenFull == WhenFull.REJECT) {
                if (!room.tryAcquire()) {
                    throw new RejectedExecutionException(
                            "queue full: " + maxPending + " tasks already wait for a worker of " + prefix);
                }
                return;
            }
            try {
                room.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RejectedExecutionException("interrupted while waiting for room in the queue of " + prefix, e);
            }
        }

        /**
         * The pool takes no more tasks: lets every producer blocked for room in the queue through at once, to be
         * refused under the lock, instead of waiting until a worker frees a place. Once; holds lock. Before it, the
         * free permits plus those held by tasks make maxPending; after it, Integer.MAX_VALUE, so the permits that tasks
         * still give back can never overflow the semaphore.
         */
        private void openRoom() {
            if (room != null && !roomOpen) {
                roomOpen = true;
                room.release(Integer.MAX_VALUE - maxPending);
            }
        }

        /** A task left the queue (taken by a worker, or drained): there is room for one more, unless it was cancelled. */
        private static void leftQueue(Runnable item) {
            if (item instanceof PoolTask<?> task) {
                task.giveBackRoom();
            }
        }

        /** Starts a worker unless one is idle or the pool is full. Holds lock. */
        private void adjustThreadCount(Runnable justQueued) {
            for (int idle = idleTokens.get(); idle > 0; idle = idleTokens.get()) {
                if (idleTokens.compareAndSet(idle, idle - 1)) {
                    return;
                }
            }
            if (workers.size() >= maxWorkers) {
                return;
            }
            Thread t;
            try {
                t = factory.newThread(this::work);
                if (t == null) {
                    throw new IllegalStateException("the thread factory returned null");
                }
                t.setName(prefix + "_" + threadsStarted);
                if (!t.isDaemon()) {
                    t.setDaemon(true);
                }
                t.start();
            } catch (RuntimeException | Error e) {
                if (liveWorkers == 0) {
                    queue.remove(justQueued); // nobody would ever run it
                    throw new RejectedExecutionException("cannot start a worker thread for " + prefix, e);
                }
                return; // the workers there are will run it
            }
            threadsStarted++;
            workers.add(t);
            allStarted = workers.size() >= maxWorkers;
            if (liveWorkers++ == 0) {
                LIVE.add(this);
                ExitHook.install();
            }
        }

        /** Thread per task: a thread for the task if a slot is free, the queue otherwise. */
        private <T> Future<T> submitThreadPerTask(PoolTask<T> future) {
            try {
                refuseUnlessRunning();
            } catch (RuntimeException e) {
                future.giveBackRoom();
                throw e;
            }
            if (takeSlot()) {
                if (shutdown) {
                    giveBackSlot(true);
                    future.giveBackRoom();
                    refuseUnlessRunning(); // throws: the shutdown came before the slot was taken
                }
                try {
                    newPerTaskThread(future).start();
                } catch (RuntimeException | Error e) {
                    return queueWhenNoThreadStarts(future, e);
                }
                future.giveBackRoom(); // it never waited in the queue
                return future;
            }
            queue.add(future);
            if (shutdown && queue.remove(future)) {
                future.giveBackRoom();
                signalShutdownWaiters(); // it may have seen the task in the queue
                refuseUnlessRunning(); // throws: the state changed before the task was in the queue
            }
            startThreadsForStranded();
            return future;
        }

        /**
         * Thread per task: the thread for a task could not be made or started; the caller holds the slot it took for
         * it. Queues the task for the threads there are, then gives the slot back. If no other slot is held, or the
         * pool is shutting down, takes the task back first and refuses it (unless a thread took it meanwhile). Never
         * tries another thread, so that a factory that keeps failing cannot spin a submit.
         */
        private <T> Future<T> queueWhenNoThreadStarts(PoolTask<T> future, Throwable cause) {
            queue.add(future);
            boolean refused = (shutdown || slots.get() == 1) && queue.remove(future);
            giveBackSlot(false); // after the queue has the task, or has it no more: see awaitTasksOfShutdown
            if (refused) {
                future.giveBackRoom();
                throw new RejectedExecutionException("cannot start a worker thread for " + prefix, cause);
            }
            return future; // queued, and a holder of a slot will poll it (the rule in the class comment)
        }

        /**
         * Thread per task: after a submit queued its task, or a slot was given back, takes a free slot for each task
         * left in the queue and starts a thread for it. If a thread cannot start, its task goes back in the queue and
         * this stops; when no other slot is held then, or the pool is shutting down, the queue fails instead, since
         * nothing might run it.
         */
        private void startThreadsForStranded() {
            while (queue.peek() != null && takeSlot()) {
                Runnable next = queue.poll();
                if (next == null) {
                    giveBackSlot(false); // another holder took it; look again, as after any give-back
                    continue;
                }
                leftQueue(next);
                try {
                    newPerTaskThread(next).start();
                } catch (RuntimeException | Error e) {
                    queue.add(next);
                    if (shutdown || slots.get() == 1) {
                        failQueue(e);
                    }
                    giveBackSlot(false); // after the queue is settled: see awaitTasksOfShutdown
                    return;
                }
            }
        }

        /** Thread per task: no thread can start and none runs, so the queued tasks fail instead of waiting for ever. */
        private void failQueue(Throwable cause) {
            List<Runnable> drained = new ArrayList<>();
            queue.drainTo(drained);
            for (Runnable item : drained) {
                leftQueue(item);
                if (item instanceof PoolTask<?> task) {
                    try {
                        task.setException(
                                new RejectedExecutionException("cannot start a worker thread for " + prefix, cause));
                    } catch (InvalidStateException cancelledMeanwhile) {
                        // it stays cancelled
                    }
                }
            }
        }

        private Thread newPerTaskThread(Runnable first) {
            int number = threadNumbers.getAndIncrement();
            // The thread names and registers itself: formatting the name and growing the set of threads are a good
            // part of a submit's cost, and this takes them off the submitting thread, which would otherwise start the
            // last of a burst of tasks that much later.
            Thread t = factory.newThread(() -> runTasks(first, number));
            if (t == null) {
                throw new IllegalStateException("the thread factory returned null");
            }
            return t;
        }

        /** Thread per task: a slot if fewer than maxWorkers are held. The first registers the core for the exit hook. */
        private boolean takeSlot() {
            for (int held = slots.get(); held >= 0 && held < maxWorkers; held = slots.get()) {
                if (slots.compareAndSet(held, held + 1)) {
                    if (held == 0) {
                        firstSlotTaken();
                    }
                    return true;
                }
            }
            return false;
        }

        private void firstSlotTaken() {
            lock.lock();
            try {
                LIVE.add(this); // before any thread of this slot exists, so before its give-back can unregister
                ExitHook.install();
            } finally {
                lock.unlock();
            }
        }

        /**
         * Thread per task: gives a slot back. The last one unregisters the core, unless a slot was taken meanwhile;
         * after a shutdown, wakes its waiters. With {@code lookAgain}, then starts threads for tasks left queued.
         */
        private void giveBackSlot(boolean lookAgain) {
            int held = slots.decrementAndGet();
            if (held == 0 || shutdown) {
                lock.lock();
                try {
                    if (slots.get() <= 0) { // none held, or CLOSED
                        LIVE.remove(this);
                    }
                    slotsReleased.signalAll();
                } finally {
                    lock.unlock();
                }
            }
            if (lookAgain) {
                startThreadsForStranded();
            }
        }

        private void signalShutdownWaiters() {
            lock.lock();
            try {
                slotsReleased.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Thread per task: the body of each thread, which holds a slot from its start until it gives it back. */
        private void runTasks(Runnable first, int number) {
            Thread self = Thread.currentThread();
            Runnable task = first;
            boolean holding = true;
            try {
                perTaskThreads.add(self);
                self.setName(prefix + "_" + number);
                while (task != null) {
                    // An interrupt aimed at an earlier task must not reach this one. Read first: clearing takes a
                    // lock on a virtual thread, and the flag is almost never set.
                    if (self.isInterrupted()) {
                        Thread.interrupted();
                    }
                    if (cancelQueued && task instanceof PoolTask<?> queued) {
                        queued.cancel(); // see cancelQueued
                    } else {
                        task.run();
                    }
                    task = queue.poll();
                    while (task == null) {
                        holding = false;
                        giveBackSlot(false);
                        // A submit may have queued a task while this thread still held its slot, counting on it.
                        if (queue.peek() == null || !takeSlot()) {
                            break;
                        }
                        holding = true;
                        task = queue.poll();
                    }
                    leftQueue(task);
                }
            } catch (RuntimeException | Error e) {
                // Not from a task (PoolTask.run catches what its task throws): hand the queue on before dying.
                if (holding) {
                    giveBackSlot(true);
                }
                throw e;
            } finally {
                perTaskThreads.remove(self);
            }
        }

        private void work() {
            try {
                if (initializer != null) {
                    try {
                        initializer.run();
                    } catch (Throwable t) {
                        // as CPython logs it (critical, "Exception in initializer:"): a pool nobody waits on breaks
                        // silently otherwise
                        LOG.log(System.Logger.Level.ERROR, () -> "exception in initializer of " + prefix, t);
                        initializerFailed(t);
                        return;
                    }
                }
                for (; ; ) {
                    Runnable item = queue.poll();
                    if (item == null) {
                        if (!allStarted) {
                            idleTokens.incrementAndGet(); // read only by submits that may start a worker
                        }
                        item = queue.take(); // an idle worker has nothing to stop: only shutdown ends it
                    }
                    if (item == WAKE) {
                        queue.add(WAKE); // pass the wake-up on to the next worker
                        return;
                    }
                    leftQueue(item);
                    if (cancelQueued && item instanceof PoolTask<?> task) {
                        task.cancel(); // queued as a cancelling shutdown drained the queue: see cancelQueued
                        continue;
                    }
                    Thread.interrupted(); // an interrupt aimed at an earlier task must not reach this one
                    item.run();
                }
            } finally {
                workerExited();
            }
        }

        private void workerExited() {
            lock.lock();
            try {
                if (--liveWorkers == 0) {
                    LIVE.remove(this);
                }
            } finally {
                lock.unlock();
            }
        }

        private void initializerFailed(Throwable cause) {
            List<Runnable> drained = new ArrayList<>();
            BrokenThreadPoolException reason;
            lock.lock();
            try {
                if (broken == null) {
                    broken = new BrokenThreadPoolException(
                            "a thread initializer failed, the thread pool is not usable anymore", cause);
                }
                reason = broken;
                openRoom();
                queue.drainTo(drained);
                if (drained.remove(WAKE)) {
                    queue.add(WAKE);
                }
            } finally {
                lock.unlock();
            }
            for (Runnable item : drained) {
                leftQueue(item);
                if (item instanceof PoolTask<?> task && !task.isDone()) {
                    try {
                        task.setException(new BrokenThreadPoolException(reason.getMessage(), cause));
                    } catch (InvalidStateException cancelledMeanwhile) {
                        // cancelled between the drain and now: it stays cancelled
                    }
                }
            }
        }

        void shutdown(boolean wait, boolean cancelFutures) {
            List<Runnable> drained = new ArrayList<>();
            Thread[] toJoin;
            lock.lock();
            try {
                shutdown = true;
                openRoom();
                if (cancelFutures) {
                    cancelQueued = true;
                    queue.drainTo(drained);
                }
                if (!threadPerTask) {
                    queue.add(WAKE);
                }
                toJoin = threadPerTask ? null : workers.toArray(new Thread[0]);
            } finally {
                lock.unlock();
            }
            for (Runnable item : drained) {
                leftQueue(item);
                if (item instanceof PoolTask<?> task) {
                    task.cancel(); // outside the lock: cancelling runs callbacks
                }
            }
            if (wait) {
                if (threadPerTask) {
                    awaitTasksOfShutdown();
                } else {
                    joinAll(toJoin);
                }
            }
        }

        /**
         * Thread per task, after a shutdown: waits until every task accepted has finished and every thread has ended,
         * except the caller's own thread (a task of this pool that shuts it down) and what is queued behind it.
         *
         * <p>Why no accepted task is missed (the caller not a thread of the pool):
         *
         * <ol>
         *   <li>An unfinished task is in the queue or held by a holder of a slot, which took the slot before it polled
         *       the task and gives it back only after the task finished (or after it settled the queue, when it cannot
         *       start a thread). So reading the queue empty and then {@code slots} at 0 means every task that was
         *       queued or started before that read has finished.
         *   <li>The last step is a compare-and-set of {@code slots} from 0 to {@link #CLOSED}: it fails if a slot was
         *       taken since the read, and then the wait starts over. Once it succeeds, no slot is ever taken again, so
         *       no thread polls the queue again.
         *   <li>A submit that queues its task after that read sees the shutdown in its check after the add (it was set
         *       before), and takes its task back: nothing else can take it any more (a cancelling shutdown's drain
         *       aside, which cancels it), so the submit is refused. A task is accepted only if it was queued or given a
         *       slot before the shutdown's read, and then 1. holds.
         * </ol>
         *
         * <p>Every thread that ever held a slot registered itself while holding it, so the threads still registered
         * after the close are all the threads left; they hold no slot and end at once, and are joined. Keeps waiting
         * through interrupts, as joinAll does, and keeps the flag.
         */
        private void awaitTasksOfShutdown() {
            Thread self = Thread.currentThread();
            if (perTaskThreads.contains(self)) {
                awaitOtherThreadsOfShutdown(self);
                return;
            }
            boolean interrupted = false;
            lock.lock();
            try {
                for (; ; ) {
                    while (queue.peek() != null || slots.get() > 0) {
                        try {
                            slotsReleased.await();
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                    if (slots.get() == CLOSED || slots.compareAndSet(0, CLOSED)) {
                        break; // closed now, or by an earlier shutdown
                    }
                }
            } finally {
                lock.unlock();
            }
            joinAll(perTaskThreads.toArray(new Thread[0]));
            if (interrupted) {
                self.interrupt();
            }
        }

        /**
         * Thread per task, a shutdown from one of the pool's own tasks: waits until no other slot is held, and joins
         * the other threads. The caller's thread runs what is queued behind its task once that task returns, so the
         * slots cannot be closed here and that queue is not waited for.
         */
        private void awaitOtherThreadsOfShutdown(Thread self) {
            boolean interrupted = false;
            do {
                // Taken before the wait: a thread removes itself from the set just before it ends, after its slot.
                Thread[] running = perTaskThreads.toArray(new Thread[0]);
                lock.lock();
                try {
                    while (slots.get() > 1) {
                        try {
                            slotsReleased.await();
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                } finally {
                    lock.unlock();
                }
                joinAll(running);
                interrupted |= Thread.interrupted();
            } while (slots.get() > 1);
            if (interrupted) {
                self.interrupt();
            }
        }

        boolean isShutdown() {
            return shutdown;
        }

        /** The pool object was collected: shut down without waiting, so that idle workers end. */
        void abandon() {
            shutdown(false, false);
        }

        private static void joinAll(Thread[] threads) {
            boolean interrupted = false;
            Thread self = Thread.currentThread();
            for (Thread t : threads) {
                if (t == self) {
                    continue; // shutdown from one of our own tasks: never wait for ourselves
                }
                for (; ; ) {
                    try {
                        t.join();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true; // "wait" means every task finished: keep waiting, keep the flag
                    }
                }
            }
            if (interrupted) {
                self.interrupt();
            }
        }

        /** Python's atexit join: at JVM exit, every pool finishes what it was given. */
        private static final class ExitHook {
            private static volatile boolean installed;

            static synchronized void install() {
                if (installed) {
                    return;
                }
                installed = true;
                try {
                    Runtime.getRuntime().addShutdownHook(new Thread(Core::exitAll, "fanout-exit"));
                } catch (IllegalStateException alreadyExiting) {
                    // The JVM is exiting already: too late to wait for anything.
                }
            }
        }

        private static void exitAll() {
            jvmExiting = true;
            for (Core core : LIVE) {
                core.shutdown(false, false);
            }
            for (Core core : LIVE) {
                core.awaitWorkersAtExit();
            }
        }

        /**
         * Waits for every worker to finish what it was given, except one that is itself exiting the JVM: a task that
         * called System.exit waits inside Runtime.exit for this very hook, so waiting for its worker would hang the JVM
         * for ever. It may call exit while we wait, hence the bounded joins.
         */
        private void awaitWorkersAtExit() {
            if (threadPerTask) {
                awaitTasksAtExit();
                return;
            }
            Thread[] toJoin;
            lock.lock();
            try {
                toJoin = workers.toArray(new Thread[0]);
            } finally {
                lock.unlock();
            }
            for (Thread t : toJoin) {
                awaitAtExit(t);
            }
        }

        /**
         * Thread per task, at exit: as {@link #awaitTasksOfShutdown}, but without waiting for a thread inside the
         * JVM's exit (it holds its slot for ever), nor for the tasks queued behind it.
         */
        private void awaitTasksAtExit() {
            for (; ; ) {
                int exiting = 0;
                for (Thread t : perTaskThreads.toArray(new Thread[0])) {
                    awaitAtExit(t);
                    if (t.isAlive()) {
                        exiting++;
                    }
                }
                if ((exiting > 0 || queue.peek() == null) && slots.get() <= exiting) {
                    return;
                }
                lock.lock();
                try {
                    slotsReleased.await(EXIT_RECHECK_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException ignored) {
                    // the JVM is going down: keep waiting for the tasks, as Python's exit handler does
                } finally {
                    lock.unlock();
                }
            }
        }

        /** Waits for {@code t} to end, unless it is, or comes to be, inside the JVM's exit. */
        private static void awaitAtExit(Thread t) {
            while (t.isAlive() && !isExitingTheJvm(t)) {
                try {
                    t.join(EXIT_RECHECK_MILLIS);
                } catch (InterruptedException ignored) {
                    // the JVM is going down: keep waiting for the tasks, as Python's exit handler does
                }
            }
        }

        /** Whether {@code t} is inside the JVM's exit sequence (it called System.exit, or Runtime.exit). */
        static boolean isExitingTheJvm(Thread t) {
            for (StackTraceElement frame : t.getStackTrace()) {
                if ("java.lang.Shutdown".equals(frame.getClassName())) {
                    return true;
                }
            }
            return false;
        }
    }
}
