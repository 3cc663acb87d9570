package dev.fanout.hazelcast;

import com.hazelcast.client.HazelcastClientNotActiveException;
import com.hazelcast.client.HazelcastClientOfflineException;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.core.OperationTimeoutException;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.serialization.impl.HeapData;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import com.hazelcast.spi.exception.RetryableException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import dev.fanout.BrokenExecutorException;
import dev.fanout.Executor;
import dev.fanout.Future;
import dev.fanout.MapOptions;
import dev.fanout.MapResults;
import dev.fanout.Task;
import dev.fanout.TaskBiFunction;
import dev.fanout.TaskFunction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Fanout {@link Executor} on a Hazelcast cluster: the same code that runs on a {@link dev.fanout.ThreadPool} runs
 * on many machines by changing one line.
 *
 * <pre>{@code
 * try (Executor pool = HazelcastExecutor.local()) {      // was: new ThreadPool(8)
 *     for (String r : pool.map(name -> task(name), names)) {
 *         System.out.println(r);
 *     }
 * }
 * }</pre>
 *
 * <p><b>Tasks travel.</b> Each task, with everything it captures, is serialized and run on a member of the cluster
 * (the API's functional interfaces are {@link java.io.Serializable}). A task that cannot be serialized fails at
 * {@code submit} with an {@link IllegalArgumentException} naming the captured object at fault. Members need the task's
 * classes on their class path and its packages in their deserialization allow-list (see {@link Worker}).
 *
 * <p><b>Futures</b> are {@link dev.fanout.Promise}s, with the thread pool's semantics: {@link Future#cancel()}
 * succeeds only for a task no member has started, and a task so cancelled never runs; {@code cancel()} asks the
 * cluster, so it blocks for one round trip. Results and exceptions come back as the task produced them (deserialized
 * copies). Futures are completed, and callbacks run, on this executor's completer threads, named
 * {@code fanout-ID-completer-N}; waiters are woken first.
 *
 * <p><b>Batched hand-off.</b> Tasks do not travel one Hazelcast call each. Each goes to the member that owns its key,
 * in a queue per member; one call (an {@link Exchange}) carries all the tasks that queued up while the previous one
 * was on its way, and brings back all the replies that member had ready, so that many tasks share a round trip. A
 * task is serialized on the submitting thread all the same, and its reply comes as soon as the member has it.
 *
 * <p><b>Nothing lost.</b> {@link Delivery#AT_LEAST_ONCE} (the default): the member holds each task it received, and
 * then its reply, until the caller acknowledges the reply in a later call; a copy of a task it holds (sent again after
 * a broken connection) does not run again, and a reply whose call was lost is sent again. When a member leaves, the
 * tasks sent to it that have not replied are sent to another member and run again there. Make at-least-once tasks
 * idempotent: a task that was running, or had finished but whose reply had not reached the caller, on a member that
 * died runs twice. {@link Delivery#AT_MOST_ONCE}: each task's start is written, before it runs, in an entry of a map
 * that Hazelcast backs up on a second member; a task that was running on a member that left fails with
 * {@link TaskLostException}, and no task runs twice (a delivered task's entry stays as a tombstone for five minutes,
 * longer than Hazelcast's retries with default settings, where a late copy of the task finds it and does not run).
 * Either way, every outcome is delivered exactly once, in input order for {@code map}. The at-most-once guarantees
 * hold while the cluster's backups are in sync ({@code PartitionService.isClusterSafe()}).
 *
 * <p><b>Map</b> sends several items per task unless {@link MapOptions#chunkSize(int)} says otherwise: as many as
 * give each thread of the cluster about four tasks, at most {@value #MAX_DEFAULT_CHUNK}, when the input is a
 * {@link Collection}; {@value #MAX_DEFAULT_CHUNK} for other inputs. Ask for {@code chunkSize(1)} for a lazy input of
 * long tasks.
 *
 * <p><b>Shutdown</b> is Fanout's, not Hazelcast's: {@link #shutdown(boolean, boolean)} stops this executor only (each
 * executor uses Hazelcast objects of its own, named {@code fanout-ID} and {@code fanout-tasks-ID}), and releases them
 * once its last task is done. {@link #close()} of an executor made by {@link #local()} also stops its member; one made
 * from an instance leaves the instance running.
 */
public final class HazelcastExecutor implements Executor {
    /** The largest number of items a map sends in one task unless told otherwise. */
    public static final int MAX_DEFAULT_CHUNK = 64;

    private static final System.Logger LOG = System.getLogger("dev.fanout");
    private static final AtomicInteger LOCAL_CLUSTERS = new AtomicInteger();
    private static final long MAX_POLL_MILLIS = 1000;
    /*
     * Tombstones go out in batches, a call per 250 ms or per 8,192 keys: each member runs one operation per partition
     * of its own (and one per backup) whatever the number of keys, so a larger batch means fewer operations, though
     * each key still costs its write. Until its tombstone, an entry holds its task's outcome, so the batch size also
     * bounds that memory.
     */
    private static final int FORGET_BATCH = 8192;
    private static final long FORGET_MILLIS = 250;

    /**
     * How long the tombstone of a delivered task outlives the delivery. A copy of a task arrives late when Hazelcast
     * re-sends it by itself, which it does for as long as the invocation may retry: a member up to
     * {@code hazelcast.invocation.max.retry.count} (250) tries, 500 ms apart after the first five (about two minutes);
     * a client until {@code hazelcast.client.invocation.timeout.seconds} (120) have passed, and the member a client's
     * try reaches may retry it in turn. Each copy is sent within that window of the first send, so before the delivery
     * plus the window; five minutes covers the default windows of both, with room for a copy to wait in a queue.
     */
    static final long TOMBSTONE_TTL_MILLIS = TimeUnit.MINUTES.toMillis(5);

    /** What happens to a task that was running on a member that left the cluster. */
    public enum Delivery {
        /**
         * It runs again on another member: every task runs at least once, and its outcome is delivered exactly once.
         * Only tasks that were running on a member that left, or had finished there without their reply reaching the
         * caller, run twice. The default; make tasks idempotent. A task leaves no trace outside the member that runs
         * it, which is why it costs a fraction of an at-most-once task.
         */
        AT_LEAST_ONCE,
        /**
         * It fails with {@link TaskLostException}: no task runs twice, and a task that was running on a lost member
         * may or may not have done its work. Tasks that had not started on that member still run.
         */
        AT_MOST_ONCE
    }

    /*
     * The executor's own state, under `lock`:
     *
     *   RUNNING     takes tasks
     *   SHUTDOWN    shutdown() was called: rejects tasks, waits for `live` to empty
     *   TERMINATED  every task done; the executor service and the state map are released (and a local member stopped)
     *   BROKEN      the Hazelcast instance stopped under us: live futures failed with BrokenExecutorException
     *
     *   RUNNING -> SHUTDOWN -> TERMINATED;  RUNNING | SHUTDOWN -> BROKEN
     *
     * submit() checks the state and adds to `live` under the lock, so shutdown() sees every task submitted before it.
     * A future leaves `live` when it is done, by a callback added before any user callback.
     */
    private enum State {
        RUNNING,
        SHUTDOWN,
        TERMINATED,
        BROKEN
    }

    private final HazelcastInstance hazelcast;
    private final boolean ownsInstance;
    private final ClassFilter localAllowList; // the local member's allow-list, which learns submitted task packages
    private final Set<String> trustedPackages = ConcurrentHashMap.newKeySet(); // added to localAllowList already
    private final Delivery delivery;
    /** At most once, each task keeps a state entry (see {@link TaskEnvelope}); at least once, only a runner's job. */
    private final boolean tracked;

    private final String id;
    private final IExecutorService executor;
    private final IMap<Long, TaskState> states;
    private final SerializationService serialization;
    private final ThreadPoolExecutor completer;
    /** Runs on the completer, or inline once it is shut down (late replies of cancelled tasks still arrive). */
    private final java.util.concurrent.Executor completing;

    private final ScheduledThreadPoolExecutor scheduler;
    private final AtomicLong keys = new AtomicLong();
    private final Map<Long, RemoteFuture<?>> live = new ConcurrentHashMap<>();
    /** The batched hand-off to each member (see {@link Channel}), by member UUID. */
    private final Map<UUID, Channel> channels = new ConcurrentHashMap<>();

    private final Set<RemoteFuture<?>> watched = ConcurrentHashMap.newKeySet();
    /** Keys of delivered tasks whose entries become tombstones in batches (one call per member, not one per task). */
    private final java.util.concurrent.ConcurrentLinkedQueue<Long> forgotten =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private final AtomicInteger forgottenCount = new AtomicInteger();
    private final UUID membershipRegistration;
    private final UUID lifecycleRegistration;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition quiescent = lock.newCondition();
    // guarded by lock
    private State state = State.RUNNING;
    private BrokenExecutorException broken;

    /**
     * An executor on the cluster that {@code instance} (a member or a client) belongs to, at-least-once. Tasks run on
     * the cluster's members (not on a lite member or client). {@link #close()} leaves the instance running.
     *
     * @param instance a running member or client
     * @throws NullPointerException if {@code instance} is null
     */
    public HazelcastExecutor(HazelcastInstance instance) {
        this(Objects.requireNonNull(instance, "instance"), false, null, Delivery.AT_LEAST_ONCE);
    }

    private HazelcastExecutor(
            HazelcastInstance hazelcast, boolean ownsInstance, ClassFilter localAllowList, Delivery delivery) {
        this.hazelcast = hazelcast;
        this.ownsInstance = ownsInstance;
        this.localAllowList = localAllowList;
        this.delivery = delivery;
        this.tracked = delivery == Delivery.AT_MOST_ONCE;
        this.id = UUID.randomUUID().toString().substring(0, 8);
        this.executor = hazelcast.getExecutorService(Names.executor(id));
        this.states = hazelcast.getMap(Names.stateMap(id));
        this.serialization = Runner.serialization(hazelcast);
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        this.completer = new ThreadPoolExecutor(
                threads,
                threads,
                10,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                daemons(Names.executor(id) + "-completer"));
        this.completer.allowCoreThreadTimeOut(true);
        this.completing = r -> {
            try {
                completer.execute(r);
            } catch (RejectedExecutionException terminated) {
                r.run();
            }
        };
        this.scheduler = new ScheduledThreadPoolExecutor(1, daemons(Names.executor(id) + "-recovery"));
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.scheduler.scheduleWithFixedDelay(
                this::flushForgotten, FORGET_MILLIS, FORGET_MILLIS, TimeUnit.MILLISECONDS);
        this.membershipRegistration = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {}

            @Override
            public void memberRemoved(MembershipEvent event) {
                Channel channel = channels.get(event.getMember().getUuid());
                if (channel != null) {
                    channel.close(); // its tasks may need to run again: recovery looks at each one's entry
                }
                recoverWatched(); // tasks that were running there may need to run again: ask now, not at the next poll
            }
        });
        this.lifecycleRegistration = hazelcast.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.SHUTDOWN && !ownsInstance) {
                breakDown(new HazelcastInstanceNotActiveException("the Hazelcast instance was shut down"));
            }
            if (event.getState() == LifecycleEvent.LifecycleState.CLIENT_CONNECTED) {
                recoverWatched(); // a client back from a disconnection: look at its tasks now, not at the next poll
            }
        });
    }

    /**
     * Starts a Hazelcast member in this JVM and an executor on it: the embedded default. The member binds to
     * 127.0.0.1 (first port 5701, or the next free one), with multicast and auto-detection off and a cluster name of
     * its own, {@code fanout-local-N-RANDOM}; workers join it with that name and its address (see
     * {@link #hazelcastInstance()}). {@link #close()} stops the member. Blocks while the member starts (a few seconds).
     *
     * <p>Its deserialization allow-list holds Fanout's packages and, as they are submitted, the packages of the tasks
     * and map functions this executor is given; name other packages with {@link Builder#allowPackages(String...)}.
     *
     * @return the executor
     */
    public static HazelcastExecutor local() {
        return builder().build();
    }

    /**
     * A builder, for the options beyond {@link #local()} and {@link #HazelcastExecutor(HazelcastInstance)}.
     *
     * <pre>{@code
     * HazelcastExecutor pool = HazelcastExecutor.builder()
     *         .instance(HazelcastClient.newHazelcastClient(clientConfig))
     *         .delivery(HazelcastExecutor.Delivery.AT_MOST_ONCE)
     *         .build();
     * }</pre>
     *
     * @return a new builder: a local member, at-least-once
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The Hazelcast member or client this executor runs through: for its cluster name
     * ({@code getConfig().getClusterName()}), its address and its members.
     *
     * @return the instance
     */
    public HazelcastInstance hazelcastInstance() {
        return hazelcast;
    }

    /**
     * What happens to tasks that were running on a member that left.
     *
     * @return the delivery guarantee
     */
    public Delivery delivery() {
        return delivery;
    }

    /**
     * The name of this executor's Hazelcast executor service, {@code fanout-ID}; workers print it with each task.
     *
     * @return the name
     */
    public String name() {
        return Names.executor(id);
    }

    // ---- submitting ----------------------------------------------------------------------------------------------

    /**
     * Queues {@code task} for the member that owns its key (it leaves in that member's next batch) and returns its
     * future at once. The task is serialized on this thread.
     *
     * @throws IllegalArgumentException if the task cannot be serialized; the message names the captured object (or
     *     field) that is not serializable
     * @throws java.util.concurrent.RejectedExecutionException with the message
     *     {@code cannot schedule new futures after shutdown} once shut down
     * @throws BrokenExecutorException if the Hazelcast instance has stopped
     */
    @Override
    public <T> Future<T> submit(Task<T> task) {
        Objects.requireNonNull(task, "task");
        trust(task.getClass());
        long key = keys.incrementAndGet();
        RemoteFuture<T> future = new RemoteFuture<>(this, key, new TaskEnvelope(id, key, task));
        byte[] envelope = serialize(future.envelope(), task);
        lock.lock();
        try {
            checkTakesTasks();
            live.put(key, future);
        } finally {
            lock.unlock();
        }
        future.addDoneCallback(this::finished);
        try {
            dispatch(future, envelope);
        } catch (RuntimeException | Error e) {
            future.fail(e); // leaves `live` through its callback
            throw e;
        }
        return future;
    }

    /** The envelope as bytes, on the submitting thread: a task that cannot be serialized fails here. */
    private byte[] serialize(TaskEnvelope envelope, Object userTask) {
        try {
            return serialization.toData(envelope).toByteArray();
        } catch (HazelcastSerializationException e) {
            if (userTask != null && isNotSerializable(e)) {
                throw new IllegalArgumentException(Outcomes.explainNotSerializable(userTask), e);
            }
            throw e;
        } catch (HazelcastInstanceNotActiveException | HazelcastClientNotActiveException e) {
            throw breakDown(e);
        }
    }

    /**
     * Hands the task to the channel of the member that owns its key (at most once, its entry, so that the claim there
     * is local). With no owner known yet (a cluster still starting), at least once picks any member, or tries again
     * shortly if there is none; at most once sends the task alone.
     */
    private void dispatch(RemoteFuture<?> future, byte[] envelope) {
        Member target;
        try {
            target = hazelcast.getPartitionService().getPartition(future.key).getOwner();
            if (target == null || (future.resent && !isMember(target.getUuid()))) {
                target = anyMember(); // no owner yet, or a resend while the partition table still names a lost one
            }
        } catch (HazelcastInstanceNotActiveException | HazelcastClientNotActiveException e) {
            throw breakDown(e);
        }
        if (target == null && !tracked) {
            future.resent = true;
            later(() -> redispatch(future)); // no member to take it yet: try again shortly
        } else if (target == null) {
            send(future, future.envelope());
        } else {
            channelOf(target).enqueue(future, envelope);
        }
    }

    private Channel channelOf(Member target) {
        Channel channel = channels.get(target.getUuid());
        if (channel == null || channel.isClosed()) {
            channel = channels.compute(
                    target.getUuid(), (u, c) -> c == null || c.isClosed() ? new Channel(this, id, tracked, target) : c);
        }
        return channel;
    }

    private Member anyMember() {
        List<Member> members = new ArrayList<>();
        for (Member m : hazelcast.getCluster().getMembers()) {
            if (!m.isLiteMember()) {
                members.add(m);
            }
        }
        return members.isEmpty()
                ? null
                : members.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(members.size()));
    }

    // ---- asked by channels ---------------------------------------------------------------------------------------

    CompletionStage<Exchange.Replies> exchange(Exchange exchange, Member member) {
        return asStage(executor.submitToMember(exchange, member));
    }

    java.util.concurrent.Executor completing() {
        return completing;
    }

    /** Runs {@code r} after a short pause, unless the executor has stopped. */
    void later(Runnable r) {
        try {
            scheduler.schedule(r, 100, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException terminated) {
            // nothing more to do
        }
    }

    boolean isClusterMember(UUID member) {
        return isMember(member);
    }

    boolean isTerminated() {
        lock.lock();
        try {
            return state == State.TERMINATED || state == State.BROKEN;
        } finally {
            lock.unlock();
        }
    }

    void channelClosed(Channel channel) {
        channels.remove(channel.member.getUuid(), channel);
    }

    /**
     * A channel gave the task up (its exchange failed, or its member left): at least once, hand it over again; at most
     * once, look at its entry.
     */
    void recoverFromChannel(RemoteFuture<?> future) {
        if (!tracked) {
            future.resent = true;
            later(() -> redispatch(future));
            return;
        }
        try {
            completing.execute(() -> recover(future));
        } catch (RejectedExecutionException terminated) {
            recover(future);
        }
    }

    /**
     * At least once: hands an untracked task over again, to the same member if it is still there (its runner drops
     * a copy it has, so nothing runs twice there), or else to the member that now owns its key.
     */
    private void redispatch(RemoteFuture<?> future) {
        if (future.isDone()) {
            return;
        }
        try {
            byte[] envelope = serialize(future.nextEnvelope(), null);
            Channel last = future.channel;
            if (last != null && !last.isClosed() && isMember(last.member.getUuid())) {
                last.enqueue(future, envelope);
            } else {
                dispatch(future, envelope);
            }
        } catch (BrokenExecutorException e) {
            future.fail(e);
        } catch (RuntimeException e) {
            if (!hazelcast.getLifecycleService().isRunning()) {
                breakDown(e);
            } else {
                later(() -> redispatch(future));
            }
        }
    }

    /** Completer thread: a reply that came in an exchange. */
    void onExchangeReply(RemoteFuture<?> future, Runner.Reply reply) {
        Object decoded;
        try {
            decoded = serialization.toObject(new HeapData(reply.data()));
        } catch (RuntimeException e) {
            onReply(future, null, e);
            return;
        }
        if (reply.kind() == Runner.ERROR) {
            onReply(future, null, (Throwable) decoded);
        } else {
            onReply(future, (TaskState) decoded, null);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Unless {@code options} set a chunk size, sends several items per task (see the class description).
     */
    @Override
    public <T, R> MapResults<R> map(
            TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items, MapOptions options) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(options, "options");
        trust(fn.getClass());
        return Executor.super.map(fn, items, withDefaultChunk(options, size(items)));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Unless {@code options} set a chunk size, sends several pairs per task (see the class description).
     */
    @Override
    public <A, B, R> MapResults<R> map(
            TaskBiFunction<? super A, ? super B, ? extends R> fn,
            Iterable<? extends A> as,
            Iterable<? extends B> bs,
            MapOptions options) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(as, "as");
        Objects.requireNonNull(bs, "bs");
        Objects.requireNonNull(options, "options");
        trust(fn.getClass());
        long size = Math.min(size(as), size(bs));
        return Executor.super.map(fn, as, bs, withDefaultChunk(options, size));
    }

    private static long size(Iterable<?> items) {
        return items instanceof Collection<?> c ? c.size() : Long.MAX_VALUE;
    }

    /** Python's Pool.map rule: about four tasks per thread of the cluster, at most MAX_DEFAULT_CHUNK items each. */
    MapOptions withDefaultChunk(MapOptions options, long items) {
        if (options.isChunkSizeSet()) {
            return options;
        }
        if (items == Long.MAX_VALUE) {
            return options.chunkSize(MAX_DEFAULT_CHUNK);
        }
        long threads = 4L * Math.max(1, clusterThreads());
        long chunk = Math.max(1, Math.min(MAX_DEFAULT_CHUNK, (items + threads - 1) / threads));
        return options.chunkSize((int) chunk);
    }

    /** The threads that run this executor's tasks across the cluster, as far as this instance can tell. */
    private int clusterThreads() {
        int perMember = MemberConfigs.defaultThreads();
        try {
            perMember = hazelcast.getConfig().findExecutorConfig(name()).getPoolSize();
        } catch (UnsupportedOperationException | HazelcastException client) {
            // a client cannot read the members' configuration: assume the default
        }
        int members = 0;
        for (Member m : hazelcast.getCluster().getMembers()) {
            if (!m.isLiteMember()) {
                members++;
            }
        }
        return perMember * Math.max(1, members);
    }

    /** The local member trusts the packages of the code this executor is given (it comes from this very JVM). */
    private void trust(Class<?> taskClass) {
        if (localAllowList != null && trustedPackages.add(taskClass.getPackageName())) {
            MemberConfigs.trust(localAllowList, taskClass.getPackageName());
        }
    }

    private void checkTakesTasks() {
        switch (state) {
            case RUNNING -> {}
            case SHUTDOWN, TERMINATED ->
                throw new RejectedExecutionException("cannot schedule new futures after shutdown");
            case BROKEN -> throw new BrokenExecutorException(broken.getMessage(), broken.getCause());
        }
    }

    /** Sends the task; the reply completes the future on a completer thread. */
    private void send(RemoteFuture<?> future, TaskEnvelope envelope) {
        java.util.concurrent.Future<TaskState> reply;
        try {
            reply = executor.submitToKeyOwner(envelope, future.key); // serialized at submit already: it can be
        } catch (HazelcastInstanceNotActiveException | HazelcastClientNotActiveException e) {
            throw breakDown(e);
        }
        CompletionStage<TaskState> stage = asStage(reply);
        // handleAsync, not whenCompleteAsync: on Hazelcast's futures whenCompleteAsync wraps its stage in another
        // delegating future, whose own completion step runs on Hazelcast's default async executor, which is a new
        // thread per step on a machine of one or two cores. That doubled the threads started per task.
        stage.handleAsync(
                (state, error) -> {
                    onReply(future, state, error);
                    return null;
                },
                completing);
    }

    /** Hazelcast's futures are stages; another future is waited for on a completer thread. */
    @SuppressWarnings("unchecked")
    private <V> CompletionStage<V> asStage(java.util.concurrent.Future<V> reply) {
        return reply instanceof CompletionStage<?>
                ? (CompletionStage<V>) reply
                : CompletableFuture.supplyAsync(() -> join(reply), completing);
    }

    private static <V> V join(java.util.concurrent.Future<V> reply) {
        try {
            return reply.get();
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    private static boolean isNotSerializable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.NotSerializableException) {
                return true;
            }
        }
        return false;
    }

    // ---- replies and recovery ------------------------------------------------------------------------------------

    /** Completer thread: the reply of one submission of the task, or why none came. */
    private void onReply(RemoteFuture<?> future, TaskState reply, Throwable error) {
        if (error == null) {
            settle(future, reply);
            return;
        }
        Throwable cause = unwrap(error);
        if (!hazelcast.getLifecycleService().isRunning()) {
            breakDown(cause);
        } else if (isTransient(cause)) {
            recover(future);
        } else if (cause instanceof HazelcastSerializationException) {
            future.fail(new HazelcastSerializationException(
                    future.taskName() + " could not be read on a member: are its classes on the member's class path"
                            + " (a worker's --classpath) and its packages allowed (--allow-package)? " + cause,
                    cause));
        } else {
            future.fail(cause);
        }
    }

    /** Acts on the task's state, as a member replied it or the state map holds it. */
    private void settle(RemoteFuture<?> future, TaskState state) {
        switch (state.kind()) {
            case DONE -> {
                future.deliver(state.outcome());
                forget(future, state);
            }
            case CANCELLED -> {
                future.cancelLocally();
                forget(future, state);
            }
            case LOST -> {
                future.fail(new TaskLostException(future.taskName(), state.address()));
                forget(future, state);
            }
            case RUNNING -> {
                if (isMember(state.member())) {
                    watch(future); // a copy runs there: its outcome will be in the entry
                } else {
                    resend(future); // its member left: the member that gets it decides, run again or lost
                }
            }
            case DELIVERED, CLOSED -> {
                if (!future.isDone()) {
                    future.fail(new BrokenExecutorException(future.taskName() + " was closed", null));
                }
            }
        }
    }

    /**
     * Lets go of the entry of a settled task: it becomes a DELIVERED tombstone, so that a copy of the task that
     * reaches a member later finds it and does not run. The reply we had does not prove there is no other copy:
     * Hazelcast re-sends a task by itself when a member leaves, unknown to us. Tombstones expire after
     * {@link #TOMBSTONE_TTL_MILLIS}, except where we sent the task again ourselves (a copy we sent may wait in a
     * member's queue for as long as that queue is long): those stay until the executor is released.
     */
    private void forget(RemoteFuture<?> future, TaskState state) {
        if (!tracked) {
            return; // no entry: the runner forgets the task once its reply is acknowledged
        }
        try {
            if (!future.resent) {
                forgotten.add(future.key);
                if (forgottenCount.incrementAndGet() >= FORGET_BATCH) {
                    flushForgotten();
                }
            } else if (state.kind() == TaskState.Kind.DONE) {
                states.setAsync(future.key, TaskState.DELIVERED);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "could not clean up the state of " + future.taskName(), e);
        }
    }

    /**
     * Tombstones delivered tasks, asynchronously; the members apply it after their own DONE write. One call per
     * partition ({@link #byPartition}): one call for thousands of keys took most of a member's partition-thread time.
     */
    private void flushForgotten() {
        List<Long> batch = new ArrayList<>();
        try {
            for (Long key; batch.size() < FORGET_BATCH && (key = forgotten.poll()) != null; ) {
                batch.add(key);
            }
            Forget forget = new Forget(TOMBSTONE_TTL_MILLIS);
            for (Set<Long> keys : byPartition(batch).values()) {
                states.submitToKeys(keys, forget);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not clean up task states of " + name(), e);
        } finally {
            forgottenCount.addAndGet(-batch.size());
        }
    }

    /**
     * Keys grouped by partition. Hazelcast's {@code submitToKeys} and {@code executeOnKeys} hand the whole key set to
     * the operation of every partition they touch, and each operation hashes every key to skip the others', so a
     * call for thousands of keys costs hundreds of hashes per key; a call per partition costs one.
     */
    private Map<Integer, Set<Long>> byPartition(Collection<Long> keys) {
        Map<Integer, Set<Long>> groups = new java.util.HashMap<>();
        for (Long key : keys) {
            int partition = hazelcast.getPartitionService().getPartition(key).getPartitionId();
            groups.computeIfAbsent(partition, p -> new java.util.HashSet<>()).add(key);
        }
        return groups;
    }

    /** The reply was lost: look at the task's entry, then deliver, resubmit, or watch. */
    private void recover(RemoteFuture<?> future) {
        future.resent = true;
        watched.remove(future);
        if (future.isDone()) {
            return;
        }
        if (!tracked) {
            redispatch(future); // no entry to look at: the runners drop copies they have
            return;
        }
        CompletionStage<TaskState> read;
        try {
            read = states.getAsync(future.key);
        } catch (RuntimeException e) {
            retryLater(future, e);
            return;
        }
        read.whenCompleteAsync(
                (state, error) -> {
                    if (future.isDone()) {
                        return;
                    }
                    if (error != null) {
                        retryLater(future, unwrap(error));
                    } else if (state == null) {
                        resend(future); // no member started it: safe to send again, in either delivery mode
                    } else {
                        settle(future, state);
                    }
                },
                completing);
    }

    private void resend(RemoteFuture<?> future) {
        future.resent = true;
        try {
            send(future, future.nextEnvelope());
        } catch (RuntimeException e) {
            retryLater(future, e);
        }
    }

    /** A copy of the task runs on a live member: poll its entry, and look again at once if a member leaves. */
    private void watch(RemoteFuture<?> future) {
        watched.add(future);
        schedule(future);
    }

    private void retryLater(RemoteFuture<?> future, Throwable cause) {
        if (!hazelcast.getLifecycleService().isRunning()) {
            breakDown(cause);
            return;
        }
        schedule(future);
    }

    private void schedule(RemoteFuture<?> future) {
        long delay = Math.min(MAX_POLL_MILLIS, 25L << Math.min(6, future.polls++));
        try {
            scheduler.schedule(() -> recover(future), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException terminated) {
            future.fail(new BrokenExecutorException("the executor was terminated", null));
        }
    }

    private void recoverWatched() {
        for (RemoteFuture<?> future : List.copyOf(watched)) {
            try {
                completer.execute(() -> recover(future));
            } catch (RejectedExecutionException terminated) {
                return;
            }
        }
    }

    private boolean isMember(UUID member) {
        for (Member m : hazelcast.getCluster().getMembers()) {
            if (m.getUuid().equals(member)) {
                return true;
            }
        }
        return false;
    }

    /** Failures after which the task may or may not have reached a member: look at its entry. */
    static boolean isTransient(Throwable t) {
        return t instanceof MemberLeftException
                || t instanceof TargetNotMemberException
                || t instanceof TargetDisconnectedException
                || t instanceof HazelcastClientOfflineException
                || t instanceof HazelcastInstanceNotActiveException // a member shutting down
                || t instanceof OperationTimeoutException
                || t instanceof RetryableException
                || t instanceof IOException
                || t instanceof RejectedExecutionException; // a member whose executor is shutting down
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // ---- asked by futures ----------------------------------------------------------------------------------------

    /** cancel(): claims the pending task's entry; returns the state found, null if the claim won. Blocks. */
    TaskState claimForCancel(RemoteFuture<?> future) {
        if (!tracked) {
            // not handed to a member yet (none to take it): cannot tell whether it will start, so not cancelled
            return future.channel == null
                    ? TaskState.running(new UUID(0, 0), "unknown", 0)
                    : controlOne(future, Exchange.CANCEL);
        }
        for (int attempt = 0; ; attempt++) {
            try {
                return states.putIfAbsent(future.key, TaskState.CANCELLED);
            } catch (TargetDisconnectedException | HazelcastClientOfflineException e) {
                // putIfAbsent is not retried by the client: retrying is safe, a second claim finds CANCELLED
                if (attempt == 2) {
                    return TaskState.running(new UUID(0, 0), "unknown", 0);
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, () -> "could not cancel " + future.taskName(), e);
                return TaskState.running(new UUID(0, 0), "unknown", 0); // cannot tell: not cancelled
            }
        }
    }

    /** isRunning(): the task's entry, or null if it cannot be read. Blocks. */
    TaskState stateOf(RemoteFuture<?> future) {
        if (!tracked) {
            return future.channel == null ? null : controlOne(future, Exchange.QUERY);
        }
        try {
            return states.get(future.key);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Cancels or looks up an untracked task in the runner it was sent to; as the entry would answer. Blocks. */
    private TaskState controlOne(RemoteFuture<?> future, byte control) {
        byte found;
        try {
            found = future.channel.control(control, new long[] {future.key})[0];
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            found = Runner.RUNNING; // cannot tell: not cancelled
        } catch (ExecutionException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "could not ask about " + future.taskName(), e);
            found = Runner.RUNNING;
        }
        return asState(found);
    }

    private static TaskState asState(byte found) {
        return switch (found) {
            case Runner.CANCELLED -> TaskState.CANCELLED;
            case Runner.RUNNING -> TaskState.running(new UUID(0, 0), "unknown", 0);
            case Runner.FINISHED -> TaskState.DELIVERED; // finished: neither cancellable nor running
            default -> null; // pending
        };
    }

    /** Completing thread of a future: it leaves `live`; the last one after shutdown releases the executor. */
    private void finished(Future<?> done) {
        RemoteFuture<?> future = (RemoteFuture<?>) done;
        live.remove(future.key);
        watched.remove(future);
        if (live.isEmpty()) {
            boolean terminate;
            lock.lock();
            try {
                quiescent.signalAll();
                terminate = state == State.SHUTDOWN;
            } finally {
                lock.unlock();
            }
            if (terminate) {
                Thread t = new Thread(this::terminate, id + "-terminate");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    // ---- shutdown ------------------------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * <p>Affects this executor only: other executors on the same cluster go on. {@code cancelFutures} cancels, in one
     * call per member, every task no member has started. Once every task is done, the executor releases its Hazelcast
     * objects; with {@code wait} this happens before the call returns (and an executor from {@link #local()} stops its
     * member). Called from a callback on a completer thread, {@code wait} does not wait.
     */
    @Override
    public void shutdown(boolean wait, boolean cancelFutures) {
        List<RemoteFuture<?>> pending;
        lock.lock();
        try {
            if (state == State.RUNNING) {
                state = State.SHUTDOWN;
            }
            pending = cancelFutures ? new ArrayList<>(live.values()) : List.of();
        } finally {
            lock.unlock();
        }
        if (!pending.isEmpty()) {
            cancelAll(pending);
        }
        boolean onCompleter = Thread.currentThread().getName().startsWith(Names.executor(id) + "-completer");
        if (wait && !onCompleter) {
            awaitQuiescence();
            terminate();
        } else if (live.isEmpty()) {
            Thread t = new Thread(this::terminate, id + "-terminate");
            t.setDaemon(true);
            t.start();
        }
    }

    private void cancelAll(List<RemoteFuture<?>> pending) {
        Map<Long, RemoteFuture<?>> byKey = new java.util.HashMap<>();
        for (RemoteFuture<?> f : pending) {
            if (!f.isDone() && !f.isRunningLocally()) {
                byKey.put(f.key, f);
            }
        }
        if (byKey.isEmpty()) {
            return;
        }
        if (!tracked) {
            cancelInRunners(byKey.values());
            return;
        }
        Map<Long, TaskState> found = new java.util.HashMap<>();
        try {
            // One call per partition, with its keys only (see byPartition), all in flight at once.
            List<CompletableFuture<Map<Long, TaskState>>> calls = new ArrayList<>();
            for (Set<Long> keys : byPartition(byKey.keySet()).values()) {
                calls.add(states.submitToKeys(keys, new CancelIfPending()).toCompletableFuture());
            }
            for (CompletableFuture<Map<Long, TaskState>> call : calls) {
                found.putAll(call.join());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not cancel the pending tasks of " + name(), e);
            return;
        }
        for (Map.Entry<Long, RemoteFuture<?>> e : byKey.entrySet()) {
            TaskState before = found.get(e.getKey());
            RemoteFuture<?> f = e.getValue();
            if (before == null || before.kind() == TaskState.Kind.CANCELLED) {
                f.cancelLocally();
            } else if (before.kind() == TaskState.Kind.RUNNING) {
                f.markRunning();
            }
        }
    }

    /** At least once: one cancel per member, all at once, of the tasks sent there. */
    private void cancelInRunners(Collection<RemoteFuture<?>> pending) {
        Map<Channel, List<RemoteFuture<?>>> byChannel = new java.util.HashMap<>();
        for (RemoteFuture<?> f : pending) {
            Channel c = f.channel;
            if (c != null) {
                byChannel.computeIfAbsent(c, k -> new ArrayList<>()).add(f);
            }
        }
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (Map.Entry<Channel, List<RemoteFuture<?>>> e : byChannel.entrySet()) {
            List<RemoteFuture<?>> fs = e.getValue();
            long[] keys = fs.stream().mapToLong(f -> f.key).toArray();
            calls.add(CompletableFuture.runAsync(
                    () -> {
                        byte[] found;
                        try {
                            found = e.getKey().control(Exchange.CANCEL, keys);
                        } catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                            return;
                        } catch (ExecutionException | RuntimeException ex) {
                            LOG.log(System.Logger.Level.WARNING, "could not cancel the pending tasks of " + name(), ex);
                            return;
                        }
                        for (int i = 0; i < found.length; i++) {
                            RemoteFuture<?> f = fs.get(i);
                            if (found[i] == Runner.CANCELLED) {
                                f.cancelLocally();
                            } else if (found[i] == Runner.RUNNING) {
                                f.markRunning();
                            }
                        }
                    },
                    completing));
        }
        for (CompletableFuture<Void> call : calls) {
            call.join();
        }
    }

    private void awaitQuiescence() {
        boolean interrupted = false;
        lock.lock();
        try {
            while (!live.isEmpty() && state != State.BROKEN) {
                try {
                    quiescent.await();
                } catch (InterruptedException e) {
                    interrupted = true; // "wait" means every task finished: keep waiting, keep the flag
                }
            }
        } finally {
            lock.unlock();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Releases the Hazelcast objects once shut down and quiescent; once. */
    private void terminate() {
        lock.lock();
        try {
            if (state != State.SHUTDOWN || !live.isEmpty()) {
                if (state == State.BROKEN) {
                    stopThreads();
                }
                return;
            }
            state = State.TERMINATED;
        } finally {
            lock.unlock();
        }
        try {
            hazelcast.getCluster().removeMembershipListener(membershipRegistration);
            hazelcast.getLifecycleService().removeLifecycleListener(lifecycleRegistration);
            // Shut down (never destroy) the executor service first: members then refuse any stale copy of a task
            // that would otherwise run in a state map created anew after the destroy below.
            releaseRunners();
            executor.shutdown();
            states.destroy();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not release the Hazelcast objects of " + name(), e);
        }
        stopThreads();
        if (ownsInstance) {
            hazelcast.shutdown();
        }
    }

    /** Stops this executor's task threads on every member and drops their replies; waits a few seconds at most. */
    private void releaseRunners() {
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (Member m : hazelcast.getCluster().getMembers()) {
            if (!m.isLiteMember()) {
                try {
                    calls.add(exchange(Exchange.release(id), m).toCompletableFuture());
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "could not release " + name() + " on " + m, e);
                }
            }
        }
        try {
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not release " + name() + " on every member", e);
        }
    }

    private void stopThreads() {
        scheduler.shutdownNow();
        completer.shutdown();
    }

    /** The instance stopped: every live future fails, and so does every later submit. */
    private BrokenExecutorException breakDown(Throwable cause) {
        BrokenExecutorException reason;
        lock.lock();
        try {
            if (state == State.TERMINATED) {
                return new BrokenExecutorException("the executor was terminated", cause);
            }
            if (broken == null) {
                broken = new BrokenExecutorException(
                        "the Hazelcast instance of " + name() + " stopped: the executor cannot run tasks anymore",
                        cause);
            }
            state = State.BROKEN;
            reason = broken;
            quiescent.signalAll();
        } finally {
            lock.unlock();
        }
        for (RemoteFuture<?> f : List.copyOf(live.values())) {
            f.fail(new BrokenExecutorException(reason.getMessage(), cause));
        }
        stopThreads();
        return reason;
    }

    @Override
    public boolean isShutdown() {
        lock.lock();
        try {
            return state != State.RUNNING;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "HazelcastExecutor[" + name() + ", " + delivery + ", " + live.size() + " live tasks"
                + (isShutdown() ? ", shut down]" : "]");
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }

    /** Options for a {@link HazelcastExecutor}. Not thread-safe; each {@link #build()} makes a new executor. */
    public static final class Builder {
        private HazelcastInstance instance;
        private String clusterName;
        private int port = MemberConfigs.DEFAULT_PORT;
        private final List<String> allowPackages = new ArrayList<>();
        private int threads = MemberConfigs.defaultThreads();
        private Delivery delivery = Delivery.AT_LEAST_ONCE;

        private Builder() {}

        /**
         * Runs on the cluster of this member or client instead of starting a local member. {@link #close()} then
         * leaves the instance running, and the local-member options of this builder do not apply.
         *
         * @param instance a running member or client
         * @return this builder
         * @throws NullPointerException if {@code instance} is null
         */
        public Builder instance(HazelcastInstance instance) {
            this.instance = Objects.requireNonNull(instance, "instance");
            return this;
        }

        /**
         * The local member's cluster name, so that workers can be told it in advance. Default:
         * {@code fanout-local-N-RANDOM}, which no other cluster shares.
         *
         * @param clusterName the cluster name
         * @return this builder
         * @throws NullPointerException if {@code clusterName} is null
         */
        public Builder clusterName(String clusterName) {
            this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
            return this;
        }

        /**
         * The local member's first port; the next ones are tried when it is taken. Default: 5701.
         *
         * @param port the port
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be within 1..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Packages (with their subpackages) whose classes the local member may deserialize, beyond Fanout's and those
         * of the tasks submitted: for example the package of the items or results of a map.
         *
         * @param packages package names
         * @return this builder
         */
        public Builder allowPackages(String... packages) {
            for (String p : packages) {
                allowPackages.add(Objects.requireNonNull(p, "package"));
            }
            return this;
        }

        /**
         * How many tasks of each executor the local member runs at once. Default: {@code min(32, cores + 4)}, as the
         * thread pool.
         *
         * @param threads at least 1
         * @return this builder
         */
        public Builder threadsPerMember(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * What happens to tasks that were running on a member that left. Default: {@link Delivery#AT_LEAST_ONCE}.
         *
         * @param delivery the delivery guarantee
         * @return this builder
         */
        public Builder delivery(Delivery delivery) {
            this.delivery = Objects.requireNonNull(delivery, "delivery");
            return this;
        }

        /**
         * Makes the executor, starting the local member first unless {@link #instance(HazelcastInstance)} was given
         * (which blocks for a few seconds).
         *
         * @return the executor
         */
        public HazelcastExecutor build() {
            if (instance != null) {
                return new HazelcastExecutor(instance, false, null, delivery);
            }
            String name = clusterName != null
                    ? clusterName
                    : "fanout-local-" + LOCAL_CLUSTERS.incrementAndGet() + "-"
                            + UUID.randomUUID().toString().substring(0, 8);
            Config config = MemberConfigs.member(name, "127.0.0.1", port, List.of(), allowPackages, threads, null);
            JavaSerializationFilterConfig filter =
                    config.getSerializationConfig().getJavaSerializationFilterConfig();
            HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
            try {
                return new HazelcastExecutor(member, true, filter.getWhitelist(), delivery);
            } catch (RuntimeException | Error e) {
                member.shutdown();
                throw e;
            }
        }
    }
}
