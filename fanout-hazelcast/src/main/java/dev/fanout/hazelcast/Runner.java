package dev.fanout.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.serialization.impl.HeapData;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The member's side of one {@link HazelcastExecutor}: the threads that run its tasks here and the mailbox of their
 * replies, which the caller collects in batches with {@link Exchange}s. One per executor and member, kept in the
 * member's user context.
 *
 * <p>The mailbox holds each reply under a sequence number until the caller acknowledges it, so a reply whose batch
 * was lost on the way (a broken connection) is sent again when the caller asks for a resync. Its state, under
 * {@code lock}:
 *
 * <pre>
 *   unacked   seq -> reply, every reply not yet acknowledged
 *   fresh     the first seq no exchange has returned yet (seqs below it were returned at least once)
 *   next      the seq of the next reply
 *
 *   reply arrives:     unacked += (next, reply); next++          wakes a waiting exchange
 *   exchange(acks):    unacked -= acks; returns [fresh, next) (resync: all of unacked); fresh = next
 * </pre>
 *
 * A reply leaves the mailbox only when acknowledged, so none is lost while the member lives; one that comes twice is
 * dropped by the caller. A runner nobody has asked for {@link #IDLE_MILLIS} (its caller died without releasing it) is
 * dropped by the next exchange with this member.
 */
final class Runner {
    private static final String KEY_PREFIX = "dev.fanout.hazelcast.Runner:";
    private static final String SHUTDOWN_HOOK_KEY = "dev.fanout.hazelcast.Runner.shutdownHook";
    private static final String STOPPING_KEY = "dev.fanout.hazelcast.Runner.stopping";
    static final long IDLE_MILLIS = TimeUnit.MINUTES.toMillis(10);

    /** What a reply carries: the task's state after this copy, or the error that kept it from running. */
    static final byte STATE = 0;

    static final byte ERROR = 1;

    private final HazelcastInstance hazelcast;
    private final SerializationService serialization;
    private final ThreadPoolExecutor pool;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    // guarded by lock
    private final TreeMap<Long, Reply> unacked = new TreeMap<>();
    private final Map<Long, Job> jobs = new HashMap<>();
    private long fresh = 1;
    private long next = 1;
    private volatile long lastContact = System.nanoTime();
    /** The member is shutting down: replies from now on are dropped (see {@link #stopForShutdown}). */
    private volatile boolean stopped;

    /** One reply in the mailbox. */
    record Reply(long seq, long key, byte kind, byte[] data) {}

    /** What {@link #control} found of a task: answers to cancel and to isRunning. */
    static final byte CANCELLED = 0;

    static final byte RUNNING = 1;
    static final byte FINISHED = 2;
    static final byte PENDING = 3;

    /**
     * An untracked task known here, from its arrival (or an earlier cancel) until the caller acknowledges its reply.
     *
     * <pre>
     *   QUEUED  -> STARTED -> FINISHED             (a pool thread takes it; its reply goes to the mailbox)
     *   QUEUED  -> CANCELLED                       (cancel won; reply CANCELLED)
     *   EARLY   -> CANCELLED                       (the cancel came first; the task, when it comes, is answered
     *                                               CANCELLED and never runs)
     *   FINISHED | CANCELLED -> gone               (the caller acknowledged the reply)
     * </pre>
     *
     * A copy of a task whose key is known is dropped, so a batch the caller sends again after a broken connection
     * runs nothing twice on this member.
     */
    private static final class Job {
        enum State {
            EARLY,
            QUEUED,
            STARTED,
            FINISHED,
            CANCELLED
        }

        State state;

        Job(State state) {
            this.state = state;
        }
    }

    private Runner(HazelcastInstance hazelcast, String executorId) {
        this.hazelcast = hazelcast;
        this.serialization = serialization(hazelcast);
        int threads = hazelcast
                .getConfig()
                .findExecutorConfig(Names.executor(executorId))
                .getPoolSize();
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, Names.executor(executorId) + "-task-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        this.pool.allowCoreThreadTimeOut(true);
    }

    static SerializationService serialization(HazelcastInstance hazelcast) {
        return ((SerializationServiceSupport) hazelcast).getSerializationService();
    }

    /** This member's runner of the executor, made on first use; drops the runners of callers long gone. */
    static Runner of(HazelcastInstance hazelcast, String executorId) {
        ConcurrentMap<String, Object> context = hazelcast.getUserContext();
        if (context.putIfAbsent(SHUTDOWN_HOOK_KEY, Boolean.TRUE) == null) {
            hazelcast.getLifecycleService().addLifecycleListener(event -> {
                if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN) {
                    context.put(STOPPING_KEY, Boolean.TRUE);
                    releaseAll(context);
                }
            });
        }
        if (context.containsKey(STOPPING_KEY)) {
            // the caller sees the member leave and sends what it had here elsewhere
            throw new HazelcastInstanceNotActiveException("the member is shutting down");
        }
        Runner runner =
                (Runner) context.computeIfAbsent(KEY_PREFIX + executorId, k -> new Runner(hazelcast, executorId));
        runner.lastContact = System.nanoTime();
        sweep(context);
        return runner;
    }

    /** The executor was released by its caller: stop its threads here and forget its replies. */
    static void release(HazelcastInstance hazelcast, String executorId) {
        if (hazelcast.getUserContext().remove(KEY_PREFIX + executorId) instanceof Runner runner) {
            runner.pool.shutdownNow();
        }
    }

    private static void releaseAll(ConcurrentMap<String, Object> context) {
        for (Map.Entry<String, Object> e : context.entrySet()) {
            if (e.getKey().startsWith(KEY_PREFIX) && context.remove(e.getKey(), e.getValue())) {
                ((Runner) e.getValue()).stopForShutdown();
            }
        }
    }

    /**
     * The member is shutting down (a worker's Ctrl-C): its tasks are interrupted, and what they return then is not
     * their outcome, so no reply leaves from now on. The caller sees the member leave and sends every task that has
     * not replied to another member, as when a member dies.
     */
    void stopForShutdown() {
        stopped = true;
        pool.shutdownNow();
    }

    private static void sweep(ConcurrentMap<String, Object> context) {
        long now = System.nanoTime();
        for (Map.Entry<String, Object> e : context.entrySet()) {
            if (e.getValue() instanceof Runner r
                    && now - r.lastContact > TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS)
                    && r.pool.getActiveCount() == 0
                    && context.remove(e.getKey(), r)) {
                r.pool.shutdownNow();
            }
        }
    }

    /**
     * Runs one envelope (as serialized by the caller) on this runner's threads; its reply goes to the mailbox. An
     * envelope that cannot be read, or that arrives after the runner stopped, is answered with the error.
     */
    void execute(long key, byte[] envelope, boolean tracked) {
        if (tracked) {
            run(key, envelope, null);
            return;
        }
        Job job;
        lock.lock();
        try {
            Job known = jobs.get(key);
            if (known != null) {
                if (known.state == Job.State.EARLY) {
                    known.state = Job.State.CANCELLED;
                    reply(key, STATE, cancelledReply());
                }
                return; // a copy of a task this member has: it runs once
            }
            job = new Job(Job.State.QUEUED);
            jobs.put(key, job);
        } finally {
            lock.unlock();
        }
        run(key, envelope, job);
    }

    /** Runs the envelope on a pool thread: untracked ({@code job} not null) if its job is still queued then. */
    private void run(long key, byte[] envelope, Job job) {
        try {
            pool.execute(() -> {
                if (job != null) {
                    lock.lock();
                    try {
                        if (job.state != Job.State.QUEUED) {
                            return; // cancelled meanwhile
                        }
                        job.state = Job.State.STARTED;
                    } finally {
                        lock.unlock();
                    }
                }
                TaskState state;
                try {
                    TaskEnvelope task = serialization.toObject(new HeapData(envelope));
                    task.setHazelcastInstance(hazelcast);
                    state = job != null ? task.runUntracked() : task.call();
                } catch (Throwable t) {
                    reply(key, ERROR, error(t));
                    return;
                }
                byte[] data;
                try {
                    data = serialization.toData(state).toByteArray();
                } catch (RuntimeException | StackOverflowError e) {
                    // An outcome that cannot be serialized fails its task, with the reason: at least once it is first
                    // serialized here; at most once the entry's write caught it, unless that write failed otherwise.
                    Exception cause = e instanceof Exception x ? x : new HazelcastSerializationException(e.toString());
                    data = serialization
                            .toData(TaskState.done(new Failure(Outcomes.notSerializable(state.outcome(), cause)), 1))
                            .toByteArray();
                }
                reply(key, STATE, data);
            });
        } catch (RejectedExecutionException stopped) {
            lock.lock();
            try {
                if (job != null) {
                    jobs.remove(key);
                }
            } finally {
                lock.unlock();
            }
            reply(key, ERROR, error(stopped));
        }
    }

    private byte[] cancelledReply() {
        return serialization.toData(TaskState.CANCELLED).toByteArray();
    }

    /**
     * Cancels ({@code cancel}) or looks up the untracked tasks of {@code keys}: for each, {@link #CANCELLED},
     * {@link #RUNNING}, {@link #FINISHED} or (looked up only) {@link #PENDING}. A cancel for a task not here yet wins
     * and leaves a mark that keeps it from running when it comes.
     */
    byte[] control(long[] keys, boolean cancel) {
        byte[] found = new byte[keys.length];
        lock.lock();
        try {
            for (int i = 0; i < keys.length; i++) {
                Job job = jobs.get(keys[i]);
                Job.State state = job == null ? null : job.state;
                if (state == null) {
                    if (cancel) {
                        jobs.put(keys[i], new Job(Job.State.EARLY));
                    }
                    found[i] = cancel ? CANCELLED : PENDING;
                } else if (state == Job.State.QUEUED) {
                    if (cancel) {
                        job.state = Job.State.CANCELLED;
                        reply(keys[i], STATE, cancelledReply());
                    }
                    found[i] = cancel ? CANCELLED : PENDING;
                } else if (state == Job.State.STARTED) {
                    found[i] = RUNNING;
                } else if (state == Job.State.FINISHED) {
                    found[i] = FINISHED;
                } else {
                    found[i] = CANCELLED; // EARLY or CANCELLED
                }
            }
        } finally {
            lock.unlock();
        }
        return found;
    }

    private byte[] error(Throwable t) {
        try {
            return serialization.toData(t).toByteArray();
        } catch (RuntimeException e) {
            return serialization
                    .toData(new HazelcastSerializationException(t.toString()))
                    .toByteArray();
        }
    }

    private void reply(long key, byte kind, byte[] data) {
        if (stopped) {
            return;
        }
        lock.lock();
        try {
            Job job = jobs.get(key);
            if (job != null && job.state == Job.State.STARTED) {
                job.state = Job.State.FINISHED;
            }
            long seq = next++;
            unacked.put(seq, new Reply(seq, key, kind, data));
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Drops the acknowledged replies ({@code acks}: pairs of first and last seq, inclusive) and their jobs. */
    void ack(long[] acks) {
        lastContact = System.nanoTime();
        lock.lock();
        try {
            for (int i = 0; i + 1 < acks.length; i += 2) {
                Map<Long, Reply> done = unacked.subMap(acks[i], true, acks[i + 1], true);
                for (Reply r : done.values()) {
                    Job job = jobs.get(r.key());
                    if (job != null && (job.state == Job.State.FINISHED || job.state == Job.State.CANCELLED)) {
                        jobs.remove(r.key());
                    }
                }
                done.clear();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the replies not returned before ({@code resync}: every unacknowledged one), waiting up to
     * {@code waitMillis} for one to come.
     */
    List<Reply> exchange(boolean resync, long waitMillis) throws InterruptedException {
        lastContact = System.nanoTime();
        lock.lock();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            while ((resync ? unacked.isEmpty() : fresh == next)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                arrived.awaitNanos(left);
            }
            List<Reply> out = new ArrayList<>(
                    resync ? unacked.values() : unacked.tailMap(fresh, true).values());
            fresh = next;
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** For tests: replies not yet acknowledged. */
    int unackedCount() {
        lock.lock();
        try {
            return unacked.size();
        } finally {
            lock.unlock();
        }
    }

    /** For tests: no task running or queued here. */
    boolean isIdle() {
        return pool.getActiveCount() == 0 && pool.getQueue().isEmpty();
    }

    static Runner existing(HazelcastInstance hazelcast, String executorId) {
        return (Runner) hazelcast.getUserContext().get(KEY_PREFIX + executorId);
    }
}
