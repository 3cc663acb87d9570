package dev.fanout.hazelcast;

import com.hazelcast.cluster.Member;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The caller's end of the batched hand-off to one member: tasks queue here and leave in {@link Exchange}s, at most one
 * sending exchange and one polling exchange in flight at a time, so that each carries all that queued up meanwhile.
 *
 * <p>Every future sent through the channel is in {@code outstanding} until its reply comes, or until the channel
 * gives it up to the executor's recovery (the exchange failed, or the member left). Whoever removes a future from
 * {@code outstanding} handles it, so it is handled once: a reply that comes twice, or after recovery took the task,
 * is dropped. A reply is acknowledged to the member only once its future is settled (see {@link #received}), so a
 * member that no longer knows a task either never had it or has a task whose future is done: a cancel that finds it
 * unknown can win only in the first case.
 *
 * <pre>
 *   sending:  false -> true (a thread that found tasks queued)  -> false (the exchange came back, or failed)
 *   polling:  false -> true (tasks outstanding or replies to acknowledge, none polling) -> false (it came back)
 *   closed:   false -> true (the member left, or was found gone): outstanding futures all go to recovery
 * </pre>
 */
final class Channel {
    /** The most tasks one exchange carries. */
    static final int MAX_BATCH = 1024;

    /** How long a poll waits on the member for a reply before it comes back empty (and goes out again). */
    static final long POLL_MILLIS = 1000;

    /** A task waiting to leave: its future and its serialized envelope. */
    private record Queued(RemoteFuture<?> future, byte[] envelope) {}

    private final HazelcastExecutor owner;
    private final String executorId;
    private final boolean tracked;
    final Member member;

    private final ConcurrentLinkedQueue<Queued> queue = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<Long, RemoteFuture<?>> outstanding = new ConcurrentHashMap<>();
    private final AtomicBoolean sending = new AtomicBoolean();
    private final AtomicBoolean polling = new AtomicBoolean();
    private volatile boolean closed;
    /** Set when an exchange failed: the next one asks for every unacknowledged reply again. */
    private final AtomicBoolean resync = new AtomicBoolean();

    /** Seqs of replies received and not yet acknowledged to the member; guarded by itself. */
    private final List<Long> received = new ArrayList<>();

    Channel(HazelcastExecutor owner, String executorId, boolean tracked, Member member) {
        this.owner = owner;
        this.executorId = executorId;
        this.tracked = tracked;
        this.member = member;
    }

    /** Queues the task for this member; any thread. */
    void enqueue(RemoteFuture<?> future, byte[] envelope) {
        future.channel = this;
        outstanding.put(future.key, future);
        queue.add(new Queued(future, envelope));
        if (closed) {
            giveUp(future); // the channel closed before it could see this task
            return;
        }
        trySend();
    }

    private void trySend() {
        while (!queue.isEmpty() && sending.compareAndSet(false, true)) {
            List<Queued> batch = new ArrayList<>();
            for (Queued q; batch.size() < MAX_BATCH && (q = queue.poll()) != null; ) {
                if (outstanding.get(q.future().key) == q.future()) {
                    batch.add(q);
                }
            }
            if (batch.isEmpty()) {
                sending.set(false);
                continue;
            }
            send(batch);
            return;
        }
    }

    private void send(List<Queued> batch) {
        long[] keys = new long[batch.size()];
        byte[][] envelopes = new byte[batch.size()][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = batch.get(i).future().key;
            envelopes[i] = batch.get(i).envelope();
        }
        long[] acks = takeAcks();
        boolean again = takeResync();
        Exchange exchange = new Exchange(executorId, acks, again, 0, keys, envelopes).tracked(tracked);
        call(exchange, acks, (replies, error) -> {
            if (error != null) {
                boolean retry = HazelcastExecutor.isTransient(HazelcastExecutor.unwrap(error));
                for (Queued q : batch) {
                    if (retry) {
                        giveUp(q.future());
                    } else if (outstanding.remove(q.future().key, q.future())) {
                        q.future().fail(HazelcastExecutor.unwrap(error));
                    }
                }
            }
            sending.set(false);
            trySend();
            poll();
        });
    }

    /** Keeps a poll in flight while tasks are outstanding. */
    private void poll() {
        if (closed || (outstanding.isEmpty() && !hasAcks()) || !polling.compareAndSet(false, true)) {
            return;
        }
        // With nothing outstanding, a last call that only acknowledges, so that the member lets go of the replies
        // (and the jobs) of the last batch now rather than at the next submit.
        long wait = outstanding.isEmpty() ? 0 : POLL_MILLIS;
        long[] acks = takeAcks();
        boolean again = takeResync();
        call(
                new Exchange(executorId, acks, again, wait, new long[0], new byte[0][]).tracked(tracked),
                acks,
                (replies, error) -> {
                    if (error != null && !closed) {
                        if (!HazelcastExecutor.isTransient(HazelcastExecutor.unwrap(error))) {
                            failAll(HazelcastExecutor.unwrap(error)); // a member that cannot take exchanges at all
                            return;
                        }
                        owner.later(() -> {
                            polling.set(false);
                            poll();
                        });
                        return;
                    }
                    polling.set(false);
                    poll();
                });
    }

    private interface After {
        void run(Exchange.Replies replies, Throwable error);
    }

    /** Sends the exchange; its replies are handled on the executor's completer, then {@code after} runs there. */
    private void call(Exchange exchange, long[] acks, After after) {
        CompletionStage<Exchange.Replies> stage;
        try {
            stage = owner.exchange(exchange, member);
        } catch (RuntimeException e) {
            owner.completing().execute(() -> failed(e, acks, after));
            return;
        }
        stage.handleAsync(
                (replies, error) -> {
                    if (error != null) {
                        failed(error, acks, after);
                    } else {
                        received(replies);
                        after.run(replies, null);
                    }
                    return null;
                },
                owner.completing());
    }

    private void failed(Throwable error, long[] acks, After after) {
        // The member may not have had the acks, and a reply of this exchange may be lost: ask again for them all.
        restoreAcks(acks);
        if (!owner.isClusterMember(member.getUuid()) || owner.isTerminated()) {
            close();
        }
        after.run(null, error);
    }

    private void received(Exchange.Replies replies) {
        List<Runner.Reply> list = replies.replies();
        for (Runner.Reply r : list) {
            RemoteFuture<?> future = outstanding.remove(r.key());
            if (future != null) {
                owner.onExchangeReply(future, r); // settles the future before returning
            }
        }
        // Acknowledged only once their futures are settled: the runner forgets a task when its reply is acknowledged,
        // and a cancel() still in flight would then find the task unknown there and win, over a task that ran.
        synchronized (received) {
            for (Runner.Reply r : list) {
                received.add(r.seq());
            }
        }
    }

    /** The acks to send, as pairs of first and last seq; they are no longer pending here. */
    private long[] takeAcks() {
        long[] seqs;
        synchronized (received) {
            if (received.isEmpty()) {
                return new long[0];
            }
            seqs = new long[received.size()];
            for (int i = 0; i < seqs.length; i++) {
                seqs[i] = received.get(i);
            }
            received.clear();
        }
        Arrays.sort(seqs);
        List<Long> ranges = new ArrayList<>();
        for (int i = 0; i < seqs.length; ) {
            int j = i;
            while (j + 1 < seqs.length && seqs[j + 1] <= seqs[j] + 1) {
                j++;
            }
            ranges.add(seqs[i]);
            ranges.add(seqs[j]);
            i = j + 1;
        }
        return ranges.stream().mapToLong(Long::longValue).toArray();
    }

    private boolean hasAcks() {
        synchronized (received) {
            return !received.isEmpty();
        }
    }

    private boolean takeResync() {
        return resync.getAndSet(false); // atomically: a failure flagged meanwhile must not be cleared unseen
    }

    private void restoreAcks(long[] acks) {
        synchronized (received) {
            for (int i = 0; i + 1 < acks.length; i += 2) {
                for (long s = acks[i]; s <= acks[i + 1]; s++) {
                    received.add(s);
                }
            }
        }
        resync.set(true);
    }

    /** The task's exchange failed, or its member left: the executor's recovery takes it, if the channel still had it. */
    private void giveUp(RemoteFuture<?> future) {
        if (outstanding.remove(future.key, future)) {
            owner.recoverFromChannel(future);
        }
    }

    /**
     * Cancels ({@link Exchange#CANCEL}) or looks up ({@link Exchange#QUERY}) untracked tasks sent here, in one round
     * trip; blocks. Returns what the member found of each (see {@link Runner#control}).
     */
    byte[] control(byte control, long[] keys) throws InterruptedException, java.util.concurrent.ExecutionException {
        long[] acks = takeAcks();
        boolean again = takeResync();
        Exchange exchange = new Exchange(executorId, acks, again, 0, new long[0], new byte[0][])
                .tracked(tracked)
                .control(control, keys);
        Exchange.Replies replies;
        try {
            replies = owner.exchange(exchange, member).toCompletableFuture().get();
        } catch (InterruptedException | java.util.concurrent.ExecutionException | RuntimeException e) {
            restoreAcks(acks);
            throw e;
        }
        owner.completing().execute(() -> {
            received(replies);
            poll();
        });
        return replies.found();
    }

    private void failAll(Throwable error) {
        closed = true;
        owner.channelClosed(this);
        for (RemoteFuture<?> future : List.copyOf(outstanding.values())) {
            if (outstanding.remove(future.key, future)) {
                future.fail(error);
            }
        }
        queue.clear();
    }

    /** The member left: every task outstanding here goes to recovery, and nothing more is sent. */
    void close() {
        closed = true;
        owner.channelClosed(this);
        for (RemoteFuture<?> future : List.copyOf(outstanding.values())) {
            giveUp(future);
        }
        queue.clear();
    }

    boolean isClosed() {
        return closed;
    }
}
